
use builtin;
use str;

set edit:completion:arg-completer[tm] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'tm'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'tm'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand ask 'Ask one question; the answer streams to stdout (piped stdin is read too)'
            cand chat 'An interactive conversation; a new one unless --conv, --last or --pick'
            cand image 'Generate images, save them, and record what they cost'
            cand list 'Conversations, newest first, with their tokens and cost'
            cand show 'A conversation''s transcript with the tokens of every message'
            cand rename 'Retitle a conversation'
            cand delete 'Delete conversations with their messages and request records'
            cand usage 'Tokens and cost by day, week, month, model, conversation or service tier'
            cand status 'One line for a shell prompt: today''s and this month''s cost, and the budgets'
            cand import 'Bring conversations in: from the original TokenMetered, ChatGPT, llm, or a tm export'
            cand export 'Write conversations out, as JSON lines for `tm import tm` or as Markdown'
            cand role 'Saved roles: a named system prompt with an optional model, for `ask -r` and `/role`'
            cand config 'Show or change settings'
            cand prices 'The price table in use, its source and date (per-size image entries: `tm prices NAME`)'
            cand models 'The models the server offers, with their prices, context window and API'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tm;ask'= {
            cand --conv 'Continue this conversation'
            cand -m 'Chat model [default: TM_MODEL, else setting `model`, gpt-5.4-mini]'
            cand --model 'Chat model [default: TM_MODEL, else setting `model`, gpt-5.4-mini]'
            cand -s 'System prompt [default: setting `system`]'
            cand --system 'System prompt [default: setting `system`]'
            cand --max-messages 'Messages sent, the new question included, or `all` [default: setting `max-messages`, 5]'
            cand --effort 'Reasoning effort, sent as reasoning_effort (reasoning tokens are billed as output)'
            cand --max-output 'Most tokens an answer may use, reasoning included (sent as max_completion_tokens, or max_output_tokens to the Responses API)'
            cand --tier 'Service tier, sent as service_tier: flex is about half price and slower, priority (fast) about twice; billed as the tier the response names [default: setting `tier`]'
            cand --api 'Where questions go: chat (Chat Completions), responses (the Responses API), or auto, the Responses API only for models served nowhere else [default: setting `api`, auto]'
            cand -r 'A saved role (`tm role set`): its system prompt, and its model unless -m is given'
            cand --role 'A saved role (`tm role set`): its system prompt, and its model unless -m is given'
            cand -o 'A request field tm does not set itself, such as temperature=0.2 or top_p=0.9 (the value is JSON, else text); repeatable, and kept with the request record'
            cand --option 'A request field tm does not set itself, such as temperature=0.2 or top_p=0.9 (the value is JSON, else text); repeatable, and kept with the request record'
            cand --context-tokens 'Drop the oldest history messages until the prompt''s estimate fits this many tokens'
            cand -a 'Attach a file: an image (PNG, JPEG, GIF, WebP), a PDF or a UTF-8 text file; repeatable'
            cand --attach 'Attach a file: an image (PNG, JPEG, GIF, WebP), a PDF or a UTF-8 text file; repeatable'
            cand --detail 'How closely the model looks at attached images (low costs least)'
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand -c 'Continue the most recent conversation'
            cand --continue 'Continue the most recent conversation'
            cand --retry 'Send the conversation''s last question again, when it failed (the most recent conversation unless --conv)'
            cand -y 'Send even when the projected cost passes the guard or a budget (settings `guard`, `budget.day`, `budget.month`); without it a terminal asks and anything else refuses'
            cand --yes 'Send even when the projected cost passes the guard or a budget (settings `guard`, `budget.day`, `budget.month`); without it a terminal asks and anything else refuses'
            cand --raw 'Print answers as the model wrote them, without rendering their Markdown on a terminal (the `render` setting, for good)'
            cand -e 'Write the question in $VISUAL or $EDITOR (vi without either), starting from the words; an empty file sends nothing'
            cand --editor 'Write the question in $VISUAL or $EDITOR (vi without either), starting from the words; an empty file sends nothing'
            cand --no-stream 'Wait for the whole answer instead of streaming it'
            cand --dry-run 'Send nothing: show the messages that would go, their estimated tokens and cost'
            cand --json 'Print one JSON object instead of the streamed answer: the answer with its request record (with --dry-run: the plan)'
            cand -q 'No summary line on stderr'
            cand --quiet 'No summary line on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;chat'= {
            cand --conv 'Continue this conversation'
            cand -m 'Chat model [default: TM_MODEL, else setting `model`, gpt-5.4-mini]'
            cand --model 'Chat model [default: TM_MODEL, else setting `model`, gpt-5.4-mini]'
            cand -s 'System prompt [default: setting `system`]'
            cand --system 'System prompt [default: setting `system`]'
            cand --max-messages 'Messages sent, the new question included, or `all` [default: setting `max-messages`, 5]'
            cand --effort 'Reasoning effort, sent as reasoning_effort (reasoning tokens are billed as output)'
            cand --max-output 'Most tokens an answer may use, reasoning included (sent as max_completion_tokens, or max_output_tokens to the Responses API)'
            cand --tier 'Service tier, sent as service_tier: flex is about half price and slower, priority (fast) about twice; billed as the tier the response names [default: setting `tier`]'
            cand --api 'Where questions go: chat (Chat Completions), responses (the Responses API), or auto, the Responses API only for models served nowhere else [default: setting `api`, auto]'
            cand -r 'A saved role (`tm role set`): its system prompt, and its model unless -m is given'
            cand --role 'A saved role (`tm role set`): its system prompt, and its model unless -m is given'
            cand -o 'A request field tm does not set itself, such as temperature=0.2 or top_p=0.9 (the value is JSON, else text); repeatable, and kept with the request record'
            cand --option 'A request field tm does not set itself, such as temperature=0.2 or top_p=0.9 (the value is JSON, else text); repeatable, and kept with the request record'
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand --last 'Continue the most recent conversation'
            cand --pick 'Pick one of the recent conversations from a list'
            cand -y 'Send even when the projected cost passes the guard or a budget (settings `guard`, `budget.day`, `budget.month`); without it a terminal asks and anything else refuses'
            cand --yes 'Send even when the projected cost passes the guard or a budget (settings `guard`, `budget.day`, `budget.month`); without it a terminal asks and anything else refuses'
            cand --raw 'Print answers as the model wrote them, without rendering their Markdown on a terminal (the `render` setting, for good)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;image'= {
            cand -m 'Image model [default: setting `image-model`, gpt-image-2]'
            cand --model 'Image model [default: setting `image-model`, gpt-image-2]'
            cand --size 'WIDTHxHEIGHT or auto; which sizes a model makes is checked before sending'
            cand --quality 'low, medium, high or auto (GPT image models); standard or hd (dall-e-3)'
            cand -n 'How many images'
            cand --format 'png, jpeg or webp (GPT image models)'
            cand --background 'transparent, opaque or auto (GPT image models)'
            cand --style 'vivid or natural (dall-e-3)'
            cand -o 'Save to PATH (PATH-1, PATH-2… with -n) instead of tm-image-<id>.<ext> here'
            cand --output 'Save to PATH (PATH-1, PATH-2… with -n) instead of tm-image-<id>.<ext> here'
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand -y 'Send even when the projected cost passes the guard or a budget'
            cand --yes 'Send even when the projected cost passes the guard or a budget'
            cand --json 'Print the records as JSON instead of the paths'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;list'= {
            cand --limit 'Show this many conversations'
            cand --search 'Only conversations whose title or messages contain TEXT'
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand --all 'Show every conversation'
            cand --json 'Print JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;show'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand --tokens 'One row per exchange: messages sent, tokens, estimate, cost, timings'
            cand --json 'Print the conversation, its messages and requests as JSON'
            cand --markdown 'Print the transcript as Markdown'
            cand --last-answer 'Print only the last answer, as the model wrote it (for pipes: `| pbcopy`, `> a.md`)'
            cand --raw 'Print messages as they were written, without rendering their Markdown on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;rename'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;delete'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand -y 'Do not ask (required when stdin is not a terminal)'
            cand --yes 'Do not ask (required when stdin is not a terminal)'
            cand --keep-usage 'Keep the request records, detached, so `tm usage` still counts what they cost'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;usage'= {
            cand --since 'From this day: 7d, 2w, 3m, today, yesterday or a date (2026-11-01)'
            cand --until 'Up to and including this day, in the same forms'
            cand --by 'One row per'
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand --json 'Print JSON'
            cand --csv 'Print CSV'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;status'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand --json 'Print JSON'
            cand --strict 'Fail with the error instead of printing nothing (a prompt must never fail; a script may want to know)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;import'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand tokenmeter 'The original TokenMetered''s database.db (opened read-only, left as it was)'
            cand chatgpt 'A ChatGPT data export: the zip, its folder, conversations.json, or the split conversations-NNN.json files'' folder'
            cand llm 'llm''s logs.db'
            cand tm 'A file written by `tm export` here or on another machine; what is here already is skipped'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tm;import;tokenmeter'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand --with-key 'Also store the API key the file holds (never printed)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;import;chatgpt'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;import;llm'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;import;tm'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;import;help'= {
            cand tokenmeter 'The original TokenMetered''s database.db (opened read-only, left as it was)'
            cand chatgpt 'A ChatGPT data export: the zip, its folder, conversations.json, or the split conversations-NNN.json files'' folder'
            cand llm 'llm''s logs.db'
            cand tm 'A file written by `tm export` here or on another machine; what is here already is skipped'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tm;import;help;tokenmeter'= {
        }
        &'tm;import;help;chatgpt'= {
        }
        &'tm;import;help;llm'= {
        }
        &'tm;import;help;tm'= {
        }
        &'tm;import;help;help'= {
        }
        &'tm;export'= {
            cand --since 'Only conversations active since this local day: 30d, 2w, 3m, yesterday or a date'
            cand --format 'format'
            cand -o 'Write to this file instead of stdout (written whole, or not at all)'
            cand --output 'Write to this file instead of stdout (written whole, or not at all)'
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;role'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand set 'Save a role, replacing one of the same name'
            cand list 'Every saved role'
            cand remove 'Remove a saved role'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tm;role;set'= {
            cand -m 'The model the role asks with, unless -m is given'
            cand --model 'The model the role asks with, unless -m is given'
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;role;list'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand --json 'Print JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;role;remove'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;role;help'= {
            cand set 'Save a role, replacing one of the same name'
            cand list 'Every saved role'
            cand remove 'Remove a saved role'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tm;role;help;set'= {
        }
        &'tm;role;help;list'= {
        }
        &'tm;role;help;remove'= {
        }
        &'tm;role;help;help'= {
        }
        &'tm;config'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'Every setting, its value and where the value came from'
            cand get 'Print one setting''s value'
            cand set 'Store a setting; `set api-key` without a value asks for it hidden, or reads piped stdin'
            cand unset 'Remove a stored setting'
            cand path 'Where the database, the key file and downloaded data live'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tm;config;list'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand --json 'Print JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;config;get'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;config;set'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;config;unset'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;config;path'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;config;help'= {
            cand list 'Every setting, its value and where the value came from'
            cand get 'Print one setting''s value'
            cand set 'Store a setting; `set api-key` without a value asks for it hidden, or reads piped stdin'
            cand unset 'Remove a stored setting'
            cand path 'Where the database, the key file and downloaded data live'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tm;config;help;list'= {
        }
        &'tm;config;help;get'= {
        }
        &'tm;config;help;set'= {
        }
        &'tm;config;help;unset'= {
        }
        &'tm;config;help;path'= {
        }
        &'tm;config;help;help'= {
        }
        &'tm;prices'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand --update 'Download the current price table (setting `prices-url`) and use it from now on'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;models'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand --known 'Without asking the server: every chat model of the price table'
            cand --json 'Print JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;completions'= {
            cand --db 'The history database [default: $XDG_DATA_HOME/tm/tm.db]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tm;help'= {
            cand ask 'Ask one question; the answer streams to stdout (piped stdin is read too)'
            cand chat 'An interactive conversation; a new one unless --conv, --last or --pick'
            cand image 'Generate images, save them, and record what they cost'
            cand list 'Conversations, newest first, with their tokens and cost'
            cand show 'A conversation''s transcript with the tokens of every message'
            cand rename 'Retitle a conversation'
            cand delete 'Delete conversations with their messages and request records'
            cand usage 'Tokens and cost by day, week, month, model, conversation or service tier'
            cand status 'One line for a shell prompt: today''s and this month''s cost, and the budgets'
            cand import 'Bring conversations in: from the original TokenMetered, ChatGPT, llm, or a tm export'
            cand export 'Write conversations out, as JSON lines for `tm import tm` or as Markdown'
            cand role 'Saved roles: a named system prompt with an optional model, for `ask -r` and `/role`'
            cand config 'Show or change settings'
            cand prices 'The price table in use, its source and date (per-size image entries: `tm prices NAME`)'
            cand models 'The models the server offers, with their prices, context window and API'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tm;help;ask'= {
        }
        &'tm;help;chat'= {
        }
        &'tm;help;image'= {
        }
        &'tm;help;list'= {
        }
        &'tm;help;show'= {
        }
        &'tm;help;rename'= {
        }
        &'tm;help;delete'= {
        }
        &'tm;help;usage'= {
        }
        &'tm;help;status'= {
        }
        &'tm;help;import'= {
            cand tokenmeter 'The original TokenMetered''s database.db (opened read-only, left as it was)'
            cand chatgpt 'A ChatGPT data export: the zip, its folder, conversations.json, or the split conversations-NNN.json files'' folder'
            cand llm 'llm''s logs.db'
            cand tm 'A file written by `tm export` here or on another machine; what is here already is skipped'
        }
        &'tm;help;import;tokenmeter'= {
        }
        &'tm;help;import;chatgpt'= {
        }
        &'tm;help;import;llm'= {
        }
        &'tm;help;import;tm'= {
        }
        &'tm;help;export'= {
        }
        &'tm;help;role'= {
            cand set 'Save a role, replacing one of the same name'
            cand list 'Every saved role'
            cand remove 'Remove a saved role'
        }
        &'tm;help;role;set'= {
        }
        &'tm;help;role;list'= {
        }
        &'tm;help;role;remove'= {
        }
        &'tm;help;config'= {
            cand list 'Every setting, its value and where the value came from'
            cand get 'Print one setting''s value'
            cand set 'Store a setting; `set api-key` without a value asks for it hidden, or reads piped stdin'
            cand unset 'Remove a stored setting'
            cand path 'Where the database, the key file and downloaded data live'
        }
        &'tm;help;config;list'= {
        }
        &'tm;help;config;get'= {
        }
        &'tm;help;config;set'= {
        }
        &'tm;help;config;unset'= {
        }
        &'tm;help;config;path'= {
        }
        &'tm;help;prices'= {
        }
        &'tm;help;models'= {
        }
        &'tm;help;completions'= {
        }
        &'tm;help;help'= {
        }
    ]
    $completions[$command]
}
