#!/usr/bin/env bash
# Bad input (issue 6 "Bad input"), one check per item through the binary and
# `serve`: each must give a non-zero exit (or an AWS-shaped API error) and a
# message saying what is wrong and where (file:line:col, JSON pointer, the
# store's path), and leave the store intact (PRAGMA integrity_check, and the
# executions recorded before are still listed).
# Covered elsewhere, not repeated here: a truncated definition and a missing
# definition file (cli_test.sh), invalid definitions (tests/cases/validation),
# outputs over 256 KiB (tests/cases/limits), invalid schedule expressions,
# zones and trigger options (triggers_test.sh), store open errors in process
# (tests/unit/store).
# Usage: bad_input_test.sh MLFLOWCTL_BINARY REPO_ROOT
set -u
BIN=$(realpath "$1")
ROOT=$(realpath "$2")
source "$(dirname "$0")/lib.sh"
cd "$WORK"
DB=$MLFLOWCTL_HOME/mlflowctl.db
HELLO=$ROOT/examples/quickstart/hello.json

# Executions recorded before the bad input: they must stay listed.
for i in 1 2; do
  "$BIN" run "$HELLO" --input-file "$ROOT/examples/quickstart/input.json" --name "before-$i" -q \
    > /dev/null 2>&1
done

# store_intact WHAT [DB]: integrity_check is ok and before-1 and before-2
# are still listed.
store_intact() {
  local db=${2:-$DB}
  check "$1: store passes integrity_check" test "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok
  check "$1: earlier executions still listed" test "$(MLFLOWCTL_HOME=$(dirname "$db") \
    "$BIN" executions list --json | json_get 'sorted(e["name"] for e in d["executions"] if e["name"].startswith("before-"))')" \
    = "['before-1', 'before-2']"
}

# expect_error WHAT CODE PATTERN COMMAND...: COMMAND exits CODE and its
# stderr matches the extended regex PATTERN; then the store is intact.
expect_error() {
  local what=$1 code=$2 pattern=$3
  shift 3
  "$@" > "$WORK/out" 2> "$WORK/err"
  local rc=$?
  check "$what: exits $code (got $rc)" test "$rc" -eq "$code"
  check "$what: says what and where" grep -qE -- "$pattern" "$WORK/err"
  [ "$rc" -eq "$code" ] && grep -qE -- "$pattern" "$WORK/err" || { echo "  stderr:"; head -c 600 "$WORK/err"; echo; }
  store_intact "$what"
}

# expect_failed WHAT ERROR CAUSE_PATTERN COMMAND...: `COMMAND --json` exits 1
# with the execution FAILED, the error named ERROR and a cause matching
# CAUSE_PATTERN.
expect_failed() {
  local what=$1 error=$2 pattern=$3
  shift 3
  "$@" --json > "$WORK/out" 2> "$WORK/err"
  local rc=$?
  "$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["error"]); print(d["cause"])' \
    "$WORK/out" > "$WORK/cause" 2>&1
  check "$what: exits 1 (got $rc)" test "$rc" -eq 1
  check "$what: error $error" test "$(head -n 1 "$WORK/cause")" = "$error"
  check "$what: cause says what and where" grep -qE -- "$pattern" "$WORK/cause"
  [ "$rc" -eq 1 ] && grep -qE -- "$pattern" "$WORK/cause" || { echo "  got:"; head -c 600 "$WORK/cause"; echo; }
  store_intact "$what"
}

# --- Malformed JSON -------------------------------------------------------
printf '{\n  "StartAt": "A",\n  "States": {,\n    "A": {"Type": "Pass", "End": true}}}\n' > bad-syntax.json
expect_error "malformed definition (validate)" 2 'bad-syntax\.json:3:' "$BIN" validate bad-syntax.json
expect_error "malformed definition (run)" 2 'bad-syntax\.json:3:' "$BIN" run bad-syntax.json
expect_error "malformed --input" 2 'input.*1:1[0-9]' "$BIN" run "$HELLO" --input '{"dataset": 1,}'
printf '{\n  "dataset": "cars",\n  "samples": [1, 2,, 3]\n}\n' > bad-input.json
expect_error "malformed --input-file" 2 'bad-input\.json:3:' "$BIN" run "$HELLO" --input-file bad-input.json

# --- Truncated and binary files -------------------------------------------
printf '{\n  "dataset": "cars",\n  "samples": [1, 2' > truncated-input.json
expect_error "truncated input file" 2 'truncated-input\.json:3:' \
  "$BIN" run "$HELLO" --input-file truncated-input.json
printf '\x7fELF\x02\x01\x01\x00\x00\x00\xff\xfe{"StartAt"' > binary.json
expect_error "binary definition" 2 'binary\.json:1:' "$BIN" validate binary.json
expect_error "binary input file" 2 'binary\.json:1:' "$BIN" run "$HELLO" --input-file binary.json
printf '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Comment": "\xc3\x28", "End": true}}}' > bad-utf8.json
expect_error "invalid UTF-8 in a definition" 2 'bad-utf8\.json:1:' "$BIN" validate bad-utf8.json

# --- Wrong types in fields ------------------------------------------------
cat > wrong-types.json <<'JSON'
{
  "StartAt": "A",
  "TimeoutSeconds": "60",
  "States": {
    "A": {"Type": "Task", "Resource": "mlflowctl:command", "TimeoutSeconds": "10",
          "Retry": {"ErrorEquals": ["States.ALL"]}, "Next": 5},
    "B": {"Type": "Wait", "Seconds": true, "End": "yes"}
  }
}
JSON
"$BIN" validate wrong-types.json > /dev/null 2> "$WORK/err"
check "wrong types: exits 2" test $? -eq 2
for where in '3:[0-9]+: /TimeoutSeconds' '5:[0-9]+: /States/A/TimeoutSeconds' \
    '6:[0-9]+: /States/A/Retry' '6:[0-9]+: /States/A/Next' '7:[0-9]+: /States/B/Seconds' \
    '7:[0-9]+: /States/B/End'; do
  check "wrong types: names $where" grep -qE -- "wrong-types\.json:$where" "$WORK/err"
done
store_intact "wrong types"
echo '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "mlflowctl:command", "Parameters": {"Command": "ls"}, "End": true}}}' > command-string.json
expect_failed "wrong type of a task parameter" States.Runtime 'Parameters\.Command.*array' \
  "$BIN" run command-string.json -q

# --- Sizes ----------------------------------------------------------------
"$PY" - <<'PY'
import json
# A valid definition just over 1 MiB: one Pass state with a long Comment.
d = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Comment": "x" * (1024 * 1024), "End": True}}}
open("big-definition.json", "w").write(json.dumps(d))
json.dump({"blob": "y" * (256 * 1024)}, open("big-input.json", "w"))
PY
expect_error "definition over 1 MiB" 2 'big-definition\.json.*1048576' "$BIN" validate big-definition.json
expect_error "input over 256 KiB" 2 'big-input\.json: States\.DataLimitExceeded: .*262144' \
  "$BIN" run "$HELLO" --input-file big-input.json

# --- Deep nesting (stack-safe) ---------------------------------------------
"$PY" - <<'PY'
deep = "[" * 200000 + "]" * 200000
open("deep-input.json", "w").write(deep)
open("deep-definition.json", "w").write(
    '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": ' + deep + ', "End": true}}}')
# Intrinsic calls nested 5000 deep inside a valid definition.
args = "States.Array(" * 5000 + "1" + ")" * 5000
open("deep-intrinsic.json", "w").write(
    '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"x.$": "' + args + '"}, "End": true}}}')
PY
expect_error "deeply nested input" 2 'deep-input\.json:1:[0-9]+.*(nest|deep)' \
  "$BIN" run "$HELLO" --input-file deep-input.json
expect_error "deeply nested definition" 2 'deep-definition\.json:1:[0-9]+.*(nest|deep)' \
  "$BIN" validate deep-definition.json
expect_error "deeply nested intrinsic" 2 'deep-intrinsic\.json:1:[0-9]+.*/States/A/Parameters' \
  "$BIN" validate deep-intrinsic.json

# --- Unknown Task resource ------------------------------------------------
printf '{"StartAt": "A", "States": {\n  "A": {"Type": "Task", "Resource": "mlflowctl:no-such-step", "End": true}}}\n' > unknown-resource.json
expect_failed "unknown Task resource" States.Runtime "state 'A'.*'mlflowctl:no-such-step' is not known" \
  "$BIN" run unknown-resource.json -q

# --- Data files -----------------------------------------------------------
preprocess_def() {  # preprocess_def CSV
  echo "{\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Task\", \"Resource\": \"mlflowctl:preprocess\",
    \"Parameters\": {\"InputUri\": \"$1\", \"Target\": \"Price\"}, \"End\": true}}}"
}
preprocess_def "$WORK/no-such.csv" > missing-data.json
expect_failed "missing data file" Mlflow.InputNotFound 'no-such\.csv' "$BIN" run missing-data.json -q
{ head -n 5 "$ROOT/examples/data/car_prices_tidy.csv"
  echo '1,2'
  echo '"unterminated,3,4'
  sed -n 6,40p "$ROOT/examples/data/car_prices_tidy.csv"; } > bad-rows.csv
preprocess_def "$WORK/bad-rows.csv" > bad-rows.json
expect_failed "CSV with bad rows" Mlflow.InvalidCsv 'bad-rows\.csv:6: expected 9 fields' "$BIN" run bad-rows.json -q

# --- The store --------------------------------------------------------------
# copy_store NAME: a copy of the store, checkpointed, in $WORK/NAME/.
copy_store() {
  sqlite3 "$DB" 'PRAGMA wal_checkpoint(TRUNCATE);' > /dev/null
  mkdir -p "$WORK/$1"
  cp "$DB" "$WORK/$1/mlflowctl.db"
}

# Locked: another process holds a write transaction (readers still read).
mkfifo "$WORK/lock.fifo"
sqlite3 "$DB" < "$WORK/lock.fifo" > /dev/null 2>&1 &
LOCKER=$!
exec 7> "$WORK/lock.fifo"
echo 'BEGIN IMMEDIATE;' >&7
for _ in $(seq 1 300); do
  sqlite3 "$DB" 'PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; ROLLBACK;' > /dev/null 2>&1 || break
  sleep 0.1
done
check "locked store: executions are still listed" bash -c "'$BIN' executions list | grep -q before-1"
"$BIN" run "$HELLO" --input-file "$ROOT/examples/quickstart/input.json" -q > /dev/null 2> "$WORK/err"
check "locked store: run exits 4" test $? -eq 4
check "locked store: says the store is locked, and which" grep -qE "$DB.*locked" "$WORK/err"
echo 'ROLLBACK;' >&7
exec 7>&-
wait "$LOCKER"
store_intact "locked store"

# Read-only: the file and its folder are not writable. Root ignores file
# modes, so as root the commands run as the unprivileged user 65534.
as_other() {
  if [ "$(id -u)" -ne 0 ]; then "$@"; else setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; fi
}
if [ "$(id -u)" -eq 0 ] && ! command -v setpriv > /dev/null; then
  echo "SKIP: read-only store: running as root without setpriv, file modes cannot be made to bind"
else
  copy_store ro-home
  cp "$HELLO" "$ROOT/examples/quickstart/input.json" "$WORK/ro-home/"
  chmod 0755 "$WORK"
  chmod 0444 "$WORK/ro-home/mlflowctl.db" "$WORK/ro-home/hello.json" "$WORK/ro-home/input.json"
  chmod 0555 "$WORK/ro-home"
  RO_DB=$WORK/ro-home/mlflowctl.db
  # A copy of the binary the other user can reach (the build may be in a
  # private folder).
  cp "$BIN" "$WORK/mlflowctl-copy"
  chmod 0755 "$WORK/mlflowctl-copy"
  MLFLOWCTL_HOME=$WORK/ro-home expect_error "read-only store" 4 "$RO_DB" \
    as_other "$WORK/mlflowctl-copy" run "$WORK/ro-home/hello.json" --input-file "$WORK/ro-home/input.json" -q
  rm -f "$WORK/mlflowctl-copy"
  store_intact "read-only store" "$RO_DB"
  chmod 0755 "$WORK/ro-home"
fi

# Full: the store on a small tmpfs, mounted in a user and mount namespace
# (no privileges needed), so SQLite's writes fail with ENOSPC (SQLITE_FULL).
# The execution stays at its last committed event; copied out of the full
# filesystem, `executions resume` finishes it.
"$PY" - <<'PY'
import json
# 40 Pass states on a 100 kB input: each state's events hold the input.
states = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(40)}
states["S40"] = {"Type": "Pass", "Parameters": {"done": True}, "End": True}
json.dump({"StartAt": "S0", "States": states}, open("grow.json", "w"))
json.dump({"blob": "z" * 100000}, open("grow-input.json", "w"))
PY
copy_store full-src
mkdir -p "$WORK/full-home" "$WORK/full-out"
FULL_DB=$WORK/full-home/mlflowctl.db
size_kib=$(( $(stat -c %s "$WORK/full-src/mlflowctl.db") / 1024 + 1024 ))
if unshare -rm true 2> /dev/null; then
  unshare -rm bash -c '
    mount -t tmpfs -o size="$1k" tmpfs "$2/full-home" || exit 99
    cp "$2/full-src/mlflowctl.db" "$2/full-home/"
    MLFLOWCTL_HOME=$2/full-home "$3" run grow.json --input-file grow-input.json --name grow -q \
      > /dev/null 2> "$2/full.err"
    echo $? > "$2/full.rc"
    df -k "$2/full-home" | tail -n 1 > "$2/full.df"
    cp "$2"/full-home/mlflowctl.db* "$2/full-out/"' sh "$size_kib" "$WORK" "$BIN"
  check "full store: the small filesystem was mounted" test $? -ne 99
  check "full store: run exits 4" test "$(cat "$WORK/full.rc")" = 4
  check "full store: says the store is full, and which" grep -qE "$FULL_DB.*full" "$WORK/full.err"
  grep -qE "$FULL_DB.*full" "$WORK/full.err" || cat "$WORK/full.err" "$WORK/full.df"
  OUT_DB=$WORK/full-out/mlflowctl.db
  check "full store: the execution is kept, RUNNING" \
    test "$(MLFLOWCTL_HOME=$WORK/full-out "$BIN" executions describe grow --json | json_get 'd["status"]')" = RUNNING
  store_intact "full store" "$OUT_DB"
  check "full store: resume finishes it once there is room" \
    env MLFLOWCTL_HOME="$WORK/full-out" "$BIN" executions resume grow -q
  check "full store: SUCCEEDED" \
    test "$(MLFLOWCTL_HOME=$WORK/full-out "$BIN" executions describe grow --json | json_get 'd["status"]')" = SUCCEEDED
  store_intact "full store, resumed" "$OUT_DB"
else
  echo "SKIP: full store: user namespaces are not available (unshare -rm), no small filesystem can be mounted"
fi

# Corrupt: pages of a copy overwritten; the original is untouched.
copy_store corrupt-home
CORRUPT_DB=$WORK/corrupt-home/mlflowctl.db
"$PY" - "$CORRUPT_DB" <<'PY'
import os, sys
path = sys.argv[1]
size = os.path.getsize(path)
with open(path, "r+b") as f:
    for at in range(2 * 4096, size, 4096):
        f.seek(at)
        f.write(bytes((0xA5 ^ i) & 0xFF for i in range(4096)))
PY
MLFLOWCTL_HOME=$WORK/corrupt-home expect_error "corrupt store (list)" 4 "$CORRUPT_DB.*malformed|malformed.*$CORRUPT_DB" \
  "$BIN" executions list
store_intact "corrupt copy, the original"
MLFLOWCTL_HOME=$WORK/corrupt-home expect_error "corrupt store (run)" 4 "$CORRUPT_DB.*malformed|malformed.*$CORRUPT_DB" \
  "$BIN" run "$HELLO" --input-file "$ROOT/examples/quickstart/input.json" -q

# --- API bodies through `serve` ---------------------------------------------
# api_error WHAT TYPE PATTERN ACTION BODY_FILE: HTTP 400 with {"__type": TYPE,
# "message" matching PATTERN}; the server still answers /ping.
api_error() {
  local what=$1 type=$2 pattern=$3
  local code
  code=$(curl -s -o "$WORK/api.out" -w '%{http_code}' --max-time 20 -X POST \
    -H 'Content-Type: application/x-amz-json-1.0' -H "X-Amz-Target: AWSStepFunctions.$4" \
    --data-binary "@$5" "http://127.0.0.1:$PORT/")
  check "$what: HTTP 400 (got $code)" test "$code" = 400
  check "$what: __type $type" test "$(json_get 'd["__type"]' < "$WORK/api.out" 2>&1)" = "$type"
  check "$what: message says what and where" bash -c "json_msg() { $PY -c 'import json,sys; print(json.load(sys.stdin)[\"message\"])'; }; json_msg < '$WORK/api.out' | grep -qE -- \"\$0\"" "$pattern"
  grep -qE -- "$pattern" "$WORK/api.out" || { echo "  got:"; head -c 400 "$WORK/api.out"; echo; }
  check "$what: the server still answers" test "$(curl -s "http://127.0.0.1:$PORT/ping")" = '{"status":"ok"}'
}
start_server -q
MACHINE_ARN=arn:aws:states:us-east-1:123456789012:stateMachine:hello
printf '{"stateMachineArn": "%s", "input": ' "$MACHINE_ARN" > body-truncated.json
api_error "API: truncated body" SerializationException 'line 1, column [0-9]+' StartExecution body-truncated.json
printf '\x00\xff\xfe{"a"' > body-binary.json
api_error "API: binary body" SerializationException 'line 1, column [0-9]+' StartExecution body-binary.json
printf '{"stateMachineArn": 5}' > body-wrong-type.json
api_error "API: wrong type of a member" ValidationException "at 'stateMachineArn'.*must be a string" StartExecution body-wrong-type.json
printf '{"stateMachineArn": "%s", "input": {"a": 1}}' "$MACHINE_ARN" > body-input-object.json
api_error "API: input not a string" ValidationException "at 'input'.*must be a string" StartExecution body-input-object.json
"$PY" - "$MACHINE_ARN" <<'PY'
import json, sys
arn = sys.argv[1]
json.dump({"stateMachineArn": arn, "input": "{\"a\": 1,}"}, open("body-bad-input.json", "w"))
json.dump({"stateMachineArn": arn, "input": json.dumps({"blob": "y" * (256 * 1024)})},
          open("body-big-input.json", "w"))
json.dump({"name": "bad", "roleArn": "arn:aws:iam::123456789012:role/r",
           "definition": '{\n  "StartAt": "A",,\n  "States": {}}'}, open("body-bad-definition.json", "w"))
json.dump({"name": "big", "roleArn": "arn:aws:iam::123456789012:role/r",
           "definition": open("big-definition.json").read()}, open("body-big-definition.json", "w"))
open("body-deep.json", "w").write('{"stateMachineArn": ' + "[" * 100000 + "]" * 100000 + "}")
PY
api_error "API: malformed execution input" InvalidExecutionInput 'line 1, column [0-9]+' StartExecution body-bad-input.json
api_error "API: input over 256 KiB" InvalidExecutionInput '262144' StartExecution body-big-input.json
api_error "API: malformed definition" InvalidDefinition 'line 2, column [0-9]+' CreateStateMachine body-bad-definition.json
api_error "API: definition over 1 MiB" ValidationException 'definition.*1048576' CreateStateMachine body-big-definition.json
api_error "API: deeply nested body" SerializationException 'line 1, column [0-9]+.*nested deeper' StartExecution body-deep.json
stop_server
store_intact "API bodies"

# --- A watched folder that disappears ----------------------------------------
# serve keeps running, says which folder is missing, and picks files up
# again once the folder is back.
mkdir -p drop
"$BIN" triggers add --name on-drop --machine hello --watch drop > /dev/null
start_server -q
# (The waits end as soon as what they wait for happens; they are long for a
# loaded machine, where ctest runs other tests beside this one.)
for _ in $(seq 1 300); do grep -q "triggers:" "$WORK/serve.log" && break; sleep 0.1; done
rmdir drop
for _ in $(seq 1 300); do grep -q "does not exist" "$WORK/serve.log" && break; sleep 0.1; done
check "vanished folder: serve says which folder is missing" \
  grep -qE "trigger 'on-drop': watched folder '$WORK/drop' does not exist" "$WORK/serve.log"
check "vanished folder: serve still answers" test "$(curl -s "http://127.0.0.1:$PORT/ping")" = '{"status":"ok"}'
mkdir drop
cp "$ROOT/examples/quickstart/input.json" drop/cars.json
fired=0
for _ in $(seq 1 600); do
  "$BIN" triggers history on-drop | grep -q cars.json && { fired=1; break; }
  sleep 0.1
done
check "vanished folder: a file in the folder once back starts an execution" test "$fired" -eq 1
check "vanished folder: serve says the folder is back" grep -q "watched folder '$WORK/drop' is back" "$WORK/serve.log"
stop_server
store_intact "vanished folder"

finish bad_input_test
