#!/usr/bin/env bash
# The training pipeline end to end on the shipped used-car data, through the
# mlflowctl binary: first run deploys, second goes through the champion
# comparison, a tight threshold fails the quality gate; then the CLI views,
# and endpoint predictions on the test split reproduce the reported RMSE;
# then the real-time workflow scores a record with both algorithm endpoints.
# Usage: training_test.sh MLFLOWCTL_BINARY REPO_ROOT
set -u
BIN=$(realpath "$1")
ROOT=$(realpath "$2")
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

"$BIN" run workflows/training.json --name first -q --json > "$WORK/first.json" 2> "$WORK/first.err"
check "first run succeeds" test "$(json_get 'd["status"]' < "$WORK/first.json")" = SUCCEEDED
[ "$failed" -eq 0 ] || { cat "$WORK/first.json" "$WORK/first.err"; }
check "first run deploys" test "$(json_get 'd["output"]["deployed"]' < "$WORK/first.json")" = True
check "first run creates the endpoint" \
  test "$(json_get 'd["output"]["endpoint_action"]' < "$WORK/first.json")" = created
check "both RMSEs reported" test "$(json_get 'd["output"]["xgboost_rmse"] > 0 and d["output"]["linear_rmse"] > 0' < "$WORK/first.json")" = True

"$BIN" run workflows/training.json --name second -q --json > "$WORK/second.json"
check "second run succeeds" test "$(json_get 'd["status"]' < "$WORK/second.json")" = SUCCEEDED
# Same data and seed: the new model is not better than the champion.
check "second run is not deployed" test "$(json_get 'd["output"]["deployed"]' < "$WORK/second.json")" = False
check "second run says why" bash -c "grep -q 'not deployed' '$WORK/second.json'"

"$BIN" run workflows/training.json --name gated --input '{"rmse_threshold": 1}' -q --json > "$WORK/gated.json"
check "gate exits 1" test $? -eq 1
check "gate error" test "$(json_get 'd["error"]' < "$WORK/gated.json")" = ModelQualityGateFailed
check "gate cause names the threshold" bash -c "grep -q 'above the threshold 1' '$WORK/gated.json'"

check "history" bash -c "'$BIN' executions history first | grep -q TaskSucceeded"
check "models list" bash -c "'$BIN' models list | grep -q car-price"
check "params history" bash -c "'$BIN' params history /mlflowctl/car-price/model-name | grep -q car-price"
check "notifications list" bash -c "'$BIN' notifications list | grep -q 'not better'"
check "endpoints list" bash -c "'$BIN' endpoints list | grep -q car-price"

# Predictions from the endpoint on the test split reproduce the test RMSE
# that the baseline step reported for the deployed model.
test_uri=$(python3 - "$MLFLOWCTL_HOME" <<'PY'
import glob, sys
print(sorted(glob.glob(sys.argv[1] + "/s3/mlflowctl/executions/first/data/test.csv"))[0])
PY
)
cut -d, -f2- "$test_uri" > "$WORK/features.csv"
"$BIN" endpoints invoke car-price --body-file "$WORK/features.csv" --content-type text/csv > "$WORK/pred.csv"
stats="$MLFLOWCTL_HOME/s3/mlflowctl/baselines/car-price"
check "endpoint predictions reproduce the test RMSE" python3 - "$test_uri" "$WORK/pred.csv" "$stats" <<'PY'
import glob, json, math, sys
labels = [float(line.split(",")[0]) for line in open(sys.argv[1]) if line.strip()]
preds = [float(line.strip()) for line in open(sys.argv[2]) if line.strip()]
assert len(labels) == len(preds), (len(labels), len(preds))
rmse = math.sqrt(sum((a - b) ** 2 for a, b in zip(labels, preds)) / len(labels))
files = glob.glob(sys.argv[3] + "/*/model_quality_statistics.json")
assert files, "no model-quality baseline"
reported = json.load(open(sorted(files)[0]))["regression_metrics"]["rmse"]["value"]
print("endpoint RMSE", rmse, "reported", reported)
sys.exit(0 if abs(rmse - reported) <= 1e-6 * max(1.0, reported) else 1)
PY

# The real-time workflow: one test record to both algorithm endpoints at
# once, answered with the larger prediction; each endpoint invoked directly
# gives the same numbers, and the requests are in the data capture.
check "first run deploys both algorithm endpoints" \
  test "$(json_get 'd["output"]["algorithm_endpoints"]["linear"]' < "$WORK/first.json")" = car-price-linear
row=$(head -n 1 "$WORK/features.csv")
"$BIN" run workflows/realtime.json --name realtime-1 -q --json \
  --input "{\"Body\": \"$row\"}" > "$WORK/realtime.json" 2> "$WORK/realtime.err"
check "realtime run succeeds" test "$(json_get 'd["status"]' < "$WORK/realtime.json")" = SUCCEEDED
[ "$(json_get 'd["status"]' < "$WORK/realtime.json")" = SUCCEEDED ] || cat "$WORK/realtime.json" "$WORK/realtime.err"
"$BIN" endpoints invoke car-price-xgboost --body "$row" > "$WORK/xgboost.csv"
"$BIN" endpoints invoke car-price-linear --body "$row" > "$WORK/linear.csv"
check "realtime answers the larger of the two endpoint predictions" \
  python3 - "$WORK/realtime.json" "$WORK/xgboost.csv" "$WORK/linear.csv" <<'PY'
import json, sys
out = json.load(open(sys.argv[1]))["output"]
xgb, lin = (float(open(f).read().strip()) for f in sys.argv[2:4])
print("realtime", out["prediction"], "xgboost", xgb, "linear", lin)
assert xgb != lin
assert out["predictions"] == {"xgboost": xgb, "linear": lin}, out
assert out["prediction"] == max(xgb, lin), out
assert out["model"] == ("xgboost" if xgb >= lin else "linear-learner"), out
PY
check "realtime requests are captured" python3 - "$MLFLOWCTL_HOME/capture" "$row" <<'PY'
import glob, json, sys
for endpoint in ("car-price-xgboost", "car-price-linear"):
    files = sorted(glob.glob(f"{sys.argv[1]}/{endpoint}/AllTraffic/*/*/*/*/*.jsonl"))
    assert files, endpoint
    lines = [json.loads(l) for f in files for l in open(f)]
    realtime = [l for l in lines if l["eventMetadata"].get("inferenceId", "").startswith("realtime-1-")]
    assert len(realtime) == 1, (endpoint, len(realtime))
    data = realtime[0]["captureData"]
    assert data["endpointInput"] == {"observedContentType": "text/csv", "mode": "INPUT",
                                     "data": sys.argv[2], "encoding": "CSV"}, data
    assert data["endpointOutput"]["encoding"] == "JSON", data
    assert realtime[0]["eventVersion"] == "0"
PY
"$BIN" run workflows/realtime.json --name realtime-missing -q --json \
  --input "{\"Body\": \"$row\", \"linear_endpoint\": \"nope\"}" > "$WORK/realtime-missing.json"
check "realtime on a missing endpoint fails with the SDK error name" \
  test "$(json_get 'd["error"]' < "$WORK/realtime-missing.json")" = SageMakerRuntime.ValidationErrorException

finish training_test
