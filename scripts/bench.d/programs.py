#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""scripts/bench programs: unmodified real programs (python3, perl, gcc,
sort) under glibc, jemalloc, mimalloc, tcmalloc and memkind's memtier
preloaded, numactl and the shim; alternating runs, medians of wall time and peak RSS, each as a ratio
to glibc's in the same run. Writes Markdown and JSON to OUT.

usage: programs.py BUILD_DIR [--runs N] [--out DIR]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from allocators import clean_env, peers

PYTHON = ("d = {str(i): i for i in range(1500000)}\n"
          "s = sorted(d, key=lambda k: d[k] % 1000)\n"
          "b = [bytearray(4096) for _ in range(20000)]\n"
          "print(len(s), len(b))\n")
PERL = ("my %h; $h{$_} = $_ x 3 for 1 .. 800000; "
        "my @k = sort keys %h; print scalar(@k), qq(\\n);")


def workloads(tmp):
    """(name, argv) of each program, with its input prepared in tmp."""
    lines = os.path.join(tmp, "lines.txt")
    with open(lines, "w") as f:
        x = 12345
        for _ in range(600000):
            x = (x * 1103515245 + 12345) % (1 << 31)
            f.write("%08x line %d\n" % (x, x % 9973))
    root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    build = os.path.join(tmp, "gcc.o")
    return [
        ("python3", ["/usr/bin/python3", "-c", PYTHON]),
        ("perl", ["/usr/bin/perl", "-e", PERL]),
        ("gcc", ["/usr/bin/gcc", "-O2", "-c", "-o", build,
                 "-I" + os.path.join(root, "include"),
                 "-I" + os.path.join(tmp, "inc"), "-I" + os.path.join(
                     root, "src"),
                 os.path.join(root, "src", "utils", "bitmap.c")]),
        ("sort", ["/usr/bin/sort", "-o", os.path.join(tmp, "sorted.txt"),
                  lines]),
    ]


def generated_headers(build, tmp):
    """The build's generated headers where gcc's -I finds them."""
    inc = os.path.join(tmp, "inc")
    shutil.copytree(os.path.join(build, "include"), inc)


def runners(build):
    shim = os.path.join(build, "preload", "libaml-preload.so")
    peer, notes = peers()
    table = [("glibc", [], {})] + [(n, [], e) for n, e in peer] + [
        ("numactl", ["numactl", "--membind=0"], {}),
        ("shim", [], {"LD_PRELOAD": shim, "AML_POLICY": "bind",
                      "AML_NODES": "0"}),
    ]
    have = []
    for name, prefix, env in table:
        missing = ("LD_PRELOAD" in env and not os.path.exists(
            env["LD_PRELOAD"])) or (prefix and not shutil.which(prefix[0]))
        if missing:
            notes.append("%s skipped: not installed" % name)
        else:
            have.append((name, prefix, env))
    return have, notes


def measure(argv, env_extra):
    """Wall time and peak RSS of one run (RSS from wait4 of the child)."""
    env = clean_env(env_extra)
    env["LC_ALL"] = "C"
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        try:
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        return {"error": "exit %d" % code}
    return {"wall": wall, "rss_kib": usage.ru_maxrss}


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv[1:])
    out_dir = args.out or os.path.join(args.build, "bench")
    os.makedirs(out_dir, exist_ok=True)
    have, notes = runners(args.build)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        generated_headers(args.build, tmp)
        progs = workloads(tmp)
        for name, argv_ in progs:
            for r in range(args.runs):
                # alternate: every runner once per round
                for rname, prefix, env in have:
                    m = measure(prefix + argv_, env)
                    results.setdefault(name, {}).setdefault(
                        rname, []).append(m)
                    if "error" in m:
                        print("%s under %s: %s" % (name, rname, m["error"]),
                              file=sys.stderr)
            print("%s done" % name, file=sys.stderr)
    table = {}
    for name, by in results.items():
        base = by["glibc"]
        bw = statistics.median(m["wall"] for m in base if "wall" in m)
        br = statistics.median(m["rss_kib"] for m in base if "rss_kib" in m)
        row = {"glibc_wall": bw, "glibc_rss_kib": br}
        for rname, runs in by.items():
            ok = [m for m in runs if "wall" in m]
            if not ok:
                row[rname] = None
                continue
            row[rname] = (statistics.median(m["wall"] for m in ok) / bw,
                          statistics.median(m["rss_kib"] for m in ok) / br)
        table[name] = row
    names = [r[0] for r in have if r[0] != "glibc"]
    md = ["| program | glibc time | glibc peak RSS | " +
          " | ".join(names) + " |",
          "|---|---|---|" + "---|" * len(names)]
    for name, row in table.items():
        cells = []
        for n in names:
            v = row.get(n)
            cells.append("failed" if v is None else "%.2f / %.2f" % v)
        md.append("| %s | %.2f s | %d MiB | %s |" % (
            name, row["glibc_wall"], row["glibc_rss_kib"] // 1024,
            " | ".join(cells)))
    text = "\n".join(md) + "\n"
    if notes:
        text += "\n" + "\n".join(notes) + "\n"
    text += ("\nCells: time / peak RSS as ratios to glibc in the same run "
             "(median of %d alternating runs).\n" % args.runs)
    with open(os.path.join(out_dir, "programs-bench.md"), "w") as f:
        f.write(text)
    with open(os.path.join(out_dir, "programs-bench.json"), "w") as f:
        json.dump({"runs": args.runs, "table": table, "notes": notes}, f,
                  indent=1)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
