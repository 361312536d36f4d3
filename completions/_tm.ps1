
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'tm' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'tm'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'tm' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('ask', 'ask', [CompletionResultType]::ParameterValue, 'Ask one question; the answer streams to stdout (piped stdin is read too)')
            [CompletionResult]::new('chat', 'chat', [CompletionResultType]::ParameterValue, 'An interactive conversation; a new one unless --conv, --last or --pick')
            [CompletionResult]::new('image', 'image', [CompletionResultType]::ParameterValue, 'Generate images, save them, and record what they cost')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Conversations, newest first, with their tokens and cost')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'A conversation''s transcript with the tokens of every message')
            [CompletionResult]::new('rename', 'rename', [CompletionResultType]::ParameterValue, 'Retitle a conversation')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete conversations with their messages and request records')
            [CompletionResult]::new('usage', 'usage', [CompletionResultType]::ParameterValue, 'Tokens and cost by day, week, month, model, conversation or service tier')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'One line for a shell prompt: today''s and this month''s cost, and the budgets')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Bring conversations in: from the original TokenMetered, ChatGPT, llm, or a tm export')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write conversations out, as JSON lines for `tm import tm` or as Markdown')
            [CompletionResult]::new('role', 'role', [CompletionResultType]::ParameterValue, 'Saved roles: a named system prompt with an optional model, for `ask -r` and `/role`')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show or change settings')
            [CompletionResult]::new('prices', 'prices', [CompletionResultType]::ParameterValue, 'The price table in use, its source and date (per-size image entries: `tm prices NAME`)')
            [CompletionResult]::new('models', 'models', [CompletionResultType]::ParameterValue, 'The models the server offers, with their prices, context window and API')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tm;ask' {
            [CompletionResult]::new('--conv', '--conv', [CompletionResultType]::ParameterName, 'Continue this conversation')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Chat model [default: TM_MODEL, else setting `model`, gpt-5.4-mini]')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Chat model [default: TM_MODEL, else setting `model`, gpt-5.4-mini]')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'System prompt [default: setting `system`]')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'System prompt [default: setting `system`]')
            [CompletionResult]::new('--max-messages', '--max-messages', [CompletionResultType]::ParameterName, 'Messages sent, the new question included, or `all` [default: setting `max-messages`, 5]')
            [CompletionResult]::new('--effort', '--effort', [CompletionResultType]::ParameterName, 'Reasoning effort, sent as reasoning_effort (reasoning tokens are billed as output)')
            [CompletionResult]::new('--max-output', '--max-output', [CompletionResultType]::ParameterName, 'Most tokens an answer may use, reasoning included (sent as max_completion_tokens, or max_output_tokens to the Responses API)')
            [CompletionResult]::new('--tier', '--tier', [CompletionResultType]::ParameterName, 'Service tier, sent as service_tier: flex is about half price and slower, priority (fast) about twice; billed as the tier the response names [default: setting `tier`]')
            [CompletionResult]::new('--api', '--api', [CompletionResultType]::ParameterName, 'Where questions go: chat (Chat Completions), responses (the Responses API), or auto, the Responses API only for models served nowhere else [default: setting `api`, auto]')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'A saved role (`tm role set`): its system prompt, and its model unless -m is given')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'A saved role (`tm role set`): its system prompt, and its model unless -m is given')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'A request field tm does not set itself, such as temperature=0.2 or top_p=0.9 (the value is JSON, else text); repeatable, and kept with the request record')
            [CompletionResult]::new('--option', '--option', [CompletionResultType]::ParameterName, 'A request field tm does not set itself, such as temperature=0.2 or top_p=0.9 (the value is JSON, else text); repeatable, and kept with the request record')
            [CompletionResult]::new('--context-tokens', '--context-tokens', [CompletionResultType]::ParameterName, 'Drop the oldest history messages until the prompt''s estimate fits this many tokens')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Attach a file: an image (PNG, JPEG, GIF, WebP), a PDF or a UTF-8 text file; repeatable')
            [CompletionResult]::new('--attach', '--attach', [CompletionResultType]::ParameterName, 'Attach a file: an image (PNG, JPEG, GIF, WebP), a PDF or a UTF-8 text file; repeatable')
            [CompletionResult]::new('--detail', '--detail', [CompletionResultType]::ParameterName, 'How closely the model looks at attached images (low costs least)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Continue the most recent conversation')
            [CompletionResult]::new('--continue', '--continue', [CompletionResultType]::ParameterName, 'Continue the most recent conversation')
            [CompletionResult]::new('--retry', '--retry', [CompletionResultType]::ParameterName, 'Send the conversation''s last question again, when it failed (the most recent conversation unless --conv)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Send even when the projected cost passes the guard or a budget (settings `guard`, `budget.day`, `budget.month`); without it a terminal asks and anything else refuses')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Send even when the projected cost passes the guard or a budget (settings `guard`, `budget.day`, `budget.month`); without it a terminal asks and anything else refuses')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Print answers as the model wrote them, without rendering their Markdown on a terminal (the `render` setting, for good)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Write the question in $VISUAL or $EDITOR (vi without either), starting from the words; an empty file sends nothing')
            [CompletionResult]::new('--editor', '--editor', [CompletionResultType]::ParameterName, 'Write the question in $VISUAL or $EDITOR (vi without either), starting from the words; an empty file sends nothing')
            [CompletionResult]::new('--no-stream', '--no-stream', [CompletionResultType]::ParameterName, 'Wait for the whole answer instead of streaming it')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Send nothing: show the messages that would go, their estimated tokens and cost')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object instead of the streamed answer: the answer with its request record (with --dry-run: the plan)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No summary line on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No summary line on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;chat' {
            [CompletionResult]::new('--conv', '--conv', [CompletionResultType]::ParameterName, 'Continue this conversation')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Chat model [default: TM_MODEL, else setting `model`, gpt-5.4-mini]')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Chat model [default: TM_MODEL, else setting `model`, gpt-5.4-mini]')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'System prompt [default: setting `system`]')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'System prompt [default: setting `system`]')
            [CompletionResult]::new('--max-messages', '--max-messages', [CompletionResultType]::ParameterName, 'Messages sent, the new question included, or `all` [default: setting `max-messages`, 5]')
            [CompletionResult]::new('--effort', '--effort', [CompletionResultType]::ParameterName, 'Reasoning effort, sent as reasoning_effort (reasoning tokens are billed as output)')
            [CompletionResult]::new('--max-output', '--max-output', [CompletionResultType]::ParameterName, 'Most tokens an answer may use, reasoning included (sent as max_completion_tokens, or max_output_tokens to the Responses API)')
            [CompletionResult]::new('--tier', '--tier', [CompletionResultType]::ParameterName, 'Service tier, sent as service_tier: flex is about half price and slower, priority (fast) about twice; billed as the tier the response names [default: setting `tier`]')
            [CompletionResult]::new('--api', '--api', [CompletionResultType]::ParameterName, 'Where questions go: chat (Chat Completions), responses (the Responses API), or auto, the Responses API only for models served nowhere else [default: setting `api`, auto]')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'A saved role (`tm role set`): its system prompt, and its model unless -m is given')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'A saved role (`tm role set`): its system prompt, and its model unless -m is given')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'A request field tm does not set itself, such as temperature=0.2 or top_p=0.9 (the value is JSON, else text); repeatable, and kept with the request record')
            [CompletionResult]::new('--option', '--option', [CompletionResultType]::ParameterName, 'A request field tm does not set itself, such as temperature=0.2 or top_p=0.9 (the value is JSON, else text); repeatable, and kept with the request record')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'Continue the most recent conversation')
            [CompletionResult]::new('--pick', '--pick', [CompletionResultType]::ParameterName, 'Pick one of the recent conversations from a list')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Send even when the projected cost passes the guard or a budget (settings `guard`, `budget.day`, `budget.month`); without it a terminal asks and anything else refuses')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Send even when the projected cost passes the guard or a budget (settings `guard`, `budget.day`, `budget.month`); without it a terminal asks and anything else refuses')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Print answers as the model wrote them, without rendering their Markdown on a terminal (the `render` setting, for good)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;image' {
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Image model [default: setting `image-model`, gpt-image-2]')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Image model [default: setting `image-model`, gpt-image-2]')
            [CompletionResult]::new('--size', '--size', [CompletionResultType]::ParameterName, 'WIDTHxHEIGHT or auto; which sizes a model makes is checked before sending')
            [CompletionResult]::new('--quality', '--quality', [CompletionResultType]::ParameterName, 'low, medium, high or auto (GPT image models); standard or hd (dall-e-3)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many images')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'png, jpeg or webp (GPT image models)')
            [CompletionResult]::new('--background', '--background', [CompletionResultType]::ParameterName, 'transparent, opaque or auto (GPT image models)')
            [CompletionResult]::new('--style', '--style', [CompletionResultType]::ParameterName, 'vivid or natural (dall-e-3)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Save to PATH (PATH-1, PATH-2… with -n) instead of tm-image-<id>.<ext> here')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Save to PATH (PATH-1, PATH-2… with -n) instead of tm-image-<id>.<ext> here')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Send even when the projected cost passes the guard or a budget')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Send even when the projected cost passes the guard or a budget')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the records as JSON instead of the paths')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;list' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show this many conversations')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Only conversations whose title or messages contain TEXT')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Show every conversation')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;show' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('--tokens', '--tokens', [CompletionResultType]::ParameterName, 'One row per exchange: messages sent, tokens, estimate, cost, timings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the conversation, its messages and requests as JSON')
            [CompletionResult]::new('--markdown', '--markdown', [CompletionResultType]::ParameterName, 'Print the transcript as Markdown')
            [CompletionResult]::new('--last-answer', '--last-answer', [CompletionResultType]::ParameterName, 'Print only the last answer, as the model wrote it (for pipes: `| pbcopy`, `> a.md`)')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Print messages as they were written, without rendering their Markdown on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;rename' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;delete' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask (required when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask (required when stdin is not a terminal)')
            [CompletionResult]::new('--keep-usage', '--keep-usage', [CompletionResultType]::ParameterName, 'Keep the request records, detached, so `tm usage` still counts what they cost')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;usage' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'From this day: 7d, 2w, 3m, today, yesterday or a date (2026-11-01)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Up to and including this day, in the same forms')
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'One row per')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('--csv', '--csv', [CompletionResultType]::ParameterName, 'Print CSV')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;status' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail with the error instead of printing nothing (a prompt must never fail; a script may want to know)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;import' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('tokenmeter', 'tokenmeter', [CompletionResultType]::ParameterValue, 'The original TokenMetered''s database.db (opened read-only, left as it was)')
            [CompletionResult]::new('chatgpt', 'chatgpt', [CompletionResultType]::ParameterValue, 'A ChatGPT data export: the zip, its folder, conversations.json, or the split conversations-NNN.json files'' folder')
            [CompletionResult]::new('llm', 'llm', [CompletionResultType]::ParameterValue, 'llm''s logs.db')
            [CompletionResult]::new('tm', 'tm', [CompletionResultType]::ParameterValue, 'A file written by `tm export` here or on another machine; what is here already is skipped')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tm;import;tokenmeter' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('--with-key', '--with-key', [CompletionResultType]::ParameterName, 'Also store the API key the file holds (never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;import;chatgpt' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;import;llm' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;import;tm' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;import;help' {
            [CompletionResult]::new('tokenmeter', 'tokenmeter', [CompletionResultType]::ParameterValue, 'The original TokenMetered''s database.db (opened read-only, left as it was)')
            [CompletionResult]::new('chatgpt', 'chatgpt', [CompletionResultType]::ParameterValue, 'A ChatGPT data export: the zip, its folder, conversations.json, or the split conversations-NNN.json files'' folder')
            [CompletionResult]::new('llm', 'llm', [CompletionResultType]::ParameterValue, 'llm''s logs.db')
            [CompletionResult]::new('tm', 'tm', [CompletionResultType]::ParameterValue, 'A file written by `tm export` here or on another machine; what is here already is skipped')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tm;import;help;tokenmeter' {
            break
        }
        'tm;import;help;chatgpt' {
            break
        }
        'tm;import;help;llm' {
            break
        }
        'tm;import;help;tm' {
            break
        }
        'tm;import;help;help' {
            break
        }
        'tm;export' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only conversations active since this local day: 30d, 2w, 3m, yesterday or a date')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to this file instead of stdout (written whole, or not at all)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to this file instead of stdout (written whole, or not at all)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;role' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Save a role, replacing one of the same name')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every saved role')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a saved role')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tm;role;set' {
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'The model the role asks with, unless -m is given')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'The model the role asks with, unless -m is given')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;role;list' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;role;remove' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;role;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Save a role, replacing one of the same name')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every saved role')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a saved role')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tm;role;help;set' {
            break
        }
        'tm;role;help;list' {
            break
        }
        'tm;role;help;remove' {
            break
        }
        'tm;role;help;help' {
            break
        }
        'tm;config' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every setting, its value and where the value came from')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print one setting''s value')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store a setting; `set api-key` without a value asks for it hidden, or reads piped stdin')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove a stored setting')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Where the database, the key file and downloaded data live')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tm;config;list' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;config;get' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;config;set' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;config;unset' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;config;path' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;config;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every setting, its value and where the value came from')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print one setting''s value')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store a setting; `set api-key` without a value asks for it hidden, or reads piped stdin')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove a stored setting')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Where the database, the key file and downloaded data live')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tm;config;help;list' {
            break
        }
        'tm;config;help;get' {
            break
        }
        'tm;config;help;set' {
            break
        }
        'tm;config;help;unset' {
            break
        }
        'tm;config;help;path' {
            break
        }
        'tm;config;help;help' {
            break
        }
        'tm;prices' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('--update', '--update', [CompletionResultType]::ParameterName, 'Download the current price table (setting `prices-url`) and use it from now on')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;models' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('--known', '--known', [CompletionResultType]::ParameterName, 'Without asking the server: every chat model of the price table')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;completions' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history database [default: $XDG_DATA_HOME/tm/tm.db]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tm;help' {
            [CompletionResult]::new('ask', 'ask', [CompletionResultType]::ParameterValue, 'Ask one question; the answer streams to stdout (piped stdin is read too)')
            [CompletionResult]::new('chat', 'chat', [CompletionResultType]::ParameterValue, 'An interactive conversation; a new one unless --conv, --last or --pick')
            [CompletionResult]::new('image', 'image', [CompletionResultType]::ParameterValue, 'Generate images, save them, and record what they cost')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Conversations, newest first, with their tokens and cost')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'A conversation''s transcript with the tokens of every message')
            [CompletionResult]::new('rename', 'rename', [CompletionResultType]::ParameterValue, 'Retitle a conversation')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete conversations with their messages and request records')
            [CompletionResult]::new('usage', 'usage', [CompletionResultType]::ParameterValue, 'Tokens and cost by day, week, month, model, conversation or service tier')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'One line for a shell prompt: today''s and this month''s cost, and the budgets')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Bring conversations in: from the original TokenMetered, ChatGPT, llm, or a tm export')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write conversations out, as JSON lines for `tm import tm` or as Markdown')
            [CompletionResult]::new('role', 'role', [CompletionResultType]::ParameterValue, 'Saved roles: a named system prompt with an optional model, for `ask -r` and `/role`')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show or change settings')
            [CompletionResult]::new('prices', 'prices', [CompletionResultType]::ParameterValue, 'The price table in use, its source and date (per-size image entries: `tm prices NAME`)')
            [CompletionResult]::new('models', 'models', [CompletionResultType]::ParameterValue, 'The models the server offers, with their prices, context window and API')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tm;help;ask' {
            break
        }
        'tm;help;chat' {
            break
        }
        'tm;help;image' {
            break
        }
        'tm;help;list' {
            break
        }
        'tm;help;show' {
            break
        }
        'tm;help;rename' {
            break
        }
        'tm;help;delete' {
            break
        }
        'tm;help;usage' {
            break
        }
        'tm;help;status' {
            break
        }
        'tm;help;import' {
            [CompletionResult]::new('tokenmeter', 'tokenmeter', [CompletionResultType]::ParameterValue, 'The original TokenMetered''s database.db (opened read-only, left as it was)')
            [CompletionResult]::new('chatgpt', 'chatgpt', [CompletionResultType]::ParameterValue, 'A ChatGPT data export: the zip, its folder, conversations.json, or the split conversations-NNN.json files'' folder')
            [CompletionResult]::new('llm', 'llm', [CompletionResultType]::ParameterValue, 'llm''s logs.db')
            [CompletionResult]::new('tm', 'tm', [CompletionResultType]::ParameterValue, 'A file written by `tm export` here or on another machine; what is here already is skipped')
            break
        }
        'tm;help;import;tokenmeter' {
            break
        }
        'tm;help;import;chatgpt' {
            break
        }
        'tm;help;import;llm' {
            break
        }
        'tm;help;import;tm' {
            break
        }
        'tm;help;export' {
            break
        }
        'tm;help;role' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Save a role, replacing one of the same name')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every saved role')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a saved role')
            break
        }
        'tm;help;role;set' {
            break
        }
        'tm;help;role;list' {
            break
        }
        'tm;help;role;remove' {
            break
        }
        'tm;help;config' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every setting, its value and where the value came from')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print one setting''s value')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store a setting; `set api-key` without a value asks for it hidden, or reads piped stdin')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove a stored setting')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Where the database, the key file and downloaded data live')
            break
        }
        'tm;help;config;list' {
            break
        }
        'tm;help;config;get' {
            break
        }
        'tm;help;config;set' {
            break
        }
        'tm;help;config;unset' {
            break
        }
        'tm;help;config;path' {
            break
        }
        'tm;help;prices' {
            break
        }
        'tm;help;models' {
            break
        }
        'tm;help;completions' {
            break
        }
        'tm;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
