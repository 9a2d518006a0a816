#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""scripts/bench shim: allocation patterns under glibc, jemalloc, mimalloc,
tcmalloc, memkind's memtier and the shim, alternating runs, medians; a
table of ratios to glibc (Markdown), the raw numbers (JSON) and a chart
(SVG).

Single-threaded patterns run pinned to one CPU (taskset: the last CPU this
process may use), so that the scheduler does not move them between runs;
threaded ones may use every CPU. The spread of a row is the largest
(max - min) / median of the run times of one allocator in it: how far
apart its rounds were.

usage: shim.py BUILD_DIR BIN_DIR [--quick] [--runs N] [--out DIR]
                                [--only PATTERN,...] [--allocators A,...]
                                [--no-pin]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
from allocators import clean_env, peers  # noqa: E402

# name, program, extra arguments, what the result counts, threaded
PATTERNS = [
    ("small", "small", [], "malloc/free", False),
    ("cross-thread", "xthread", [], "frees", True),
    ("handoff 64B", "handoff", [], "frees", True),
    ("thread churn", "churn", [], "threads", True),
    ("server", "server", [], "ops", True),
    ("realloc", "realloc", [], "reallocs", False),
    ("mixed 1M", "mixed", [], "ops", False),
    ("big 5-25M", "bigbuf", [], "buffers", False),
    ("big calloc", "zerobuf", [], "buffers", False),
    ("big 2M", "bigbuf", ["2m"], "buffers", False),
    ("mid-size", "midsize", [], "objects", False),
    ("tiny", "tiny", [], "strings", False),
]

# Patterns whose figure is a throughput: the table gives their operations
# per second too.
THROUGHPUT = {"cross-thread", "handoff 64B", "server", "mixed 1M"}


def allocators(build):
    shim = os.path.join(build, "preload", "libaml-preload.so")
    have, notes = peers()
    table = [("glibc", {})] + have + [
        ("shim", {"LD_PRELOAD": shim, "AML_POLICY": "bind"}),
        ("shim-split", {"LD_PRELOAD": shim,
                        "AML_RULES": "interleave::1M-;bind::-1048575"}),
    ]
    return table, notes


def pin_prefix(threaded, pin):
    """taskset to the last allowed CPU for a single-threaded pattern."""
    if not pin or threaded or not shutil.which("taskset"):
        return []
    return ["taskset", "-c", str(max(os.sched_getaffinity(0)))]


def run_once(argv, env_extra):
    env = clean_env(env_extra)
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    result = [l for l in out.decode().splitlines() if l.startswith("result ")]
    if proc.returncode != 0 or not result:
        return {"error": "exit %d: %s" % (proc.returncode,
                                         err.decode()[-300:])}
    fields = result[-1].split()
    # the pattern's own VmHWM; wait4's includes the forked runner's
    rss = int(fields[3]) if len(fields) > 3 and int(fields[3]) > 0 \
        else usage.ru_maxrss
    return {"seconds": float(fields[1]), "ops": float(fields[2]),
            "wall": wall, "rss_kib": rss,
            "cpu": usage.ru_utime + usage.ru_stime,
            "faults": usage.ru_minflt + usage.ru_majflt}


def median(runs, key):
    return statistics.median(r[key] for r in runs)


def write(results, notes, args):
    """The table, the raw numbers and the chart of the rows so far."""
    text = table(results, notes, args.command)
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "shim-bench.md"), "w") as f:
            f.write(text)
        with open(os.path.join(args.out, "shim-bench.json"), "w") as f:
            json.dump({"results": results, "notes": notes}, f, indent=1)
        svg(results, os.path.join(args.out, "shim-bench.svg"))
    return text


def measure(args, build, bindir):
    allocs, notes = allocators(build)
    if args.allocators:
        allocs = [a for a in allocs if a[0] in args.allocators.split(",")]
    scale = "0.25" if args.quick else "1"
    results = {}
    for name, prog, extra, unit, threaded in PATTERNS:
        if args.only and name not in args.only.split(","):
            continue
        argv = pin_prefix(threaded, args.pin) + [
            os.path.join(bindir, prog), scale] + extra
        runs = {a: [] for a, _ in allocs}
        errors = {}
        # Alternate: one run of every allocator per round.
        for _ in range(args.runs):
            for a, env in allocs:
                r = run_once(argv, env)
                if "error" in r:
                    errors[a] = r["error"]
                else:
                    runs[a].append(r)
        row = {"unit": unit, "pinned": args.pin and not threaded,
               "allocators": {}}
        for a, _ in allocs:
            if not runs[a]:
                row["allocators"][a] = {"error": errors.get(a, "no run")}
                continue
            row["allocators"][a] = {
                "seconds": median(runs[a], "seconds"),
                "cpu": median(runs[a], "cpu"),
                "cpu_spread": spread(runs[a], "cpu"),
                "ops_per_s": median(runs[a], "ops") / median(runs[a],
                                                             "seconds"),
                "rss_kib": median(runs[a], "rss_kib"),
                "faults": median(runs[a], "faults"),
                "runs": len(runs[a]),
                "spread": spread(runs[a]),
                "all_seconds": [r["seconds"] for r in runs[a]],
            }
        results[name] = row
        print(summary_line(name, row), file=sys.stderr, flush=True)
        write(results, notes, args)  # an interrupted run keeps its rows
    return results, notes


def spread(runs, key="seconds"):
    """(max - min) / median of the run times."""
    t = [r[key] for r in runs]
    return (max(t) - min(t)) / statistics.median(t)


def summary_line(name, row):
    base = row["allocators"].get("glibc", {})
    parts = []
    for a, m in row["allocators"].items():
        if "error" in m:
            parts.append("%s: failed" % a)
        elif "seconds" in base:
            parts.append("%s %.2fx t %.2fx rss" % (
                a, m["seconds"] / base["seconds"],
                m["rss_kib"] / base["rss_kib"]))
    return "%-13s %s" % (name, ", ".join(parts))


def table(results, notes, command):
    allocs = []
    for row in results.values():
        for a in row["allocators"]:
            if a not in allocs:
                allocs.append(a)
    lines = ["Command: `%s`" % command, "",
             "Time ratio to glibc (lower is faster) / peak RSS ratio to "
             "glibc / page faults ratio; glibc's own numbers in the first "
             "columns. Medians. Then the CPU time (user + system, all "
             "threads) as a ratio to glibc's: on a shared machine the "
             "wall time includes waiting for a core, the CPU time does "
             "not (but it counts busy-waiting). Spread: the largest "
             "(max - min) / median of one allocator's run times in the "
             "row, wall / CPU.", ""]
    head = "| pattern | glibc time | glibc RSS | " + " | ".join(
        a for a in allocs if a != "glibc") + " | CPU: " + " | ".join(
        a for a in allocs if a != "glibc") + " | spread |"
    lines.append(head)
    lines.append("|" + "---|" * (2 + 2 * len(allocs)))
    for name, row in results.items():
        base = row["allocators"].get("glibc")
        if base is None or "error" in base:
            continue
        cells = ["%s" % name, "%.3f s" % base["seconds"],
                 "%.1f MiB" % (base["rss_kib"] / 1024)]
        for a in allocs:
            if a == "glibc":
                continue
            m = row["allocators"].get(a, {"error": "-"})
            if "error" in m:
                cells.append("failed")
                continue
            cells.append("%.2f / %.2f / %.2f" % (
                m["seconds"] / base["seconds"],
                m["rss_kib"] / base["rss_kib"],
                m["faults"] / max(base["faults"], 1)))
        for a in allocs:
            if a == "glibc":
                continue
            m = row["allocators"].get(a, {"error": "-"})
            cells.append("-" if "error" in m else "%.2f" % (
                m["cpu"] / max(base["cpu"], 1e-6)))
        # a time of microseconds (tiny) has no meaningful spread
        ok = [m for m in row["allocators"].values() if "error" not in m]
        cells.append("-" if base["seconds"] < 1e-3 else "%.0f / %.0f %%" % (
            100 * max(m["spread"] for m in ok),
            100 * max(m["cpu_spread"] for m in ok)))
        lines.append("| " + " | ".join(cells) + " |")
    tp = [n for n in results if n in THROUGHPUT]
    if tp:
        lines += ["", "Throughput (millions of operations per second, "
                  "medians; higher is better):", "",
                  "| pattern | " + " | ".join(allocs) + " |",
                  "|---|" + "---|" * len(allocs)]
        for name in tp:
            row = results[name]["allocators"]
            lines.append("| %s (%s) | " % (name, results[name]["unit"]) +
                         " | ".join(
                             "%.2f" % (row[a]["ops_per_s"] / 1e6)
                             if "ops_per_s" in row.get(a, {}) else "-"
                             for a in allocs) + " |")
    for n in notes:
        lines.append("")
        lines.append("Note: " + n)
    return "\n".join(lines) + "\n"


COLOURS = {"jemalloc": "#4878d0", "mimalloc": "#956cb4",
           "tcmalloc": "#8c613c", "memtier": "#ee854a", "shim": "#6acc64",
           "shim-split": "#d65f5f"}


def svg(results, path):
    """Grouped bars: CPU time ratio to glibc per pattern and allocator
    (wall time on a shared machine is mostly waiting), with the glibc line
    at 1 (log scale would hide the small differences)."""
    # a pattern measured by its RSS (its time is microseconds) has no bar
    names = [n for n in results
             if results[n]["allocators"].get("glibc", {}).get(
                 "seconds", 1) >= 1e-3]
    allocs = [a for a in COLOURS
              if any(a in results[n]["allocators"] for n in names)]
    ratios = {}
    top = 1.0
    for n in names:
        base = results[n]["allocators"].get("glibc", {})
        for a in allocs:
            m = results[n]["allocators"].get(a, {})
            if "cpu" in m and base.get("cpu"):
                r = m["cpu"] / base["cpu"]
                ratios[(n, a)] = r
                top = max(top, r)
    top = min(top, 4.0)
    w, h, left, bottom, plot_h = 110 * len(names) + 140, 360, 60, 60, 260
    group = (w - left - 120) / max(len(names), 1)
    bar = group * 0.8 / max(len(allocs), 1)
    y = lambda r: 20 + plot_h - plot_h * min(r, top) / top
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="11">' % (w, h),
           '<text x="%d" y="14" font-size="13">CPU time relative to glibc '
           '(1.0 = glibc; lower is faster; bars cut at %.0fx)</text>'
           % (left, top)]
    for tick in [0.5 * i for i in range(int(top * 2) + 1)]:
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>'
                   % (left, w - 120, y(tick), y(tick)))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%.1f</text>'
                   % (left - 4, y(tick) + 4, tick))
    for i, n in enumerate(names):
        x0 = left + i * group + group * 0.1
        for j, a in enumerate(allocs):
            if (n, a) not in ratios:
                continue
            r = ratios[(n, a)]
            out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" '
                       'fill="%s"><title>%s %s: %.2f</title></rect>'
                       % (x0 + j * bar, y(r), bar - 1, y(0) - y(r),
                          COLOURS[a], n, a, r))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>'
                   % (x0 + group * 0.4, 20 + plot_h + 16, n))
    out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="black" '
               'stroke-dasharray="4,3"/>' % (left, w - 120, y(1), y(1)))
    for j, a in enumerate(allocs):
        out.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/>'
                   '<text x="%d" y="%d">%s</text>'
                   % (w - 110, 30 + 16 * j, COLOURS[a], w - 95, 39 + 16 * j,
                      a))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("build")
    p.add_argument("bindir")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--out", default=None)
    p.add_argument("--only", default=None)
    p.add_argument("--allocators", default=None)
    p.add_argument("--no-pin", dest="pin", action="store_false")
    p.add_argument("--command", default="scripts/bench shim")
    args = p.parse_args()
    results, notes = measure(args, args.build, args.bindir)
    print(write(results, notes, args))


if __name__ == "__main__":
    main()
