#!/usr/bin/env bash
# Benchmarks mlflowctl beside the peer engine aws-local-stepfunctions (npm) on the six
# workflows in bench/workflows, prints one table of ratios and writes bench/RESULTS.md.
#
#   bash bench/run.sh            (or: make bench)
#
# Environment:
#   MLFLOWCTL=/path/mlflowctl    use this binary instead of building build-bench (Release)
#   BENCH_JOBS=1                 parallel compile jobs for that build
#   RUNS=10 SLOW_RUNS=5          hyperfine runs per workflow (SLOW_RUNS for choice_loop, map_10k)
#   RSS_RUNS=3                   /usr/bin/time runs per engine and workflow
#   WORKFLOWS="trivial map_10k"  a subset
# Installs what is missing: hyperfine and time (apt-get), the peer (npm ci in bench/peers).
# Raw outputs go to build-bench/bench-raw/<UTC timestamp>/.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
WF=$HERE/workflows
PEERS=$HERE/peers
SFN=$PEERS/node_modules/.bin/local-sfn
BUILD=$ROOT/build-bench
read -r -a WORKFLOW_LIST <<<"${WORKFLOWS:-trivial training_pipeline pass_chain_1000 parallel_fanout choice_loop map_10k}"
RUNS=${RUNS:-10}
SLOW_RUNS=${SLOW_RUNS:-5}
RSS_RUNS=${RSS_RUNS:-3}
# Peer in-process runs and warm-ups per workflow (peers/bench-api.mjs).
declare -A API_RUNS=([trivial]="200 50" [training_pipeline]="100 50" [pass_chain_1000]="30 10"
  [parallel_fanout]="30 10" [choice_loop]="10 2" [map_10k]="5 1")

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  echo "installing $*" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# ---- prerequisites
command -v hyperfine >/dev/null || apt_install hyperfine
[ -x /usr/bin/time ] || apt_install time
[ -x "$SFN" ] || (cd "$PEERS" && npm ci --no-audit --no-fund)
if [ -z "${MLFLOWCTL:-}" ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" -j "${BENCH_JOBS:-1}" --target mlflowctl
  MLFLOWCTL=$BUILD/mlflowctl
  cxx=$(grep -m1 '^CMAKE_CXX_COMPILER:' "$BUILD/CMakeCache.txt" | cut -d= -f2)
  BUILD_NOTE="built by this script: CMAKE_BUILD_TYPE=Release, $(basename "$cxx") $("$cxx" -dumpfullversion)"
else
  MLFLOWCTL=$(realpath "$MLFLOWCTL")
  BUILD_NOTE="given as \$MLFLOWCTL (build type not checked)"
fi

OUT=$BUILD/bench-raw/$(date -u +%Y%m%dT%H%M%SZ)
DBHOME=$BUILD/bench-home   # MLFLOWCTL_HOME, on the same disk as the project, emptied before every run
mkdir -p "$OUT"
export MLFLOWCTL_HOME=$DBHOME
START=$(date +%s)

git_rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C "$ROOT" status --porcelain -- engine steps cli CMakeLists.txt 2>/dev/null)" ] ||
  git_rev="$git_rev + uncommitted changes in engine/steps/cli"
{
  echo "date_utc=$(date -u +%FT%TZ)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "nproc=$(nproc)"
  echo "mem_gib=$(awk '/MemTotal/{printf "%.1f", $2/1048576}' /proc/meminfo)"
  echo "os=$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r), $(df -T "$ROOT" | awk 'NR==2{print $2 " on " $1}')"
  echo "loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "mlflowctl=$MLFLOWCTL"
  echo "mlflowctl_version=$("$MLFLOWCTL" --version 2>/dev/null || echo unknown)"
  echo "git=$git_rev"
  echo "build=$BUILD_NOTE"
  echo "node=$(node -v)"
  echo "peer=$(node -p "require('$PEERS/node_modules/aws-local-stepfunctions/package.json').version")"
  echo "hyperfine=$(hyperfine --version | awk '{print $2}')"
  echo "sqlite3_cli=$(sqlite3 --version 2>/dev/null | awk '{print $1}' || echo none)"
  echo "sqlite_linked=$(ldd "$MLFLOWCTL" | awk '/libsqlite3/{print $3}' | xargs -r readlink -f || true)"
  # The CLI opens the store with SqliteStoreOptions' defaults (engine/store/sqlite_execution_store.h);
  # journal_mode is read back from each database by report.py verify.
  echo "durability=SQLite WAL, synchronous=NORMAL (survives a process crash; the last commits may be lost on power failure), group commit of up to $(grep -o 'max_pending_events = [0-9]*' "$ROOT/engine/store/sqlite_execution_store.h" | awk '{print $3}') buffered events per transaction, committed before run reports the result; a fresh database per run (the WAL is left for the next process, not checkpointed at exit)"
} >"$OUT/env.txt"

ours() { echo "$MLFLOWCTL run $WF/$1.json --input-file $WF/input_$1.json -q --json"; }
peer() { echo "$SFN -f $WF/$1.json < $WF/input_$1.json"; }
: >"$OUT/commands.txt"
log() { echo "$*" | sed "s#$ROOT/##g" >>"$OUT/commands.txt"; }
log_argv() {  # quotes only the arguments that need it
  local a line=""
  for a in "$@"; do [[ $a == *[[:space:]\<\>]* ]] && a="'$a'"; line+="$a "; done
  log "${line% }"
}
log "export MLFLOWCTL_HOME=$DBHOME"

for w in "${WORKFLOW_LIST[@]}"; do
  echo "== $w" >&2
  # 1. one checked run of ours: SUCCEEDED, and the history in SQLite has every event.
  rm -rf "$DBHOME"
  $(ours "$w") >"$OUT/ours_$w.json"
  python3 "$HERE/report.py" verify "$w" "$OUT/ours_$w.json" "$DBHOME/mlflowctl.db" | tee "$OUT/verify_$w.txt" >&2

  # 2. whole-process wall time, both engines in one hyperfine call.
  n=$RUNS
  case $w in choice_loop | map_10k) n=$SLOW_RUNS ;; esac
  cmd=(hyperfine --warmup 1 --runs "$n" --prepare "rm -rf $DBHOME" --export-json "$OUT/wall_$w.json"
    -n peer "$(peer "$w")" -n ours "$(ours "$w")")
  log_argv "${cmd[@]}"
  "${cmd[@]}" >"$OUT/hyperfine_$w.txt"

  # 3. peak RSS (KiB), GNU time.
  log "/usr/bin/time -f %M $(peer "$w")   # and: rm -rf $DBHOME; /usr/bin/time -f %M $(ours "$w")   ($RSS_RUNS runs each)"
  for _ in $(seq "$RSS_RUNS"); do
    /usr/bin/time -f %M -a -o "$OUT/rss_peer_$w.txt" "$SFN" -f "$WF/$w.json" <"$WF/input_$w.json" >/dev/null
    rm -rf "$DBHOME"
    /usr/bin/time -f %M -a -o "$OUT/rss_ours_$w.txt" $(ours "$w") >/dev/null
  done

  # 4. the peer's warm in-process rate (no start-up, nothing durable).
  log "node bench/peers/bench-api.mjs $WF/$w.json $WF/input_$w.json ${API_RUNS[$w]}"
  node "$PEERS/bench-api.mjs" "$WF/$w.json" "$WF/input_$w.json" ${API_RUNS[$w]} >"$OUT/api_$w.json" 2>/dev/null

  # 5. ours warm in one process: `mlflowctl serve` on a fresh store runs the same number of
  # executions one after another (StartSyncExecution: each answer comes once the execution's
  # history is committed), after the same warm-up; the definition is parsed once.
  rm -rf "$DBHOME"
  mkdir -p "$DBHOME"
  "$MLFLOWCTL" serve --port 0 --quiet 2>"$DBHOME/serve.log" &
  serve_pid=$!
  port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$DBHOME/serve.log" 2>/dev/null | head -n1)
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { cat "$DBHOME/serve.log" >&2; kill "$serve_pid"; exit 1; }
  log "$MLFLOWCTL serve --port 0 --quiet &   python3 bench/tools/warm_runs.py PORT $w $WF/$w.json $WF/input_$w.json ${API_RUNS[$w]}"
  python3 "$HERE/tools/warm_runs.py" "$port" "$w" "$WF/$w.json" "$WF/input_$w.json" ${API_RUNS[$w]} >"$OUT/warm_$w.json" ||
    { kill -TERM "$serve_pid"; wait "$serve_pid"; exit 1; }
  kill -TERM "$serve_pid"
  wait "$serve_pid"
done

# 6. instruction count of one whole run of ours (callgrind), stable across machine noise.
if command -v valgrind >/dev/null; then
  w=pass_chain_1000
  rm -rf "$DBHOME"
  log "valgrind --tool=callgrind --callgrind-out-file=callgrind.out $(ours $w)"
  valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" $(ours $w) >/dev/null 2>"$OUT/callgrind.log"
  ir=$(grep -o 'Collected : [0-9]*' "$OUT/callgrind.log" | awk '{print $3}')
  echo "$w $ir" >"$OUT/callgrind.txt"
fi
rm -rf "$DBHOME"

echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/env.txt"
echo "elapsed_s=$(($(date +%s) - START))" >>"$OUT/env.txt"
python3 "$HERE/report.py" summarize "$OUT" "$HERE/RESULTS.md"
echo "wrote bench/RESULTS.md (raw: $OUT)" >&2
