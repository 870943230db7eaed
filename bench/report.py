#!/usr/bin/env python3
"""Checks one mlflowctl run and turns a bench/run.sh output folder into a table.

  report.py verify WORKFLOW RUN_JSON DB_FILE   exit 1 unless the execution SUCCEEDED and its
                                               history in DB_FILE has the expected size
  report.py summarize OUT_DIR RESULTS_MD       prints the table, writes RESULTS_MD

Only numbers found in OUT_DIR are printed: hyperfine's JSON (wall_<w>.json), GNU time's
peak RSS in KiB (rss_{ours,peer}_<w>.txt), the peer's in-process figures (api_<w>.json),
the verification lines (verify_<w>.txt), callgrind's total (callgrind.txt) and env.txt.
"""
import json
import os
import sqlite3
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WORKFLOWS = ["trivial", "training_pipeline", "pass_chain_1000", "parallel_fanout", "choice_loop", "map_10k"]

# History events as AWS Step Functions records them: ExecutionStarted/Succeeded, Entered+Exited
# per state transition, ParallelStateStarted/Succeeded and MapStateStarted/Succeeded once per
# Parallel/Map state, MapIterationStarted/Succeeded per Map item (no per-branch Parallel events).
# workflows/README's counts for parallel_fanout (2,106) and map_10k (80,010) follow the peer's
# event log instead (ParallelBranchStarted/Succeeded; no MapStateStarted/Succeeded).
EXPECTED_EVENTS = {
    "trivial": 2 + 2 * 1,
    "training_pipeline": 2 + 2 * 17,
    "pass_chain_1000": 2 + 2 * 1000,
    "parallel_fanout": 2 + 2 * 1002 + 2,
    "choice_loop": 2 + 2 * 30001,
    "map_10k": 2 + 2 * 30004 + 2 + 2 * 10000,
}


def expected_transitions():
    with open(os.path.join(HERE, "workflows", "expected.json")) as f:
        return json.load(f)


def verify(workflow, run_json, db_file):
    with open(run_json) as f:
        result = json.load(f)
    db = sqlite3.connect("file:%s?mode=ro" % db_file, uri=True)
    events, entered = db.execute(
        "SELECT count(*), coalesce(sum(type LIKE '%StateEntered'), 0) FROM history_events").fetchone()
    journal = db.execute("PRAGMA journal_mode").fetchone()[0]
    want_tr = expected_transitions()[workflow]
    want_ev = EXPECTED_EVENTS[workflow]
    ok = result.get("status") == "SUCCEEDED" and entered == want_tr and events == want_ev
    line = ("%s status=%s transitions=%d (expected %d) events=%d (expected %d) journal_mode=%s %s"
            % (workflow, result.get("status"), entered, want_tr, events, want_ev, journal,
               "OK" if ok else "MISMATCH"))
    print(line)
    return 0 if ok else 1


def load_json(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def read_kib(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [int(l.split()[0]) for l in f if l.strip() and l.split()[0].isdigit()]


def fmt_ms(x):
    if x < 1:
        return "%.3f" % x
    return "%.1f" % x if x < 100 else "{:,.0f}".format(x)


def fmt_n(x):
    return "{:,.0f}".format(x)


def fmt_ratio(x):
    if x < 1:
        return "%.2f×" % x
    return "%.1f×" % x if x < 100 else "{:,.0f}×".format(x)


def summarize(out, results_md):
    env = {}
    with open(os.path.join(out, "env.txt")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            env[k] = v
    tr = expected_transitions()
    rows, ranges, checks, verified = [], [], [], []
    figures = {}
    for w in WORKFLOWS:
        hf = load_json(os.path.join(out, "wall_%s.json" % w))
        if hf is None:
            continue
        by = {r["command"]: r["times"] for r in hf["results"]}
        peer_t = [t * 1000 for t in by["peer"]]
        ours_t = [t * 1000 for t in by["ours"]]
        peer_ms, ours_ms = statistics.median(peer_t), statistics.median(ours_t)
        rss_o = read_kib(os.path.join(out, "rss_ours_%s.txt" % w))
        rss_p = read_kib(os.path.join(out, "rss_peer_%s.txt" % w))
        mib_o = statistics.median(rss_o) / 1024 if rss_o else None
        mib_p = statistics.median(rss_p) / 1024 if rss_p else None
        api = load_json(os.path.join(out, "api_%s.json" % w))
        n = tr[w]
        tps_o = n / ours_ms * 1000
        tps_p = n / peer_ms * 1000
        tps_api = api["tps_median"] if api else None
        big = w != "trivial"
        rows.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            w, fmt_n(n), fmt_ms(peer_ms), fmt_ms(ours_ms), fmt_ratio(peer_ms / ours_ms),
            fmt_n(tps_o) if big else "—", fmt_n(tps_p) if big else "—",
            fmt_n(tps_api) if (big and tps_api) else "—",
            fmt_ratio(tps_o / tps_api) if (big and tps_api) else "—",
            "%.1f" % mib_o if mib_o else "—", "%.1f" % mib_p if mib_p else "—",
            fmt_ratio(mib_p / mib_o) if (mib_o and mib_p) else "—"))
        ranges.append("| %s | %d | %s (%s–%s) | %s (%s–%s) | %s | %s | %s | %s |" % (
            w, len(ours_t), fmt_ms(peer_ms), fmt_ms(min(peer_t)), fmt_ms(max(peer_t)),
            fmt_ms(ours_ms), fmt_ms(min(ours_t)), fmt_ms(max(ours_t)),
            "%s (%s–%s)" % (fmt_n(statistics.median(rss_o)), fmt_n(min(rss_o)), fmt_n(max(rss_o))) if rss_o else "—",
            "%s (%s–%s)" % (fmt_n(statistics.median(rss_p)), fmt_n(min(rss_p)), fmt_n(max(rss_p))) if rss_p else "—",
            "%s (%s–%s), %d runs" % (fmt_ms(api["run_ms"]["median"]), fmt_ms(api["run_ms"]["min"]),
                                      fmt_ms(api["run_ms"]["max"]), api["runs"]) if api else "—",
            fmt_ms(api["first_run_ms"]) if api else "—"))
        figures[w] = dict(wall=peer_ms / ours_ms, tps=(tps_o / tps_api) if tps_api else None,
                          rss=(mib_p / mib_o) if (mib_o and mib_p) else None)
        v = os.path.join(out, "verify_%s.txt" % w)
        if os.path.exists(v):
            with open(v) as f:
                verified.append(f.read().strip())

    def target(name, value, goal, met):
        checks.append("| %s | %s | %s | %s |" % (name, goal, value, "met" if met else "**not met**"))

    if "trivial" in figures:
        x = figures["trivial"]["wall"]
        target("start + run + exit, trivial (peer CLI ms / ours)", fmt_ratio(x), "≥ 30×", x >= 30)
    for w in ["pass_chain_1000", "parallel_fanout", "choice_loop", "map_10k"]:
        if w in figures and figures[w]["tps"]:
            x = figures[w]["tps"]
            target("transitions/s %s (ours whole process / peer in-process)" % w, fmt_ratio(x), "≥ 3×", x >= 3)
    if "map_10k" in figures and figures["map_10k"]["rss"]:
        x = figures["map_10k"]["rss"]
        target("peak RSS map_10k (peer / ours)", fmt_ratio(x), "≥ 4× (ours ≤ ¼)", x >= 4)

    head = ("| workflow | transitions | peer ms | ours ms | ratio peer/ours | transitions/s ours | "
            "peer CLI | peer in-process | ours / peer in-process | peak RSS ours MiB | peer MiB | ratio peer/ours |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    table = head + "\n" + "\n".join(rows)
    durability = env.get("durability", "")
    cg = ""
    if os.path.exists(os.path.join(out, "callgrind.txt")):
        with open(os.path.join(out, "callgrind.txt")) as f:
            w, ir = f.read().split()
        cg = "%s: %s instructions (Ir) for the whole process (start, run, SQLite, exit), %s per transition" % (
            w, fmt_n(int(ir)), fmt_n(int(ir) / tr[w]))

    print(table)
    print()
    print("durability: " + durability)
    print()
    print("| target (issue 7) | goal | measured | |\n|---|---|---|---|")
    print("\n".join(checks))
    if cg:
        print("\ncallgrind: " + cg)

    md = []
    md.append("# Benchmark results (`make bench`)\n")
    md.append("Written by `bench/run.sh`; every number below was measured by that run. Medians; ranges are min–max.\n")
    md.append("- date (UTC): %s; measurement took %s s" % (env.get("date_utc"), env.get("elapsed_s", "?")))
    md.append("- machine: %s, nproc %s, %s GiB RAM, %s" % (
        env.get("cpu"), env.get("nproc"), env.get("mem_gib"), env.get("os")))
    md.append("- load average at start / end: %s / %s" % (env.get("loadavg_start"), env.get("loadavg_end")))
    # Paths relative to the repository: the report is committed.
    binary = env.get("mlflowctl") or ""
    root = os.path.dirname(HERE)
    if binary.startswith(root + os.sep):
        binary = os.path.relpath(binary, root)
    md.append("- mlflowctl: `%s` (%s), source %s; %s" % (binary, env.get("mlflowctl_version"),
                                                        env.get("git"), env.get("build")))
    md.append("- peer: aws-local-stepfunctions %s on node %s; hyperfine %s; SQLite %s (linked into mlflowctl: %s)" % (
        env.get("peer"), env.get("node"), env.get("hyperfine"), env.get("sqlite3_cli"), env.get("sqlite_linked")))
    md.append("- durability of our history: " + durability)
    md.append("")
    md.append("## Ours vs peer, per workflow\n")
    md.append(table)
    md.append("")
    md.append("Wall times are whole processes (start + parse + run + write history + exit), median of hyperfine "
              "runs. Transitions/s = expected transitions / median wall time; \"peer in-process\" is the peer's warm "
              "`await sm.run(input).result` rate through its JS API (`peers/bench-api.mjs`, one process, no start-up, "
              "nothing durable). Peak RSS is GNU time's %M, median.\n")
    md.append("## Issue 7 targets measured here\n")
    md.append("| target | goal | measured | |\n|---|---|---|---|")
    md.extend(checks)
    md.append("")
    md.append("Not measured by this harness yet: 10,000 concurrent training_pipeline executions in one process, "
              "history queries with 1,000,000 events in the store, memory per waiting execution.\n")
    md.append("## Ranges\n")
    md.append("| workflow | runs (slow ones fewer) | peer ms | ours ms | peak RSS ours KiB | peer KiB | "
              "peer in-process ms / execution | peer in-process 1st run ms |\n|---|---:|---:|---:|---:|---:|---:|---:|")
    md.extend(ranges)
    md.append("")
    md.append("## Checks (one extra run of ours per workflow, fresh database)\n")
    md.append("```\n" + "\n".join(verified) + "\n```\n")
    if cg:
        md.append("## Instruction count (callgrind; does not move with machine noise)\n")
        md.append(cg + "\n")
    md.append("## Commands\n")
    with open(os.path.join(out, "commands.txt")) as f:
        md.append("```\n" + f.read().strip() + "\n```\n")
    md.append("Raw outputs: `%s`.\n" % os.path.relpath(out, os.path.dirname(HERE)))
    with open(results_md, "w") as f:
        f.write("\n".join(md))


def main(argv):
    if len(argv) == 5 and argv[1] == "verify":
        return verify(argv[2], argv[3], argv[4])
    if len(argv) == 4 and argv[1] == "summarize":
        summarize(argv[2], argv[3])
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
