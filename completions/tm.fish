# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_tm_global_optspecs
    string join \n db= h/help V/version
end

function __fish_tm_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_tm_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_tm_using_subcommand
    set -l cmd (__fish_tm_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c tm -n "__fish_tm_needs_command" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_needs_command" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_needs_command" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_needs_command" -f -a "ask" -d 'Ask one question; the answer streams to stdout (piped stdin is read too)'
complete -c tm -n "__fish_tm_needs_command" -f -a "chat" -d 'An interactive conversation; a new one unless --conv, --last or --pick'
complete -c tm -n "__fish_tm_needs_command" -f -a "image" -d 'Generate images, save them, and record what they cost'
complete -c tm -n "__fish_tm_needs_command" -f -a "list" -d 'Conversations, newest first, with their tokens and cost'
complete -c tm -n "__fish_tm_needs_command" -f -a "show" -d 'A conversation\'s transcript with the tokens of every message'
complete -c tm -n "__fish_tm_needs_command" -f -a "rename" -d 'Retitle a conversation'
complete -c tm -n "__fish_tm_needs_command" -f -a "delete" -d 'Delete conversations with their messages and request records'
complete -c tm -n "__fish_tm_needs_command" -f -a "usage" -d 'Tokens and cost by day, week, month, model, conversation or service tier'
complete -c tm -n "__fish_tm_needs_command" -f -a "status" -d 'One line for a shell prompt: today\'s and this month\'s cost, and the budgets'
complete -c tm -n "__fish_tm_needs_command" -f -a "import" -d 'Bring conversations in: from the original TokenMetered, ChatGPT, llm, or a tm export'
complete -c tm -n "__fish_tm_needs_command" -f -a "export" -d 'Write conversations out, as JSON lines for `tm import tm` or as Markdown'
complete -c tm -n "__fish_tm_needs_command" -f -a "role" -d 'Saved roles: a named system prompt with an optional model, for `ask -r` and `/role`'
complete -c tm -n "__fish_tm_needs_command" -f -a "config" -d 'Show or change settings'
complete -c tm -n "__fish_tm_needs_command" -f -a "prices" -d 'The price table in use, its source and date (per-size image entries: `tm prices NAME`)'
complete -c tm -n "__fish_tm_needs_command" -f -a "models" -d 'The models the server offers, with their prices, context window and API'
complete -c tm -n "__fish_tm_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c tm -n "__fish_tm_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tm -n "__fish_tm_using_subcommand ask" -l conv -d 'Continue this conversation' -r
complete -c tm -n "__fish_tm_using_subcommand ask" -s m -l model -d 'Chat model [default: TM_MODEL, else setting `model`, gpt-5.4-mini]' -r
complete -c tm -n "__fish_tm_using_subcommand ask" -s s -l system -d 'System prompt [default: setting `system`]' -r
complete -c tm -n "__fish_tm_using_subcommand ask" -l max-messages -d 'Messages sent, the new question included, or `all` [default: setting `max-messages`, 5]' -r
complete -c tm -n "__fish_tm_using_subcommand ask" -l effort -d 'Reasoning effort, sent as reasoning_effort (reasoning tokens are billed as output)' -r -f -a "none\t''
minimal\t''
low\t''
medium\t''
high\t''
xhigh\t''"
complete -c tm -n "__fish_tm_using_subcommand ask" -l max-output -d 'Most tokens an answer may use, reasoning included (sent as max_completion_tokens, or max_output_tokens to the Responses API)' -r
complete -c tm -n "__fish_tm_using_subcommand ask" -l tier -d 'Service tier, sent as service_tier: flex is about half price and slower, priority (fast) about twice; billed as the tier the response names [default: setting `tier`]' -r -f -a "auto\t''
default\t''
flex\t''
priority\t''
fast\t''"
complete -c tm -n "__fish_tm_using_subcommand ask" -l api -d 'Where questions go: chat (Chat Completions), responses (the Responses API), or auto, the Responses API only for models served nowhere else [default: setting `api`, auto]' -r -f -a "auto\t''
chat\t''
responses\t''"
complete -c tm -n "__fish_tm_using_subcommand ask" -s r -l role -d 'A saved role (`tm role set`): its system prompt, and its model unless -m is given' -r
complete -c tm -n "__fish_tm_using_subcommand ask" -s o -l option -d 'A request field tm does not set itself, such as temperature=0.2 or top_p=0.9 (the value is JSON, else text); repeatable, and kept with the request record' -r
complete -c tm -n "__fish_tm_using_subcommand ask" -l context-tokens -d 'Drop the oldest history messages until the prompt\'s estimate fits this many tokens' -r
complete -c tm -n "__fish_tm_using_subcommand ask" -s a -l attach -d 'Attach a file: an image (PNG, JPEG, GIF, WebP), a PDF or a UTF-8 text file; repeatable' -r -F
complete -c tm -n "__fish_tm_using_subcommand ask" -l detail -d 'How closely the model looks at attached images (low costs least)' -r -f -a "low\t''
high\t''
auto\t''"
complete -c tm -n "__fish_tm_using_subcommand ask" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand ask" -s c -l continue -d 'Continue the most recent conversation'
complete -c tm -n "__fish_tm_using_subcommand ask" -l retry -d 'Send the conversation\'s last question again, when it failed (the most recent conversation unless --conv)'
complete -c tm -n "__fish_tm_using_subcommand ask" -s y -l yes -d 'Send even when the projected cost passes the guard or a budget (settings `guard`, `budget.day`, `budget.month`); without it a terminal asks and anything else refuses'
complete -c tm -n "__fish_tm_using_subcommand ask" -l raw -d 'Print answers as the model wrote them, without rendering their Markdown on a terminal (the `render` setting, for good)'
complete -c tm -n "__fish_tm_using_subcommand ask" -s e -l editor -d 'Write the question in $VISUAL or $EDITOR (vi without either), starting from the words; an empty file sends nothing'
complete -c tm -n "__fish_tm_using_subcommand ask" -l no-stream -d 'Wait for the whole answer instead of streaming it'
complete -c tm -n "__fish_tm_using_subcommand ask" -l dry-run -d 'Send nothing: show the messages that would go, their estimated tokens and cost'
complete -c tm -n "__fish_tm_using_subcommand ask" -l json -d 'Print one JSON object instead of the streamed answer: the answer with its request record (with --dry-run: the plan)'
complete -c tm -n "__fish_tm_using_subcommand ask" -s q -l quiet -d 'No summary line on stderr'
complete -c tm -n "__fish_tm_using_subcommand ask" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand ask" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand chat" -l conv -d 'Continue this conversation' -r
complete -c tm -n "__fish_tm_using_subcommand chat" -s m -l model -d 'Chat model [default: TM_MODEL, else setting `model`, gpt-5.4-mini]' -r
complete -c tm -n "__fish_tm_using_subcommand chat" -s s -l system -d 'System prompt [default: setting `system`]' -r
complete -c tm -n "__fish_tm_using_subcommand chat" -l max-messages -d 'Messages sent, the new question included, or `all` [default: setting `max-messages`, 5]' -r
complete -c tm -n "__fish_tm_using_subcommand chat" -l effort -d 'Reasoning effort, sent as reasoning_effort (reasoning tokens are billed as output)' -r -f -a "none\t''
minimal\t''
low\t''
medium\t''
high\t''
xhigh\t''"
complete -c tm -n "__fish_tm_using_subcommand chat" -l max-output -d 'Most tokens an answer may use, reasoning included (sent as max_completion_tokens, or max_output_tokens to the Responses API)' -r
complete -c tm -n "__fish_tm_using_subcommand chat" -l tier -d 'Service tier, sent as service_tier: flex is about half price and slower, priority (fast) about twice; billed as the tier the response names [default: setting `tier`]' -r -f -a "auto\t''
default\t''
flex\t''
priority\t''
fast\t''"
complete -c tm -n "__fish_tm_using_subcommand chat" -l api -d 'Where questions go: chat (Chat Completions), responses (the Responses API), or auto, the Responses API only for models served nowhere else [default: setting `api`, auto]' -r -f -a "auto\t''
chat\t''
responses\t''"
complete -c tm -n "__fish_tm_using_subcommand chat" -s r -l role -d 'A saved role (`tm role set`): its system prompt, and its model unless -m is given' -r
complete -c tm -n "__fish_tm_using_subcommand chat" -s o -l option -d 'A request field tm does not set itself, such as temperature=0.2 or top_p=0.9 (the value is JSON, else text); repeatable, and kept with the request record' -r
complete -c tm -n "__fish_tm_using_subcommand chat" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand chat" -l last -d 'Continue the most recent conversation'
complete -c tm -n "__fish_tm_using_subcommand chat" -l pick -d 'Pick one of the recent conversations from a list'
complete -c tm -n "__fish_tm_using_subcommand chat" -s y -l yes -d 'Send even when the projected cost passes the guard or a budget (settings `guard`, `budget.day`, `budget.month`); without it a terminal asks and anything else refuses'
complete -c tm -n "__fish_tm_using_subcommand chat" -l raw -d 'Print answers as the model wrote them, without rendering their Markdown on a terminal (the `render` setting, for good)'
complete -c tm -n "__fish_tm_using_subcommand chat" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand chat" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand image" -s m -l model -d 'Image model [default: setting `image-model`, gpt-image-2]' -r
complete -c tm -n "__fish_tm_using_subcommand image" -l size -d 'WIDTHxHEIGHT or auto; which sizes a model makes is checked before sending' -r
complete -c tm -n "__fish_tm_using_subcommand image" -l quality -d 'low, medium, high or auto (GPT image models); standard or hd (dall-e-3)' -r
complete -c tm -n "__fish_tm_using_subcommand image" -s n -d 'How many images' -r
complete -c tm -n "__fish_tm_using_subcommand image" -l format -d 'png, jpeg or webp (GPT image models)' -r
complete -c tm -n "__fish_tm_using_subcommand image" -l background -d 'transparent, opaque or auto (GPT image models)' -r
complete -c tm -n "__fish_tm_using_subcommand image" -l style -d 'vivid or natural (dall-e-3)' -r
complete -c tm -n "__fish_tm_using_subcommand image" -s o -l output -d 'Save to PATH (PATH-1, PATH-2… with -n) instead of tm-image-<id>.<ext> here' -r -F
complete -c tm -n "__fish_tm_using_subcommand image" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand image" -s y -l yes -d 'Send even when the projected cost passes the guard or a budget'
complete -c tm -n "__fish_tm_using_subcommand image" -l json -d 'Print the records as JSON instead of the paths'
complete -c tm -n "__fish_tm_using_subcommand image" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand image" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand list" -l limit -d 'Show this many conversations' -r
complete -c tm -n "__fish_tm_using_subcommand list" -l search -d 'Only conversations whose title or messages contain TEXT' -r
complete -c tm -n "__fish_tm_using_subcommand list" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand list" -l all -d 'Show every conversation'
complete -c tm -n "__fish_tm_using_subcommand list" -l json -d 'Print JSON'
complete -c tm -n "__fish_tm_using_subcommand list" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand list" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand show" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand show" -l tokens -d 'One row per exchange: messages sent, tokens, estimate, cost, timings'
complete -c tm -n "__fish_tm_using_subcommand show" -l json -d 'Print the conversation, its messages and requests as JSON'
complete -c tm -n "__fish_tm_using_subcommand show" -l markdown -d 'Print the transcript as Markdown'
complete -c tm -n "__fish_tm_using_subcommand show" -l last-answer -d 'Print only the last answer, as the model wrote it (for pipes: `| pbcopy`, `> a.md`)'
complete -c tm -n "__fish_tm_using_subcommand show" -l raw -d 'Print messages as they were written, without rendering their Markdown on a terminal'
complete -c tm -n "__fish_tm_using_subcommand show" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand show" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand rename" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand rename" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand rename" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand delete" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand delete" -s y -l yes -d 'Do not ask (required when stdin is not a terminal)'
complete -c tm -n "__fish_tm_using_subcommand delete" -l keep-usage -d 'Keep the request records, detached, so `tm usage` still counts what they cost'
complete -c tm -n "__fish_tm_using_subcommand delete" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand delete" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand usage" -l since -d 'From this day: 7d, 2w, 3m, today, yesterday or a date (2026-11-01)' -r
complete -c tm -n "__fish_tm_using_subcommand usage" -l until -d 'Up to and including this day, in the same forms' -r
complete -c tm -n "__fish_tm_using_subcommand usage" -l by -d 'One row per' -r -f -a "day\t''
week\t''
month\t''
model\t''
conversation\t''
tier\t''"
complete -c tm -n "__fish_tm_using_subcommand usage" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand usage" -l json -d 'Print JSON'
complete -c tm -n "__fish_tm_using_subcommand usage" -l csv -d 'Print CSV'
complete -c tm -n "__fish_tm_using_subcommand usage" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand usage" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand status" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand status" -l json -d 'Print JSON'
complete -c tm -n "__fish_tm_using_subcommand status" -l strict -d 'Fail with the error instead of printing nothing (a prompt must never fail; a script may want to know)'
complete -c tm -n "__fish_tm_using_subcommand status" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand status" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand import; and not __fish_seen_subcommand_from tokenmeter chatgpt llm tm help" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand import; and not __fish_seen_subcommand_from tokenmeter chatgpt llm tm help" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand import; and not __fish_seen_subcommand_from tokenmeter chatgpt llm tm help" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand import; and not __fish_seen_subcommand_from tokenmeter chatgpt llm tm help" -f -a "tokenmeter" -d 'The original TokenMetered\'s database.db (opened read-only, left as it was)'
complete -c tm -n "__fish_tm_using_subcommand import; and not __fish_seen_subcommand_from tokenmeter chatgpt llm tm help" -f -a "chatgpt" -d 'A ChatGPT data export: the zip, its folder, conversations.json, or the split conversations-NNN.json files\' folder'
complete -c tm -n "__fish_tm_using_subcommand import; and not __fish_seen_subcommand_from tokenmeter chatgpt llm tm help" -f -a "llm" -d 'llm\'s logs.db'
complete -c tm -n "__fish_tm_using_subcommand import; and not __fish_seen_subcommand_from tokenmeter chatgpt llm tm help" -f -a "tm" -d 'A file written by `tm export` here or on another machine; what is here already is skipped'
complete -c tm -n "__fish_tm_using_subcommand import; and not __fish_seen_subcommand_from tokenmeter chatgpt llm tm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tm -n "__fish_tm_using_subcommand import; and __fish_seen_subcommand_from tokenmeter" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand import; and __fish_seen_subcommand_from tokenmeter" -l with-key -d 'Also store the API key the file holds (never printed)'
complete -c tm -n "__fish_tm_using_subcommand import; and __fish_seen_subcommand_from tokenmeter" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand import; and __fish_seen_subcommand_from tokenmeter" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand import; and __fish_seen_subcommand_from chatgpt" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand import; and __fish_seen_subcommand_from chatgpt" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand import; and __fish_seen_subcommand_from chatgpt" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand import; and __fish_seen_subcommand_from llm" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand import; and __fish_seen_subcommand_from llm" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand import; and __fish_seen_subcommand_from llm" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand import; and __fish_seen_subcommand_from tm" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand import; and __fish_seen_subcommand_from tm" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand import; and __fish_seen_subcommand_from tm" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand import; and __fish_seen_subcommand_from help" -f -a "tokenmeter" -d 'The original TokenMetered\'s database.db (opened read-only, left as it was)'
complete -c tm -n "__fish_tm_using_subcommand import; and __fish_seen_subcommand_from help" -f -a "chatgpt" -d 'A ChatGPT data export: the zip, its folder, conversations.json, or the split conversations-NNN.json files\' folder'
complete -c tm -n "__fish_tm_using_subcommand import; and __fish_seen_subcommand_from help" -f -a "llm" -d 'llm\'s logs.db'
complete -c tm -n "__fish_tm_using_subcommand import; and __fish_seen_subcommand_from help" -f -a "tm" -d 'A file written by `tm export` here or on another machine; what is here already is skipped'
complete -c tm -n "__fish_tm_using_subcommand import; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tm -n "__fish_tm_using_subcommand export" -l since -d 'Only conversations active since this local day: 30d, 2w, 3m, yesterday or a date' -r
complete -c tm -n "__fish_tm_using_subcommand export" -l format -r -f -a "jsonl\t'One JSON object per conversation, with its messages, files and requests'
markdown\t'The transcripts, as `tm show --markdown` prints them'"
complete -c tm -n "__fish_tm_using_subcommand export" -s o -l output -d 'Write to this file instead of stdout (written whole, or not at all)' -r -F
complete -c tm -n "__fish_tm_using_subcommand export" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tm -n "__fish_tm_using_subcommand export" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand role; and not __fish_seen_subcommand_from set list remove help" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand role; and not __fish_seen_subcommand_from set list remove help" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand role; and not __fish_seen_subcommand_from set list remove help" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand role; and not __fish_seen_subcommand_from set list remove help" -f -a "set" -d 'Save a role, replacing one of the same name'
complete -c tm -n "__fish_tm_using_subcommand role; and not __fish_seen_subcommand_from set list remove help" -f -a "list" -d 'Every saved role'
complete -c tm -n "__fish_tm_using_subcommand role; and not __fish_seen_subcommand_from set list remove help" -f -a "remove" -d 'Remove a saved role'
complete -c tm -n "__fish_tm_using_subcommand role; and not __fish_seen_subcommand_from set list remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tm -n "__fish_tm_using_subcommand role; and __fish_seen_subcommand_from set" -s m -l model -d 'The model the role asks with, unless -m is given' -r
complete -c tm -n "__fish_tm_using_subcommand role; and __fish_seen_subcommand_from set" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand role; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand role; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand role; and __fish_seen_subcommand_from list" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand role; and __fish_seen_subcommand_from list" -l json -d 'Print JSON'
complete -c tm -n "__fish_tm_using_subcommand role; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand role; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand role; and __fish_seen_subcommand_from remove" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand role; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand role; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand role; and __fish_seen_subcommand_from help" -f -a "set" -d 'Save a role, replacing one of the same name'
complete -c tm -n "__fish_tm_using_subcommand role; and __fish_seen_subcommand_from help" -f -a "list" -d 'Every saved role'
complete -c tm -n "__fish_tm_using_subcommand role; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a saved role'
complete -c tm -n "__fish_tm_using_subcommand role; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tm -n "__fish_tm_using_subcommand config; and not __fish_seen_subcommand_from list get set unset path help" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand config; and not __fish_seen_subcommand_from list get set unset path help" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand config; and not __fish_seen_subcommand_from list get set unset path help" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand config; and not __fish_seen_subcommand_from list get set unset path help" -f -a "list" -d 'Every setting, its value and where the value came from'
complete -c tm -n "__fish_tm_using_subcommand config; and not __fish_seen_subcommand_from list get set unset path help" -f -a "get" -d 'Print one setting\'s value'
complete -c tm -n "__fish_tm_using_subcommand config; and not __fish_seen_subcommand_from list get set unset path help" -f -a "set" -d 'Store a setting; `set api-key` without a value asks for it hidden, or reads piped stdin'
complete -c tm -n "__fish_tm_using_subcommand config; and not __fish_seen_subcommand_from list get set unset path help" -f -a "unset" -d 'Remove a stored setting'
complete -c tm -n "__fish_tm_using_subcommand config; and not __fish_seen_subcommand_from list get set unset path help" -f -a "path" -d 'Where the database, the key file and downloaded data live'
complete -c tm -n "__fish_tm_using_subcommand config; and not __fish_seen_subcommand_from list get set unset path help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from list" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from list" -l json -d 'Print JSON'
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from get" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from get" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from set" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from unset" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from unset" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from unset" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from path" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from path" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "list" -d 'Every setting, its value and where the value came from'
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "get" -d 'Print one setting\'s value'
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "set" -d 'Store a setting; `set api-key` without a value asks for it hidden, or reads piped stdin'
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "unset" -d 'Remove a stored setting'
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "path" -d 'Where the database, the key file and downloaded data live'
complete -c tm -n "__fish_tm_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tm -n "__fish_tm_using_subcommand prices" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand prices" -l update -d 'Download the current price table (setting `prices-url`) and use it from now on'
complete -c tm -n "__fish_tm_using_subcommand prices" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand prices" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand models" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand models" -l known -d 'Without asking the server: every chat model of the price table'
complete -c tm -n "__fish_tm_using_subcommand models" -l json -d 'Print JSON'
complete -c tm -n "__fish_tm_using_subcommand models" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand models" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand completions" -l db -d 'The history database [default: $XDG_DATA_HOME/tm/tm.db]' -r -F
complete -c tm -n "__fish_tm_using_subcommand completions" -s h -l help -d 'Print help'
complete -c tm -n "__fish_tm_using_subcommand completions" -s V -l version -d 'Print version'
complete -c tm -n "__fish_tm_using_subcommand help; and not __fish_seen_subcommand_from ask chat image list show rename delete usage status import export role config prices models completions help" -f -a "ask" -d 'Ask one question; the answer streams to stdout (piped stdin is read too)'
complete -c tm -n "__fish_tm_using_subcommand help; and not __fish_seen_subcommand_from ask chat image list show rename delete usage status import export role config prices models completions help" -f -a "chat" -d 'An interactive conversation; a new one unless --conv, --last or --pick'
complete -c tm -n "__fish_tm_using_subcommand help; and not __fish_seen_subcommand_from ask chat image list show rename delete usage status import export role config prices models completions help" -f -a "image" -d 'Generate images, save them, and record what they cost'
complete -c tm -n "__fish_tm_using_subcommand help; and not __fish_seen_subcommand_from ask chat image list show rename delete usage status import export role config prices models completions help" -f -a "list" -d 'Conversations, newest first, with their tokens and cost'
complete -c tm -n "__fish_tm_using_subcommand help; and not __fish_seen_subcommand_from ask chat image list show rename delete usage status import export role config prices models completions help" -f -a "show" -d 'A conversation\'s transcript with the tokens of every message'
complete -c tm -n "__fish_tm_using_subcommand help; and not __fish_seen_subcommand_from ask chat image list show rename delete usage status import export role config prices models completions help" -f -a "rename" -d 'Retitle a conversation'
complete -c tm -n "__fish_tm_using_subcommand help; and not __fish_seen_subcommand_from ask chat image list show rename delete usage status import export role config prices models completions help" -f -a "delete" -d 'Delete conversations with their messages and request records'
complete -c tm -n "__fish_tm_using_subcommand help; and not __fish_seen_subcommand_from ask chat image list show rename delete usage status import export role config prices models completions help" -f -a "usage" -d 'Tokens and cost by day, week, month, model, conversation or service tier'
complete -c tm -n "__fish_tm_using_subcommand help; and not __fish_seen_subcommand_from ask chat image list show rename delete usage status import export role config prices models completions help" -f -a "status" -d 'One line for a shell prompt: today\'s and this month\'s cost, and the budgets'
complete -c tm -n "__fish_tm_using_subcommand help; and not __fish_seen_subcommand_from ask chat image list show rename delete usage status import export role config prices models completions help" -f -a "import" -d 'Bring conversations in: from the original TokenMetered, ChatGPT, llm, or a tm export'
complete -c tm -n "__fish_tm_using_subcommand help; and not __fish_seen_subcommand_from ask chat image list show rename delete usage status import export role config prices models completions help" -f -a "export" -d 'Write conversations out, as JSON lines for `tm import tm` or as Markdown'
complete -c tm -n "__fish_tm_using_subcommand help; and not __fish_seen_subcommand_from ask chat image list show rename delete usage status import export role config prices models completions help" -f -a "role" -d 'Saved roles: a named system prompt with an optional model, for `ask -r` and `/role`'
complete -c tm -n "__fish_tm_using_subcommand help; and not __fish_seen_subcommand_from ask chat image list show rename delete usage status import export role config prices models completions help" -f -a "config" -d 'Show or change settings'
complete -c tm -n "__fish_tm_using_subcommand help; and not __fish_seen_subcommand_from ask chat image list show rename delete usage status import export role config prices models completions help" -f -a "prices" -d 'The price table in use, its source and date (per-size image entries: `tm prices NAME`)'
complete -c tm -n "__fish_tm_using_subcommand help; and not __fish_seen_subcommand_from ask chat image list show rename delete usage status import export role config prices models completions help" -f -a "models" -d 'The models the server offers, with their prices, context window and API'
complete -c tm -n "__fish_tm_using_subcommand help; and not __fish_seen_subcommand_from ask chat image list show rename delete usage status import export role config prices models completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c tm -n "__fish_tm_using_subcommand help; and not __fish_seen_subcommand_from ask chat image list show rename delete usage status import export role config prices models completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tm -n "__fish_tm_using_subcommand help; and __fish_seen_subcommand_from import" -f -a "tokenmeter" -d 'The original TokenMetered\'s database.db (opened read-only, left as it was)'
complete -c tm -n "__fish_tm_using_subcommand help; and __fish_seen_subcommand_from import" -f -a "chatgpt" -d 'A ChatGPT data export: the zip, its folder, conversations.json, or the split conversations-NNN.json files\' folder'
complete -c tm -n "__fish_tm_using_subcommand help; and __fish_seen_subcommand_from import" -f -a "llm" -d 'llm\'s logs.db'
complete -c tm -n "__fish_tm_using_subcommand help; and __fish_seen_subcommand_from import" -f -a "tm" -d 'A file written by `tm export` here or on another machine; what is here already is skipped'
complete -c tm -n "__fish_tm_using_subcommand help; and __fish_seen_subcommand_from role" -f -a "set" -d 'Save a role, replacing one of the same name'
complete -c tm -n "__fish_tm_using_subcommand help; and __fish_seen_subcommand_from role" -f -a "list" -d 'Every saved role'
complete -c tm -n "__fish_tm_using_subcommand help; and __fish_seen_subcommand_from role" -f -a "remove" -d 'Remove a saved role'
complete -c tm -n "__fish_tm_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "list" -d 'Every setting, its value and where the value came from'
complete -c tm -n "__fish_tm_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "get" -d 'Print one setting\'s value'
complete -c tm -n "__fish_tm_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "set" -d 'Store a setting; `set api-key` without a value asks for it hidden, or reads piped stdin'
complete -c tm -n "__fish_tm_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "unset" -d 'Remove a stored setting'
complete -c tm -n "__fish_tm_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "path" -d 'Where the database, the key file and downloaded data live'
