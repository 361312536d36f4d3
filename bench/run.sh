#!/usr/bin/env bash
# The benchmark of issue 7: builds in release mode, generates a small and a large history
# through tm's own store code, times every case with hyperfine, measures peak RSS with GNU
# time, and prints one table. Not part of the test suite. Usage: bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine > /dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time; }
cargo build --release --locked --quiet --bin tm --example generate_history
work=$(mktemp -d)
trap 'kill $server 2> /dev/null; rm -rf "$work"' EXIT
tm=$PWD/target/release/tm
export XDG_DATA_HOME=$work/data XDG_CONFIG_HOME=$work/config OPENAI_API_KEY=sk-bench NO_COLOR=1
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 bench/fake_openai.py "$port" "$work/last-byte" & server=$!
export OPENAI_BASE_URL=http://127.0.0.1:$port/v1

# size conversations messages
declare -A shape=([small]="500 10000" [large]="20000 1000000")
for size in small large; do
  read -r conversations messages <<< "${shape[$size]}"
  ./target/release/examples/generate_history --db "$work/$size.db" \
    --conversations "$conversations" --messages "$messages" --days 365 --seed 42
  # The same history with budgets and a guard that a question never reaches.
  cp "$work/$size.db" "$work/$size-budgets.db"
  for setting in "budget.day 100" "budget.month 1000" "guard 10"; do
    # shellcheck disable=SC2086
    "$tm" --db "$work/$size-budgets.db" config set $setting
  done
done

# The search index's pages against the rest of the file (SQLite's dbstat, read-only), before
# the cases below add their answers to it.
python3 - "$work/large.db" << 'EOF'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
pages = dict(db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
index = sum(size for name, size in pages.items() if "_search" in name)
rest = sum(pages.values()) - index
print(f"search index (large): {index / 1e6:.1f} MB, {100 * index / rest:.1f} % of the rest of the database (target 15 %)")
EOF

# case|command|target
cases=(
  "tm --version (process start)|tm --version|floor"
  "list|tm list|15 ms"
  "list --search (a common word)|tm list --search closure|50 ms"
  "list --search (a rare word)|tm list --search zeppelin|50 ms"
  "list --search (no match)|tm list --search zebra|50 ms"
  "list --search (Korean, common)|tm list --search 데이터|50 ms"
  "list --search (Korean, rare)|tm list --search 비행선|50 ms"
  "list --search (Chinese, common)|tm list --search 数据库|50 ms"
  "list --search (Chinese, rare)|tm list --search 飞艇|50 ms"
  "list --search (Japanese, common)|tm list --search 東京|50 ms"
  "list --search (Japanese, rare)|tm list --search 飛行船|50 ms"
  "show (2,000 messages)|tm show 1|50 ms"
  "usage --by day|tm usage --since 365d --by day|60 ms"
  "usage --by model|tm usage --since 365d --by model|60 ms"
  "ask hello|tm ask -q --conv 2 hello|25 ms, 30 MB"
  "ask hello (Responses API)|tm ask -q --conv 2 --api responses hello|within 10 % of ask hello"
  "ask hello (budgets, guard)|tm --db @budgets ask -q --conv 2 hello|within 10 % of ask hello"
  "status (budgets)|tm --db @budgets status|5 ms"
  "ask --dry-run (50 messages)|tm ask --dry-run --conv 2 --max-messages all next|150 ms"
  "1 MB answer, after its last byte|tm ask -q --conv 2 --max-messages 1 1MB please|100 ms, 40 MB"
  "1 MB answer, rendered on a pty|tm ask -q --conv 2 --max-messages 1 1MB please|100 ms, 40 MB"
  "1 MB Markdown, rendered on a pty|tm ask -q --conv 2 --max-messages 1 1MB Markdown please|as raw"
  "1 MB Markdown --raw, on a pty|tm ask -q --conv 2 --max-messages 1 --raw 1MB Markdown please|"
  "ask hello, rendered on a pty|tm ask -q --conv 2 --max-messages 1 hello|first text as --raw"
  "ask hello --raw, on a pty|tm ask -q --conv 2 --max-messages 1 --raw hello|"
  "15 MB answer, streamed|tm ask -q --conv 2 --max-messages 1 15MB please|peak under 2× the answer"
  "15 MB answer, --no-stream|tm ask -q --conv 2 --max-messages 1 --no-stream 15MB please|peak under 2× the answer"
)
printf '%-34s %-6s %9s %9s %9s %9s  %s\n' case size median min max 'peak RSS' target
for size in small large; do
  for entry in "${cases[@]}"; do
    IFS='|' read -r name command target <<< "$entry"
    command=${command/#tm /$tm }
    command=${command/@budgets/$work/$size-budgets.db}
    export TM_DB=$work/$size.db
    if [[ $name == *"on a pty" ]]; then
      # stdout on a pseudo-terminal, where tm renders Markdown: from the server's last byte
      # to tm's exit, and from tm's start to the first text on the terminal; the peak RSS
      # of one more run under script(1), which gives it a terminal too.
      read -r median min max first < <(python3 bench/after_last_byte.py --pty "$work/last-byte" 15 $command)
      env -u NO_COLOR script -qec "stty cols 120; /usr/bin/time -f %M -o $work/rss $command" /dev/null > /dev/null
      printf '%-34s %-6s %6s ms %6s ms %6s ms %6.1f MB  %s\n' "$name" "$size" "$median" "$min" "$max" "$(awk "BEGIN { print $(cat "$work/rss") / 1024 }")" "$target"
      printf '%-34s %-6s %6s ms\n' "  first text on the terminal" "$size" "$first"
      continue
    elif [[ $name == "1 MB answer"* ]]; then
      # From the server's last byte to tm's exit, not from tm's start.
      read -r median min max < <(python3 bench/after_last_byte.py "$work/last-byte" 15 $command)
    else
      # Each 15 MB run keeps another 15 MB answer: three are enough to see its time.
      if [[ $name == "15 MB answer"* ]]; then runs=(--runs 3); else runs=(--warmup 3 --runs 15); fi
      hyperfine -N "${runs[@]}" --export-json "$work/run.json" "$command" > /dev/null 2>&1
      read -r median min max < <(python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["results"][0]; print(*(f"{r[k] * 1000:.1f}" for k in ("median", "min", "max")))' "$work/run.json")
    fi
    rss=$(/usr/bin/time -f %M $command 2>&1 > /dev/null | tail -n 1)
    printf '%-34s %-6s %6s ms %6s ms %6s ms %6.1f MB  %s\n' "$name" "$size" "$median" "$min" "$max" "$(awk "BEGIN { print $rss / 1024 }")" "$target"
    case $name in
      "tm --version"*) floor=$median ;;
      "ask hello") chat=$median; printf '%-34s %-6s %9s\n' "ask hello / tm --version" "$size" "$(awk "BEGIN { printf \"%.1f×\", $median / $floor }")  target 3×" ;;
      "ask hello (budgets, guard)") printf '%-34s %-6s %9s\n' "budgets and guard / without" "$size" "$(awk "BEGIN { printf \"%+.1f %%\", 100 * ($median / $chat - 1) }")  target within 10 %" ;;
      "ask hello (Responses API)") printf '%-34s %-6s %9s\n' "Responses / Chat Completions" "$size" "$(awk "BEGIN { printf \"%+.1f %%\", 100 * ($median / $chat - 1) }")  target within 10 %" ;;
    esac
  done
done
# An import of 10,000 conversations and about 200,000 messages, exported from a history made
# for it, into an empty database each run.
./target/release/examples/generate_history --db "$work/export.db" \
  --conversations 10000 --messages 200000 --days 365 --seed 7 > /dev/null
"$tm" --db "$work/export.db" export -o "$work/export.jsonl" 2> /dev/null
hyperfine -N --runs 3 --prepare "rm -f $work/imported.db $work/imported.db-wal $work/imported.db-shm" \
  --export-json "$work/run.json" "$tm --db $work/imported.db import tm $work/export.jsonl" > /dev/null 2>&1
read -r median min max < <(python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["results"][0]; print(*(f"{r[k]:.1f}" for k in ("median", "min", "max")))' "$work/run.json")
printf '%-34s %-6s %7s s %7s s %7s s  %s\n' "import 10,000 conversations" "" "$median" "$min" "$max" "5 s"
