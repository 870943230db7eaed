#!/usr/bin/env bash
# XGBoost is loaded on first use: the binary does not link libxgboost (nor
# libgomp), an execution without XGBoost never loads them, an execution that
# trains XGBoost does, and when the library cannot be loaded the step that
# needed it fails with an error that says so.
# Usage: lazy_xgboost_test.sh MLFLOWCTL_BINARY PROJECT_DIR
set -u
BIN=$(realpath "$1")
PROJECT=$(realpath "$2")
source "$(dirname "$0")/lib.sh"
cd "$PROJECT"

has() { grep -q -- "$1" <<< "$2"; }
lacks() { ! grep -q -- "$1" <<< "$2"; }

needed=$(readelf -d "$BIN" | grep NEEDED)
check "linked against libsqlite3" has libsqlite3 "$needed"
check "not linked against libxgboost" lacks xgboost "$needed"
check "not linked against libgomp" lacks gomp "$needed"

# The loader's log of every object it loads (LD_DEBUG=files).
loaded() { LD_DEBUG=files "$@" 2>&1 >/dev/null | grep 'file=' ; }

trivial=$(loaded "$BIN" run bench/workflows/trivial.json \
  --input-file bench/workflows/input_trivial.json -q --json)
check "the loader's log is read" has 'file=libsqlite3' "$trivial"
check "a trivial execution does not load libxgboost" lacks xgboost "$trivial"
check "a trivial execution does not load libgomp" lacks gomp "$trivial"

"$PY" - "$WORK/train.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(60):
        x1, x2 = i % 7, (i * 3) % 11
        f.write(f"{1 + 2 * x1 + 3 * x2},{x1},{x2}\n")
PY
cat > "$WORK/train.json" <<JSON
{"StartAt": "Train", "States": {"Train": {"Type": "Task", "Resource": "mlflowctl:train",
  "Parameters": {"Algorithm": "xgboost", "TrainUri": "$WORK/train.csv",
                 "OutputUri": "$WORK/models", "HyperParameters": {"num_round": "5"}},
  "End": true}}}
JSON
trained=$(loaded "$BIN" run "$WORK/train.json" --name xgb-1 -q --json)
check "training XGBoost loads libxgboost" has 'file=.*libxgboost' "$trained"
check "training XGBoost succeeds" test \
  "$("$BIN" executions describe xgb-1 --json | json_get 'd["status"]')" = SUCCEEDED

MLFLOWCTL_XGBOOST_LIBRARY=$WORK/no-such-libxgboost.so \
  "$BIN" run "$WORK/train.json" --name xgb-2 -q --json > "$WORK/missing.json"
check "without the library the step fails" test \
  "$(json_get 'd["status"]' < "$WORK/missing.json")" = FAILED
check "the error says XGBoost is not available" grep -q \
  'XGBoost is not available: cannot load .*no-such-libxgboost.so' "$WORK/missing.json"

finish lazy_xgboost_test
