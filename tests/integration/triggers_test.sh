#!/usr/bin/env bash
# Black-box tests of `mlflowctl triggers add|list|remove|history`: triggers
# are stored and listed, invalid ones are refused with exit 2 and a message.
# (Firing is covered by the unit tests and, through serve, by serve's tests.)
# Usage: triggers_test.sh MLFLOWCTL_BINARY
set -u
BIN=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
cd "$WORK"
# expect_fail NAME CODE PATTERN COMMAND...: exits CODE with PATTERN on stderr
expect_fail() {
  local name=$1 code=$2 pattern=$3
  shift 3
  "$@" > "$WORK/out.txt" 2> "$WORK/err.txt"
  local rc=$?
  if [ "$rc" -eq "$code" ] && grep -q -- "$pattern" "$WORK/err.txt"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $name (exit $rc, stderr: $(cat "$WORK/err.txt"))"
  fi
}

# add: a schedule, a watched folder, an execution event.
check "add schedule" "$BIN" triggers add --machine train --schedule 'cron(0 2 * * ? *)' \
  --tz Europe/Paris --missed all --input '{"rmse_threshold": 4000}' --name nightly \
  > "$WORK/add.txt" 2> "$WORK/add.err"
check "add prints the next firing" grep -q "next firing: .*T02:00:00+0[12]:00" "$WORK/add.txt"
check "add notes the missing machine" grep -q "state machine 'train' does not exist yet" "$WORK/add.err"
mkdir -p "$WORK/incoming"
check "add watch" "$BIN" triggers add --machine train --watch incoming --event-shape s3 \
  --suffix .csv --name drop --json > "$WORK/watch.json" 2> /dev/null
check "watch folder made absolute" test "$(json_get 'd["WatchDirectory"]' < "$WORK/watch.json")" = "$WORK/incoming"
check "watch bucket is the folder name" test "$(json_get 'd["Bucket"]' < "$WORK/watch.json")" = incoming
check "watch event shape" test "$(json_get 'd["EventShape"]' < "$WORK/watch.json")" = s3
check "add execution event" "$BIN" triggers add --machine deploy --on-execution train \
  --status succeeded,failed --name chain > /dev/null 2>&1
check "add with a generated name" "$BIN" triggers add --machine train --schedule 'rate(1 hour)' --json \
  > "$WORK/gen.json" 2>/dev/null
check "generated name" bash -c "python3 -c 'import json,sys; n=json.load(sys.stdin)[\"Name\"]; sys.exit(0 if n.startswith(\"train-schedule-\") else 1)' < '$WORK/gen.json'"

# list
"$BIN" triggers list --json > "$WORK/list.json"
check "list has four" test "$(json_get 'len(d["Triggers"])' < "$WORK/list.json")" = 4
check "list schedule fields" test \
  "$(json_get '[(t["ScheduleExpression"], t["ScheduleExpressionTimezone"], t["MissedSlots"], t["Input"]) for t in d["Triggers"] if t["Name"] == "nightly"][0]' < "$WORK/list.json")" = \
  "('cron(0 2 * * ? *)', 'Europe/Paris', 'all', '{\"rmse_threshold\": 4000}')"
check "list event statuses" test \
  "$(json_get '[t["Statuses"] for t in d["Triggers"] if t["Name"] == "chain"][0]' < "$WORK/list.json")" = \
  "['SUCCEEDED', 'FAILED']"
check "list table" bash -c "'$BIN' triggers list | grep -q 'nightly .*schedule .*train .*cron(0 2 \* \* ? \*) Europe/Paris'"

# history of a trigger that has not fired
check "history empty" test "$("$BIN" triggers history nightly --json | json_get 'len(d["Firings"])')" = 0
check "history table" bash -c "'$BIN' triggers history nightly | grep -q 'SLOT OR KEY'"

# Invalid input: exit 2 and a message saying what is wrong.
expect_fail "invalid cron" 2 "day-of-month and day-of-week" \
  "$BIN" triggers add --machine train --schedule 'cron(0 12 * * * *)'
expect_fail "invalid rate" 2 "plural" "$BIN" triggers add --machine train --schedule 'rate(5 hour)'
expect_fail "unknown zone" 2 "Mars/Base" \
  "$BIN" triggers add --machine train --schedule 'rate(5 minutes)' --tz Mars/Base
expect_fail "no kind" 2 "exactly one of" "$BIN" triggers add --machine train
expect_fail "two kinds" 2 "exactly one of" \
  "$BIN" triggers add --machine train --schedule 'rate(5 minutes)' --watch incoming
expect_fail "bad missed policy" 2 "latest, none or all" \
  "$BIN" triggers add --machine train --schedule 'rate(5 minutes)' --missed some
expect_fail "bad status" 2 "RUNNING" \
  "$BIN" triggers add --machine deploy --on-execution train --status RUNNING
expect_fail "self chain" 2 "endless" "$BIN" triggers add --machine train --on-execution train
expect_fail "bad input" 2 "input" \
  "$BIN" triggers add --machine train --schedule 'rate(5 minutes)' --input '{"a":'
expect_fail "duplicate name" 2 "already exists" \
  "$BIN" triggers add --machine train --schedule 'rate(5 minutes)' --name nightly
expect_fail "history of unknown" 2 "does not exist" "$BIN" triggers history nope
check "invalid ones were not stored" test \
  "$("$BIN" triggers list --json | json_get 'len(d["Triggers"])')" = 4

# remove
check "remove" "$BIN" triggers remove drop > /dev/null
expect_fail "remove again" 2 "trigger 'drop' does not exist" "$BIN" triggers remove drop
check "list after remove" test "$("$BIN" triggers list --json | json_get 'sorted(t["Name"] for t in d["Triggers"])[0:2]')" = \
  "['chain', 'nightly']"

# preview still works
check "preview" bash -c "'$BIN' triggers preview 'cron(0 12 * * ? *)' --after 2026-01-01T00:00:00Z --count 2 | head -1 | grep -q 2026-01-01T12:00:00"

finish triggers_test
