#!/usr/bin/env bash
# Crash test of `mlflowctl serve` (DESIGN.md §5, issue 6 "Durability"): the
# training workflow (workflows/training.json on the shipped data) and a
# Map-heavy workflow whose mlflowctl:command tasks append one line per side
# effect to a file are started through the Step Functions API (curl); the
# server is killed with SIGKILL at seeded random moments (during training,
# during the Map, while it resumes) and started again, which resumes what was
# RUNNING. Checks:
#   - every execution started through the API completes (SUCCEEDED);
#   - its output equals that of an uninterrupted run (see OUTPUT_EXCLUDED);
#   - a command task that had succeeded never runs again: each side effect
#     happens once, plus at most once more per kill at which it was in
#     flight (its TaskScheduled durable, its result not);
#   - each training execution registers exactly its two model versions;
#   - history ids are 1..N, dense, without duplicates, one start, one end;
#   - nothing the server reported SUCCEEDED just before a kill is lost, and
#     no execution whose StartExecution was answered is lost;
#   - the kills landed both during training and during Map iterations.
# Usage: serve_crash_test.sh MLFLOWCTL_BINARY REPO_ROOT [SEED]
# (CRASH_TEST_VERBOSE=1 prints each kill; CRASH_TEST_KEEP=DIR keeps the work
# folder, store and logs in DIR.)
set -u
BIN=$(realpath "$1")
ROOT=$(realpath "$2")
SEED=${3:-${CRASH_TEST_SEED:-6262}}
source "$(dirname "$0")/lib.sh"
RANDOM=$SEED
echo "serve_crash_test: seed $SEED"
cd "$ROOT"  # training.json names its data relative to the repository

MIN_KILLS=30
MIN_KILLS_EACH=3  # kills with a training task / a Map iteration in flight
MAX_KILLS=150     # at most; then the executions finish without kills
MAP_ITEMS=16

# Output members that legitimately differ from an uninterrupted run:
# `parameters` holds the versions of the /mlflowctl/car-price/* parameters,
# which every training execution overwrites: their numbers depend on how many
# executions exported before, and an export in flight at a kill runs again
# (at-least-once), adding a version. The champion's version number is
# normalised (see check.py). Timestamps and execution ARNs are not in these
# outputs; names are the same because the reference runs use the same
# execution names and inputs.
OUTPUT_EXCLUDED=parameters

# The Map workflow: MAP_ITEMS items, at most 4 at once, two command tasks per
# item, then one more task. Each payload names its execution, task and item,
# so every side effect line is unique.
TASK='read -r line || true; echo "$line" >> "$1"; sleep 0.03; echo "$line"'
"$PY" - "$WORK" "$TASK" "$MAP_ITEMS" <<'PY'
import json, sys
work, task, items = sys.argv[1], sys.argv[2], int(sys.argv[3])
def cmd(payload):
    payload = dict(payload, **{"exec.$": "$$.Execution.Name"})
    return {"Type": "Task", "Resource": "mlflowctl:command",
            "Parameters": {"Command": ["sh", "-c", task, "sh", work + "/effects"],
                           "Payload": payload}}
it1 = cmd({"task": "m1", "item.$": "$.item"}); it1["Next"] = "It2"
it2 = cmd({"task": "m2", "item.$": "$.item"}); it2["End"] = True
mapwf = {"StartAt": "M", "States": {
    "M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 4,
          "ItemSelector": {"item.$": "$$.Map.Item.Value"},
          "ItemProcessor": {"StartAt": "It1", "States": {"It1": it1, "It2": it2}},
          "ResultPath": "$.mapped", "Next": "After"},
    "After": dict(cmd({"task": "after"}), ResultPath="$.after", End=True)}}
json.dump(mapwf, open(f"{work}/map.json", "w"))
role = "arn:aws:iam::123456789012:role/test"
for name, path in (("training", "workflows/training.json"), ("map", f"{work}/map.json")):
    json.dump({"name": name, "definition": open(path).read(), "roleArn": role},
              open(f"{work}/create-{name}.json", "w"))
PY
MAP_INPUT="{\"items\": [$(seq -s ', ' 0 $((MAP_ITEMS - 1)))]}"
# Each training execution has its own model group and endpoints, so
# executions do not compete for the champion and their outputs do not depend
# on their order.
input_of() {  # input_of NAME
  case $1 in
    train-*) echo "{\"model_group\": \"crash-${1#train-}\", \"endpoint\": \"crash-${1#train-}\"}" ;;
    map-*) echo "$MAP_INPUT" ;;
  esac
}
machine_of() { echo "${1%-*}" | sed 's/^train$/training/'; }

# The store-side view, through the CLI (the store is shared with serve).
cat > "$WORK/check.py" <<'PY'
import collections, json, subprocess, sys
bin_, work, what, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
def cli(*a):
    r = subprocess.run([bin_, *a], capture_output=True, text=True)
    return r.returncode, r.stdout
def describe(name):
    code, out = cli("executions", "describe", name, "--json")
    return json.loads(out) if code == 0 else {"status": "MISSING"}
def history(name):
    code, out = cli("executions", "history", name, "--json")
    return json.loads(out)["events"] if code == 0 else []
def inflight(events):  # details of TaskScheduled events without a durable result
    by_prev = collections.defaultdict(list)
    for e in events:
        by_prev[e["previousEventId"]].append(e)
    found = []
    for e in events:
        if e["type"] != "TaskScheduled":
            continue
        started = [s for s in by_prev[e["id"]] if s["type"] == "TaskStarted"]
        if not any(r["type"] in ("TaskSucceeded", "TaskFailed", "TaskTimedOut")
                   for s in started for r in by_prev[s["id"]]):
            found.append(e["taskScheduledEventDetails"])
    return found
def lines(path):
    try:
        return open(path).read().split()
    except FileNotFoundError:
        return []
def normalized(o, excluded):
    for k in excluded.split(","):
        o.pop(k, None)
    # The two models of a training execution are registered by parallel
    # branches: which one gets version 1 depends on which training finishes
    # first. The version must agree with the package ARN and the baseline
    # folder; then it is replaced by "N" (the registry count is checked too).
    c = o.get("champion")
    if isinstance(c, dict) and "version" in c:
        v = c["version"]
        ok = v in (1, 2) and c["package_arn"].endswith(f"/{v}")
        ok = ok and o.get("baseline", f"/v{v}").endswith(f"/v{v}")
        c["version"] = "N" if ok else f"inconsistent {v}"
        c["package_arn"] = c["package_arn"].rsplit("/", 1)[0] + "/N"
        if "baseline" in o:
            o["baseline"] = o["baseline"].rsplit("/", 1)[0] + "/vN"
    return json.dumps(o, sort_keys=True)

if what == "after-kill":
    # After a kill: adds the payloads of command tasks in flight to
    # allowed; fails if an execution whose start was answered is missing or
    # one reported SUCCEEDED is not; prints "RUNNING NAMES|IN FLIGHT" where
    # what was in flight is "training" and/or "map".
    kinds, running, bad = set(), [], 0
    with open(f"{work}/allowed", "a") as allowed:
        for name in lines(f"{work}/started"):
            status = describe(name)["status"]
            if status == "MISSING":
                print(f"LOST: {name} was started through the API", file=sys.stderr); bad += 1
            if status != "RUNNING":
                continue
            running.append(name)
            for d in inflight(history(name)):
                if d["resource"] in ("createTrainingJob.sync", "train"):
                    kinds.add("training")
                if d["resource"] == "command":
                    p = json.loads(d["parameters"])["Payload"]
                    allowed.write(json.dumps(p, sort_keys=True) + "\n")
                    if p.get("task") in ("m1", "m2"):
                        kinds.add("map")
    for name in sorted(set(lines(f"{work}/succeeded"))):
        if describe(name)["status"] != "SUCCEEDED":
            print(f"LOST: {name} was reported SUCCEEDED", file=sys.stderr); bad += 1
    print(" ".join(running) + "|" + " ".join(sorted(kinds)))
    sys.exit(1 if bad else 0)
elif what == "running":
    print(" ".join(n for n in lines(f"{work}/started") if describe(n)["status"] == "RUNNING"))
elif what == "final":
    # One "PASS|FAIL <check>" line per check of each execution.
    excluded, maps, trainings = args[0], [], []
    def report(ok, name, detail=""):
        print(("PASS " if ok else "FAIL ") + name + (f": {detail}" if detail and not ok else ""))
    for name in lines(f"{work}/started"):
        d = describe(name)
        report(d["status"] == "SUCCEEDED", f"{name} completes", d["status"])
        ref = json.load(open(f"{work}/ref-{name}.json"))
        report(ref["status"] == "SUCCEEDED", f"reference {name} succeeds", ref["status"])
        if d["status"] == "SUCCEEDED" and ref["status"] == "SUCCEEDED":
            got = normalized(json.loads(d["output"]), excluded)
            ref = normalized(ref["output"], excluded)
            report(got == ref, f"{name} output equals an uninterrupted run's", f"{got}\n  != {ref}")
        events = history(name)
        ids = [e["id"] for e in events]
        ok = ids == list(range(1, len(ids) + 1)) and bool(events)
        ok = ok and all(e["previousEventId"] < e["id"] for e in events)
        ok = ok and [e["type"] for e in events].count("ExecutionStarted") == 1
        ok = ok and events[-1]["type"] == "ExecutionSucceeded"
        report(ok, f"{name} history ids dense, one start, one end", json.dumps(ids[:40]))
        if name.startswith("train-"):
            group = "crash-" + name.split("-")[1]
            code, out = cli("models", "list", "--group", group, "--json")
            n = len(json.loads(out)["ModelPackageSummaryList"]) if code == 0 else -1
            report(n == 2, f"{name} registered its two models once", f"{n} versions")
        else:
            maps.append(name)
    for name in sorted(set(lines(f"{work}/succeeded"))):
        report(describe(name)["status"] == "SUCCEEDED", f"{name} reported SUCCEEDED is kept")
    # Side effects of the Map executions: every (execution, task, item)
    # once, plus at most once per kill at which it was in flight.
    key = lambda l: json.dumps(json.loads(l), sort_keys=True)
    effects = collections.Counter(key(l) for l in open(f"{work}/effects") if l.strip())
    allowed = collections.Counter(key(l) for l in open(f"{work}/allowed") if l.strip())
    expected = set()
    for name in maps:
        for item in range(int(args[1])):
            for task in ("m1", "m2"):
                expected.add(json.dumps({"exec": name, "item": item, "task": task}, sort_keys=True))
        expected.add(json.dumps({"exec": name, "task": "after"}, sort_keys=True))
    missing = sorted(expected - set(effects))
    report(not missing, "every side effect happened", " ".join(missing[:5]))
    extra = sorted(set(effects) - expected)
    report(not extra, "no unexpected side effect", " ".join(extra[:5]))
    twice = [f"{k} ran {c} times, in flight at {allowed[k]} kills"
             for k, c in effects.items() if c > 1 + allowed[k]]
    report(not twice, "a succeeded command task never ran again", "; ".join(twice[:5]))
    print(f"serve_crash_test: {sum(effects.values())} side effects, "
          f"{sum(c - 1 for c in effects.values())} repeated (in flight at a kill: at-least-once)",
          file=sys.stderr)
PY
inspect() { "$PY" "$WORK/check.py" "$BIN" "$WORK" "$@"; }

# api ACTION BODY: a Step Functions API call; the answer's body in
# $WORK/api.out; succeeds on HTTP 200.
api() {
  local code
  code=$(curl -s -o "$WORK/api.out" -w '%{http_code}' --max-time 20 -X POST \
    -H 'Content-Type: application/x-amz-json-1.0' -H "X-Amz-Target: AWSStepFunctions.$1" \
    --data-binary "$2" "http://127.0.0.1:$PORT/")
  [ "$code" = 200 ]
}
MACHINE=arn:aws:states:us-east-1:123456789012:stateMachine

# serve: starts the server and waits for its "listening" line, polling every
# 0.01 s (0.1 s is as long as a training task, and kills are timed from the
# restart).
serve() { SERVER_POLL_SECONDS=0.01 start_server -q; }

# start_execution NAME: through the API; the name goes to $WORK/started once
# the server answered.
start_execution() {
  local input
  input=$(input_of "$1" | sed 's/"/\\"/g')
  api StartExecution "{\"stateMachineArn\": \"$MACHINE:$(machine_of "$1")\", \"name\": \"$1\", \"input\": \"$input\"}" &&
    echo "$1" >> "$WORK/started"
}

# reported_succeeded: the executions the server lists as SUCCEEDED, added
# to $WORK/succeeded.
reported_succeeded() {
  local m
  for m in training map; do
    api ListExecutions "{\"stateMachineArn\": \"$MACHINE:$m\", \"statusFilter\": \"SUCCEEDED\"}" &&
      grep -o '"name": *"[^"]*"' "$WORK/api.out" | sed 's/.*: *"\(.*\)"/\1/' >> "$WORK/succeeded"
  done
}

# The pause before a kill: 10-150 ms while a training execution runs (its
# training task takes about 0.1 s, and the server resumes it within that),
# else 50-900 ms (a Map execution takes about a second).
pause() {
  ms=$((RANDOM % 850 + 50))
  case " $running " in *" train-"*) ms=$((RANDOM % 140 + 10)) ;; esac
  sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
}

: > "$WORK/started"
: > "$WORK/succeeded"
: > "$WORK/allowed"
: > "$WORK/effects"
serve
check "create training machine" api CreateStateMachine "@$WORK/create-training.json"
check "create map machine" api CreateStateMachine "@$WORK/create-map.json"

# Executions start one at a time, alternating training and Map, whenever
# fewer than two run, until the kills are enough; then the rest finish
# without kills.
kills=0
kills_training=0
kills_map=0
lost=0
next_training=1
next_map=1
turn=train
running=""
while [ "$kills" -lt "$MAX_KILLS" ]; do
  enough=$(( kills >= MIN_KILLS && kills_training >= MIN_KILLS_EACH && kills_map >= MIN_KILLS_EACH ))
  if [ "$enough" -eq 1 ]; then break; fi
  if [ "$(wc -w <<< "$running")" -lt 2 ]; then
    if [ "$turn" = train ]; then name=train-$next_training; else name=map-$next_map; fi
    if start_execution "$name"; then
      running="$running $name"
      if [ "$turn" = train ]; then next_training=$((next_training + 1)); turn=map
      else next_map=$((next_map + 1)); turn=train; fi
    fi
  fi
  pause
  reported_succeeded
  kill -9 "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
  kills=$((kills + 1))
  seen=$(inspect after-kill) || lost=$((lost + 1))
  running=${seen%%|*}
  kinds=${seen#*|}
  [ -n "${CRASH_TEST_VERBOSE:-}" ] && echo "kill $kills after ${ms} ms: $seen"
  case " $kinds " in *" training "*) kills_training=$((kills_training + 1)) ;; esac
  case " $kinds " in *" map "*) kills_map=$((kills_map + 1)) ;; esac
  serve
done
for _ in $(seq 1 600); do
  [ -z "$(inspect running)" ] && break
  sleep 0.1
done
reported_succeeded
stop_server
echo "serve_crash_test: $kills kills, $((next_training - 1)) training and $((next_map - 1)) Map executions;" \
  "in flight at a kill: training $kills_training times, Map iterations $kills_map times"
check "at least $MIN_KILLS kills" test "$kills" -ge "$MIN_KILLS"
check "at least $MIN_KILLS_EACH kills during training" test "$kills_training" -ge "$MIN_KILLS_EACH"
check "at least $MIN_KILLS_EACH kills during Map iterations" test "$kills_map" -ge "$MIN_KILLS_EACH"
check "no execution started or reported SUCCEEDED was lost at a kill" test "$lost" -eq 0

# Reference outputs: uninterrupted runs of the same names and inputs in
# another home (the command tasks' lines go to another file).
sed "s|$WORK/effects|$WORK/ref-effects|g" "$WORK/map.json" > "$WORK/ref-map.json"
# Four at a time (the Map tasks mostly sleep); they share the reference store.
n=0
for name in $(cat "$WORK/started"); do
  def=$WORK/ref-map.json
  case $name in train-*) def=workflows/training.json ;; esac
  MLFLOWCTL_HOME="$WORK/ref-home" "$BIN" run "$def" --name "$name" --input "$(input_of "$name")" \
    -q --json > "$WORK/ref-$name.json" 2> "$WORK/ref-$name.err" &
  n=$((n + 1))
  [ $((n % 4)) -eq 0 ] && wait
done
wait

while read -r verdict what; do
  if [ "$verdict" = PASS ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $what"; fi
done < <(inspect final "$OUTPUT_EXCLUDED" "$MAP_ITEMS")

[ -n "${CRASH_TEST_KEEP:-}" ] && cp -r "$WORK" "$CRASH_TEST_KEEP"
finish serve_crash_test
