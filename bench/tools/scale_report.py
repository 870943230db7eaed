#!/usr/bin/env python3
"""Checks and report of bench/scale.sh. Reads stores read-only; writes only with `write`.

  scale_report.py wait-done DB MACHINE N SECONDS   exit 0 once N executions of MACHINE ended
  scale_report.py check-concurrent DB REF_DB MACHINE N
                                  every execution SUCCEEDED with the reference's event types
                                  in order; rate from the first start to the last stop (JSON)
  scale_report.py store-stats DB  events, executions, events per execution, file size (JSON)
  scale_report.py pick-long DB MACHINE   the name of the middle execution of MACHINE
  scale_report.py check-cli HISTORY_JSON LIST_JSON   sizes of the CLI's answers (JSON)
  scale_report.py check-waiting DB MACHINE N   every execution parked, then ABORTED (JSON)
  scale_report.py write OUT_DIR RESULTS_MD   the scale section of RESULTS_MD from OUT_DIR
"""
import glob
import json
import os
import sqlite3
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from report import replace_section  # noqa: E402 (bench/report.py)

BEGIN = "<!-- scale.sh: begin -->"
END = "<!-- scale.sh: end -->"


def connect(db):
    return sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)


def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def wait_done(db, machine, n, seconds):
    deadline = time.time() + float(seconds)
    while time.time() < deadline:
        try:
            with connect(db) as c:
                done = c.execute("SELECT count(*) FROM executions WHERE state_machine_name = ? "
                                 "AND status != 'RUNNING'", (machine,)).fetchone()[0]
            if done >= int(n):
                return 0
        except sqlite3.Error:
            pass  # the file may not exist yet
        time.sleep(0.2)
    return 1


def histories(c, machine):
    """{arn: (status, start_ms, stop_ms, [types in id order], dense ids)}"""
    rows = {arn: [status, start, stop, [], 0] for arn, status, start, stop in c.execute(
        "SELECT arn, status, start_ms, stop_ms FROM executions WHERE state_machine_name = ?",
        (machine,))}
    for arn, eid, etype in c.execute(
            "SELECT h.execution_arn, h.id, h.type FROM history_events h JOIN executions e "
            "ON e.arn = h.execution_arn WHERE e.state_machine_name = ? "
            "ORDER BY h.execution_arn, h.id", (machine,)):
        r = rows[arn]
        r[3].append(etype)
        r[4] += 1 if eid == len(r[3]) else 0
    return rows


def check_concurrent(db, ref_db, machine, n):
    with connect(ref_db) as c:
        ref = [t for (t,) in c.execute("SELECT type FROM history_events ORDER BY execution_arn, id")]
    with connect(db) as c:
        rows = histories(c, machine)
    n = int(n)
    succeeded = sum(1 for r in rows.values() if r[0] == "SUCCEEDED")
    complete = sum(1 for r in rows.values() if r[3] == ref and r[4] == len(ref))
    starts = [r[1] for r in rows.values()]
    stops = [r[2] for r in rows.values() if r[2] is not None]
    first, last = min(starts), max(stops)
    # Executions in flight at once, from the recorded start/stop milliseconds (a start and a
    # stop in the same millisecond count as overlapping: an upper bound at ms resolution).
    marks = sorted([(s, 0) for s in starts] + [(s, 1) for s in stops])
    peak = cur = 0
    for _, kind in marks:
        cur += 1 if kind == 0 else -1
        peak = max(peak, cur)
    durations = sorted(r[2] - r[1] for r in rows.values() if r[2] is not None)
    out = {"executions": len(rows), "expected": n, "succeeded": succeeded,
           "complete_histories": complete, "reference_events": len(ref),
           "span_s": (last - first) / 1000.0,
           "executions_per_s": len(rows) / max((last - first) / 1000.0, 0.001),
           "transitions_per_s": len(rows) * sum(1 for t in ref if t.endswith("StateEntered"))
           / max((last - first) / 1000.0, 0.001),
           "peak_in_flight": peak,
           "duration_ms_p50": durations[len(durations) // 2] if durations else None,
           "duration_ms_max": durations[-1] if durations else None}
    print(json.dumps(out))
    return 0 if len(rows) == n and succeeded == n and complete == n else 1


def store_stats(db):
    with connect(db) as c:
        events = c.execute("SELECT count(*) FROM history_events").fetchone()[0]
        executions = c.execute("SELECT count(*) FROM executions").fetchone()[0]
        per = dict(c.execute("SELECT status, count(*) FROM executions GROUP BY status").fetchall())
        sizes = c.execute("SELECT e.state_machine_name, count(*), min(n), max(n) FROM executions e "
                          "JOIN (SELECT execution_arn, count(*) n FROM history_events "
                          "GROUP BY execution_arn) h ON h.execution_arn = e.arn "
                          "GROUP BY e.state_machine_name").fetchall()
    size = sum(os.path.getsize(p) for p in glob.glob(db + "*"))
    print(json.dumps({"events": events, "executions": executions, "statuses": per,
                      "machines": {m: {"executions": k, "min_events": lo, "max_events": hi}
                                   for m, k, lo, hi in sizes},
                      "file_mib": round(size / 1048576, 1)}))
    return 0


def pick_long(db, machine):
    with connect(db) as c:
        n = c.execute("SELECT count(*) FROM executions WHERE state_machine_name = ?",
                      (machine,)).fetchone()[0]
        name, = c.execute("SELECT name FROM executions WHERE state_machine_name = ? "
                          "ORDER BY start_ms, arn LIMIT 1 OFFSET ?", (machine, n // 2)).fetchone()
    print(name)
    return 0


def check_cli(history_json, list_json):
    with open(history_json) as f:
        h = json.load(f)
    with open(list_json) as f:
        lst = json.load(f)
    starts = [e["startDate"] for e in lst["executions"]]
    out = {"history_events": len(h["events"]), "history_bytes": os.path.getsize(history_json),
           "ids_dense": [e["id"] for e in h["events"]] == list(range(1, len(h["events"]) + 1)),
           "list_items": len(lst["executions"]), "list_bytes": os.path.getsize(list_json),
           "list_newest_first": starts == sorted(starts, reverse=True),
           "list_next_token": "nextToken" in lst}
    print(json.dumps(out))
    ok = out["history_events"] == 1000 and out["ids_dense"] and out["list_items"] == 100
    return 0 if ok and out["list_newest_first"] and out["list_next_token"] else 1


def check_waiting(db, machine, n):
    with connect(db) as c:
        rows = histories(c, machine)
    aborted = sum(1 for r in rows.values() if r[0] == "ABORTED")
    parked = sum(1 for r in rows.values()
                 if "WaitStateEntered" in r[3] and "WaitStateExited" not in r[3]
                 and r[3][-1] == "ExecutionAborted" and r[4] == len(r[3]))
    out = {"executions": len(rows), "aborted": aborted, "parked_then_aborted": parked}
    print(json.dumps(out))
    n = int(n)
    return 0 if len(rows) == n and aborted == n and parked == n else 1


# ---- the RESULTS.md section

def load(path):
    with open(path) as f:
        return json.load(f)


def env_of(out):
    env = {}
    with open(os.path.join(out, "env.txt")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            env[k] = v
    return env


def rng(values, fmt="%.0f"):
    values = sorted(values)
    med = statistics.median(values)
    if len(values) == 1:
        return fmt % med
    return (fmt + " (" + fmt + "–" + fmt + ")") % (med, values[0], values[-1])


def limits(checks, runs, per_waiting):
    """What limits each figure: profiles taken while writing bench/scale.sh (perf on serve and on
    scale_query_bench, 2026-12-06), with this run's numbers filled in."""
    def med(key, field="median_us"):
        return statistics.median(r[key][field] for r in runs) if runs and key in runs[0] else 0
    hist, scan, parsed, lst = med("history"), med("history_scan"), med("history_parsed"), med(
        "list_newest_100")
    hist_cpu, parsed_cpu = med("history", "cpu_median_us"), med("history_parsed", "cpu_median_us")
    peak = statistics.median(c["peak_in_flight"] for c in checks) if checks else 0
    return [
        "**What limits each figure.**",
        "",
        "- *Executions per second*: serve's engine thread. It runs the StartExecution actions, the "
        "interpreter and the history writes of every execution (36 events each, group-committed to "
        "SQLite in WAL mode, synchronous=NORMAL), so one core bounds the rate and the figure equals "
        "the accepted StartExecution rate. perf on serve during a batch: about 22%% of its samples in "
        "the kernel writing the WAL (pwrite) and syncing it at checkpoints (fdatasync), 10%% "
        "malloc/free, 8%% nlohmann serialising event details to text, then SQLite's B-tree inserts. "
        "Each execution takes a few milliseconds, so only about %d were in flight at once; the "
        "figure is the throughput of start + run + durable history; the memory section below "
        "holds 10,000 executions at once. The Python client and the HTTP threads use the other "
        "core." % peak,
        "- *One execution's history*: the store's part (lookup by name, one range scan of "
        "history_events clustered by (execution_arn, id)) is %.0f µs of the %.0f µs; the rest is "
        "the single-pass check that each event's stored details are JSON (cli/json_text.cc) and "
        "copying them, about 400 KB, into the answer. Until this change the CLI parsed every "
        "event's details with nlohmann and printed them again: %.0f µs (%.0f µs of CPU, %.1fx "
        "this change's CPU time), which missed the 2 ms target. The size is AWS's shape: every "
        "StateEntered/StateExited event carries the state's input or output as a JSON "
        "string." % (scan, hist, parsed, parsed_cpu, parsed_cpu / max(hist_cpu, 1)),
        "- *Newest 100 executions*: 101 entries of the executions_by_start index read backwards "
        "and their rows (EXPLAIN QUERY PLAN: an index scan with no sort step, also with "
        "--status), then nlohmann building and indenting 100 objects; %.0f µs in all." % lst,
        "- *Whole CLI processes*: process start and dynamic linking (compare `mlflowctl "
        "--version`), then opening the store (pragmas, schema check, the first query loading the "
        "schema); the query itself is the in-process figure.",
        "- *Memory per waiting execution* (%.0f bytes): what the engine keeps for a live "
        "execution: its record (ARNs, name, input), the input and the `$$` context object as "
        "nlohmann trees, the frames of the interpreter's coroutines down to the Wait state's "
        "timer, and its entries in the engine's and the API's maps; plus the growth of SQLite's "
        "page cache and of the allocator's arenas (not measured separately). glibc keeps the "
        "freed memory in its arenas, so VmRSS does not fall after the stops; the second batch "
        "shows how much of it the next executions reuse." % per_waiting,
        "",
    ]


def write(out, results_md):
    env = env_of(out)
    md = [BEGIN, "## Scale (bench/scale.sh)", ""]
    md.append("Measured %s on %s (%s vCPU, %s), git %s; SQLite %s, hyperfine %s, Python %s. "
              "Load average %s at the start, %s at the end. `mlflowctl serve --threads %s` on "
              "127.0.0.1; the client (bench/tools/sfn_load.py: %s) shares the 2 cores with it. "
              "Medians, with min–max ranges in brackets." % (
                  env.get("date_utc"), env.get("cpu"), env.get("nproc"), env.get("mem"),
                  env.get("git"), env.get("sqlite"), env.get("hyperfine"), env.get("python"),
                  env.get("load_start"), env.get("load_end"), env.get("serve_threads"),
                  env.get("client")))
    md.append("")

    # 1. concurrent executions
    checks = [load(p) for p in sorted(glob.glob(os.path.join(out, "concurrent_check_*.json")))]
    starts = [load(p) for p in sorted(glob.glob(os.path.join(out, "concurrent_start_*.json")))]
    rss = [load(p) for p in sorted(glob.glob(os.path.join(out, "concurrent_rss_*.json")))]
    md.append("### %s training_pipeline executions started through one serve (%d repeats, a "
              "fresh store each)\n" % ("{:,}".format(checks[0]["expected"]) if checks else "?",
                                      len(checks)))
    md.append("| figure | median (range) |\n|---|---:|")
    md.append("| executions/s, first start to last stop | **%s** |" % rng(
        [c["executions_per_s"] for c in checks]))
    md.append("| state transitions/s (17 per execution) | %s |" % rng(
        [c["transitions_per_s"] for c in checks]))
    md.append("| StartExecution accepted, requests/s | %s |" % rng([s["rps"] for s in starts]))
    md.append("| one pipelined window of StartExecution answered, p50 / p99 ms | %s / %s |" % (
        rng([s["window_p50_ms"] for s in starts], "%.1f"),
        rng([s["window_p99_ms"] for s in starts], "%.1f")))
    md.append("| executions in flight at once (peak, from start/stop ms) | %s |" % rng(
        [c["peak_in_flight"] for c in checks]))
    md.append("| one execution's start to stop, p50 / max ms | %s / %s |" % (
        rng([c["duration_ms_p50"] for c in checks]), rng([c["duration_ms_max"] for c in checks])))
    md.append("| serve VmHWM after the batch, MiB | %s |" % rng(
        [r["hwm_kib"] / 1024 for r in rss], "%.1f"))
    md.append("")
    md.append("Checked each time: %s. Every history has the %d events of the uninterrupted "
              "`mlflowctl run` of the same workflow, with the same types in the same order and "
              "ids 1..%d." % ("; ".join(
                  "%d accepted, %d SUCCEEDED, %d complete histories" % (
                      s["ok"], c["succeeded"], c["complete_histories"])
                  for s, c in zip(starts, checks)),
                  checks[0]["reference_events"] if checks else 0,
                  checks[0]["reference_events"] if checks else 0))
    md.append("")

    # 2. history queries
    store = load(os.path.join(out, "query_store.json"))
    populate = load(os.path.join(out, "query_populate.json"))
    cli = load(os.path.join(out, "query_cli_check.json"))
    runs = []
    for p in sorted(glob.glob(os.path.join(out, "query_bench_*.jsonl"))):
        with open(p) as f:
            runs.append({d["figure"]: d for d in map(json.loads, f) if d})
    md.append("### History queries with %s events in the store\n" % "{:,}".format(store["events"]))
    md.append("Populated by running %s executions through serve (%.0f StartExecution/s accepted): "
              "%s. Store file %.1f MiB (WAL included). In-process figures: "
              "bench/tools/scale_query_bench, %d repetitions per figure after a warm-up, on one "
              "open connection, in %d separate processes; the table gives the median of the three "
              "processes' medians and the range of those medians (wall time; CPU is the "
              "thread's CPU time, which leaves out time other processes had the core), and the "
              "p99 of the worst process." % (
                  "{:,}".format(store["executions"]), populate["rps"],
                  ", ".join("%s: %s executions of %d–%d events" % (
                      m, "{:,}".format(v["executions"]), v["min_events"], v["max_events"])
                      for m, v in sorted(store["machines"].items())),
                  store["file_mib"], runs[0]["history"]["reps"] if runs else 0, len(runs)))
    md.append("")
    md.append("| query (the CLI's --json rendering included) | rows | bytes | median µs | "
              "CPU µs | p99 µs | target |\n|---|---:|---:|---:|---:|---:|---|")
    labels = [
        ("history", "one execution's history (`executions history NAME --json`: find by name, "
                    "range scan, stored details copied)", "< 2,000 µs"),
        ("history_scan", "its store part alone: lookup by name and range scan, no rendering", ""),
        ("history_parsed", "the same history with every event's details parsed and printed "
                           "again (how the CLI rendered it before it copied the stored text)", ""),
        ("list_newest_100", "newest 100 of all executions (`executions list --limit 100 --json`)",
         "< 1,000 µs"),
        ("list_status_100", "newest 100 SUCCEEDED (`--status SUCCEEDED`)", ""),
        ("open_and_history", "open the store (schema check) + the history, fresh connection "
                             "each time", ""),
    ]
    for key, label, target in labels:
        if not runs or key not in runs[0]:
            continue
        meds = [r[key]["median_us"] for r in runs]
        met = ""
        if target:
            limit = float(target.strip("< µs").replace(",", ""))
            met = " %s: %s" % (target, "met" if statistics.median(meds) < limit else "**not met**")
        md.append("| %s | %d | %d | **%s** | %s | %.0f |%s |" % (
            label, runs[0][key]["rows"], runs[0][key]["bytes"], rng(meds),
            rng([r[key]["cpu_median_us"] for r in runs]), max(r[key]["p99_us"] for r in runs), met))
    md.append("")
    hf = load(os.path.join(out, "hyperfine_queries.json"))["results"]
    md.append("Whole processes for context (hyperfine -N, 30 runs after 3 warm-ups; a process "
              "cannot finish in 1 ms, so these are not compared with the targets): " + "; ".join(
                  "`%s` %.2f ms (%.2f–%.2f)" % (
                      r["command"].split("/")[-1], 1000 * r["median"], 1000 * r["min"],
                      1000 * r["max"]) for r in hf) +
              ". The CLI's answers were checked: %d events with ids 1..%d (%d bytes), %d list "
              "items newest first with a nextToken (%d bytes)." % (
                  cli["history_events"], cli["history_events"], cli["history_bytes"],
                  cli["list_items"], cli["list_bytes"]))
    md.append("")

    # 3. waiting executions
    w = load(os.path.join(out, "wait_rss.json"))
    wstart = load(os.path.join(out, "wait_start.json"))
    wstop = load(os.path.join(out, "wait_stop.json"))
    wcheck = load(os.path.join(out, "wait_check.json"))
    last = load(os.path.join(out, "wait_last_events.json"))
    n = wcheck["executions"] // (2 if "second_batch_kib" in w else 1)  # parked at once
    per = (w["parked_kib"] - w["before_kib"]) * 1024 / max(n, 1)
    per_later = (w["parked_later_kib"] - w["before_kib"]) * 1024 / max(n, 1)
    md.append("### Memory per waiting execution (%s parked in a Wait state in one serve)\n" %
              "{:,}".format(n))
    md.append("| figure | value |\n|---|---:|")
    md.append("| VmRSS before (serve after 1,000 warm-up executions) | %.1f MiB |" % (
        w["before_kib"] / 1024))
    md.append("| VmRSS with all parked (1 s / 3 s after the last start) | %.1f / %.1f MiB |" % (
        w["parked_kib"] / 1024, w["parked_later_kib"] / 1024))
    md.append("| **bytes per waiting execution** (1 s / 3 s) | **%.0f** / %.0f |" % (per, per_later))
    md.append("| VmRSS after StopExecution of all of them | %.1f MiB |" % (w["stopped_kib"] / 1024))
    if "second_batch_kib" in w:
        md.append("| VmRSS with a second batch of %s parked (after the first was stopped) | "
                  "%.1f MiB |" % ("{:,}".format(n), w["second_batch_kib"] / 1024))
    md.append("| VmHWM (peak) | %.1f MiB |" % (w["hwm_kib"] / 1024))
    md.append("| StartExecution / StopExecution accepted, requests/s | %.0f / %.0f |" % (
        wstart["rps"], wstop["rps"]))
    md.append("")
    md.append("Checked: %d RUNNING while parked (ListExecutions), the newest event of 200 sampled "
              "executions was %s; after the stops %d RUNNING, and of all %d executions (both "
              "batches) %d ABORTED with WaitStateEntered, no WaitStateExited and ExecutionAborted "
              "last in their histories." % (
                  w["running_parked"], ", ".join("%s x%d" % kv for kv in sorted(last.items())),
                  w.get("running_after_second_stop", w["running_after_stop"]),
                  wcheck["executions"], wcheck["parked_then_aborted"]))
    md.append("")
    md.extend(limits(checks, runs, per))
    with open(os.path.join(out, "commands.txt")) as f:
        md.append("```\n" + f.read().strip() + "\n```")
    md.append("Raw outputs: `bench-raw/%s/` in the build directory (`BUILD_DIR`, build-bench by "
              "default)." % os.path.basename(os.path.normpath(out)))
    md.append(END)
    section = "\n".join(md)
    print(section)
    replace_section(results_md, BEGIN, END, section)
    return 0


def main(argv):
    cmds = {"wait-done": (wait_done, 4), "check-concurrent": (check_concurrent, 4),
            "store-stats": (store_stats, 1), "pick-long": (pick_long, 2),
            "check-cli": (check_cli, 2), "check-waiting": (check_waiting, 3), "write": (write, 2)}
    if len(argv) < 2 or argv[1] not in cmds or len(argv) - 2 != cmds[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    fn, _ = cmds[argv[1]]
    return fn(*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
