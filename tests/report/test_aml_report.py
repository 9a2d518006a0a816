#!/usr/bin/env python3
"""aml-report on reports made here: sums, bars, the SVG, and bad input.

usage: test_aml_report.py AML_REPORT [--json=FILE]

Each test makes its own JSON reports in a temporary directory, runs the
aml-report program given, and checks its output and exit status. --json
writes the results the way Criterion does (scripts/test-summary counts
them).
"""
import json
import os
import subprocess
import sys
import tempfile
import traceback
import xml.etree.ElementTree as ET

AML_REPORT = None
SVG = "{http://www.w3.org/2000/svg}"


def report(pid, rules, rank=None, host="node17", complete=True, rest=None,
           page_size=4096):
    return {"libaml_report": 1, "pid": pid, "host": host,
            "local_rank": rank, "program": "/usr/bin/python3",
            "page_size": page_size, "complete": complete, "rules": rules,
            "unrouted": {"calls": 7, "bytes": 700},
            "rest": None if rest is None else {"resident": rest}}


def rule(index, policy, nodes, resident, released=None, weights=None):
    return {"index": index, "policy": policy, "nodes": nodes,
            "weights": weights, "size_min": 1 << 20, "size_max": None,
            "sites": [], "calls": 3, "bytes": 3 << 20, "mmaps": 1,
            "mmap_bytes": 1 << 20,
            "resident": {str(k): v for k, v in resident.items()},
            "released": {str(k): v for k, v in (released or {}).items()}}


def write(path, *objs):
    with open(path, "w") as f:
        for o in objs:
            f.write(json.dumps(o) + "\n")
    return path


def run(*args):
    p = subprocess.run([sys.executable, AML_REPORT, *args],
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def rows(out, title):
    """{node: [columns]} of the table under the line starting with title."""
    lines = out.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith(title))
    table = {}
    for line in lines[start + 2:]:
        if not line.startswith("  ") or not line.split()[0].isdigit():
            break
        cols = line.split()
        table[int(cols[0])] = cols[1:]
    return table


def refused(rc, out, err, path, words):
    assert rc == 1, f"status {rc}, not 1: {err}"
    assert out == "", f"something was shown for bad input: {out!r}"
    assert path in err, f"the message does not name {path}: {err!r}"
    assert words in err, f"the message does not say {words!r}: {err!r}"


# ------------------------------------------------------------------------


def test_interleave_asked_and_found_per_node(d):
    f = write(f"{d}/r.json", report(10, [rule(0, "interleave", [0, 1, 2],
                                             {0: 300, 1: 100, 2: 250},
                                             {1: 200, 3: 50})]))
    rc, out, err = run(f)
    assert rc == 0, err
    t = rows(out, "rule 0 interleave")
    # 900 pages in all, a third asked on each of the three nodes
    assert t[0][:4] == ["yes", "300", "300", "0"], t
    assert t[1][:4] == ["yes", "300", "300", "0"], t
    assert t[2][:4] == ["yes", "300", "250", "0"], t
    assert t[3][:4] == ["-", "-", "50", "50"], t
    # bars of 32 characters for the peak (300): '#' up to the pages found,
    # '|' at the asked count, 'x' for pages on a node not asked for
    assert t[2][4:] == ["#" * round(250 * 32 / 300), "|"], t[2]
    assert t[3][4:] == ["x" * round(50 * 32 / 300)], t[3]


def test_job_directory_sums_ranks_and_counts_pages_off_their_node(d):
    os.mkdir(f"{d}/job")
    for r in range(4):
        resident = {r: 1000}
        if r == 3:
            resident[0] = 40  # rank 3 asked for node 3 only
        write(f"{d}/job/{100 + r}.json",
              report(100 + r, [rule(0, "bind", [r], resident)], rank=r))
    rc, out, err = run(f"{d}/job")
    assert rc == 0, err
    assert out.startswith("aml-report: 4 processes on 1 host"), out
    t = rows(out, "rule 0 bind")
    assert t[0][:4] == ["yes", "1000", "1040", "40"], t
    assert t[3][:4] == ["yes", "1040", "1000", "0"], t


def test_weighted_shares_follow_the_weights(d):
    f = write(f"{d}/w.json", report(11, [rule(0, "weighted", [0, 1],
                                             {0: 600, 1: 200},
                                             weights=[3, 1])]))
    rc, out, err = run(f)
    assert rc == 0, err
    t = rows(out, "rule 0 weighted")
    assert t[0][1] == "600" and t[1][1] == "200", t


def test_bind_over_several_nodes_gives_no_split(d):
    f = write(f"{d}/b.json", report(12, [rule(0, "bind", [0, 1],
                                             {0: 10, 1: 30})]))
    rc, out, err = run(f)
    assert rc == 0, err
    t = rows(out, "rule 0 bind")
    assert t[0][1] == "-" and t[1][1] == "-", t
    assert "40 pages asked on nodes 0-1 without a split" in out, out


def test_per_process_tables_name_each_process(d):
    f = write(f"{d}/two.json",
              report(20, [rule(0, "bind", [0], {0: 5})], rank=0),
              report(21, [rule(0, "bind", [1], {1: 7})], rank=1))
    rc, out, err = run("--per-process", f)
    assert rc == 0, err
    assert "node17:20 rank 0" in out and "node17:21 rank 1" in out, out
    assert out.startswith("aml-report: 2 processes"), out


def test_rest_of_the_process_is_listed(d):
    f = write(f"{d}/rest.json", report(13, [rule(0, "bind", [0], {0: 5})],
                                       rest={"0": 1200, "1": 3}))
    rc, out, err = run(f)
    assert rc == 0, err
    lines = out.splitlines()
    i = lines.index("not under a rule (the rest of the process)")
    assert lines[i + 2].split()[:2] == ["0", "1200"], lines[i:]


def test_svg_parses_and_bars_follow_the_counts(d):
    f = write(f"{d}/r.json", report(30, [rule(0, "interleave", [0, 1],
                                             {0: 400, 1: 100})]))
    rc, out, err = run(f, "--svg", f"{d}/p.svg")
    assert rc == 0, err
    svg = ET.parse(f"{d}/p.svg").getroot()
    assert svg.tag == SVG + "svg", svg.tag
    bars = [float(r.get("height")) for r in svg.iter(SVG + "rect")
            if r.get("fill") == "#2b6cb0" and float(r.get("height")) > 12]
    assert len(bars) == 2, bars
    assert abs(bars[0] / bars[1] - 4.0) < 0.01, bars
    texts = [t.text for t in svg.iter(SVG + "text")]
    assert "0*" in texts and "1*" in texts, texts
    dashed = [l for l in svg.iter(SVG + "line")
              if l.get("stroke-dasharray")]
    assert len(dashed) == 1 + 2, "one asked mark per node (and the legend)"


def test_truncated_report_is_refused_naming_the_file(d):
    text = json.dumps(report(40, [rule(0, "bind", [0], {0: 5})]))
    with open(f"{d}/cut.json", "w") as f:
        f.write(text[:len(text) // 2])
    rc, out, err = run(f"{d}/cut.json", "--svg", f"{d}/p.svg")
    refused(rc, out, err, f"{d}/cut.json", "cut short")
    assert not os.path.exists(f"{d}/p.svg"), "a picture was drawn"


def test_one_bad_rank_refuses_the_whole_job_and_keeps_the_old_picture(d):
    os.mkdir(f"{d}/job")
    for r in range(3):
        write(f"{d}/job/{r}.json",
              report(r + 1, [rule(0, "bind", [0], {0: 5})]))
    with open(f"{d}/job/3.json", "w") as f:
        f.write('{"libaml_report": 1, "pid": 4, "host": "node17", "ru')
    with open(f"{d}/p.svg", "w") as f:
        f.write("old")
    rc, out, err = run(f"{d}/job", "--svg", f"{d}/p.svg")
    refused(rc, out, err, f"{d}/job/3.json", "not valid JSON")
    with open(f"{d}/p.svg") as f:
        assert f.read() == "old", "the earlier picture was replaced"


def test_foreign_json_is_refused(d):
    f = write(f"{d}/other.json", {"name": "not ours", "pid": 3})
    refused(*run(f), f, "not a libaml report")


def test_json_that_is_not_an_object_is_refused(d):
    f = write(f"{d}/list.json", [1, 2, 3])
    refused(*run(f), f, "not a libaml report")


def test_newer_format_is_refused(d):
    r = report(41, [])
    r["libaml_report"] = 2
    f = write(f"{d}/v2.json", r)
    refused(*run(f), f, "report format 2")


def test_wrong_field_is_refused_naming_it(d):
    r = report(42, [rule(0, "bind", [0], {0: 5})])
    r["rules"][0]["resident"] = {"node0": 5}
    f = write(f"{d}/bad.json", r)
    refused(*run(f), f, "rules[0].resident")


def test_text_report_is_refused_with_a_hint(d):
    with open(f"{d}/text", "w") as f:
        f.write("aml: report pid 4242, page size 4096, mmap routed\n")
    refused(*run(f"{d}/text"), f"{d}/text", "--report-format=json")


def test_empty_file_is_refused(d):
    open(f"{d}/empty.json", "w").close()
    refused(*run(f"{d}/empty.json"), f"{d}/empty.json", "empty")


def test_empty_directory_is_refused(d):
    os.mkdir(f"{d}/none")
    refused(*run(f"{d}/none"), f"{d}/none", "no report files")


def test_missing_file_is_refused(d):
    refused(*run(f"{d}/absent.json"), f"{d}/absent.json", "no such file")


def test_same_process_twice_is_refused(d):
    f = write(f"{d}/r.json", report(50, [rule(0, "bind", [0], {0: 5})]))
    refused(*run(f, f), f, "counting it twice")


def test_incomplete_report_is_marked_and_exits_3(d):
    f = write(f"{d}/r.json", report(60, [rule(0, "bind", [0], {0: 5})],
                                    complete=False))
    rc, out, err = run(f, "--svg", f"{d}/p.svg")
    assert rc == 3, f"status {rc}: {err}"
    assert "INCOMPLETE: 1 report(s)" in out, out
    texts = [t.text or "" for t in ET.parse(f"{d}/p.svg").iter(SVG + "text")]
    assert any(t.startswith("INCOMPLETE") for t in texts), texts


# ------------------------------------------------------------------------


def main(argv):
    global AML_REPORT
    AML_REPORT = argv[1]
    json_out = next((a.split("=", 1)[1] for a in argv[2:]
                     if a.startswith("--json=")), None)
    tests = [(n, f) for n, f in globals().items() if n.startswith("test_")]
    results = []
    for name, fn in tests:
        with tempfile.TemporaryDirectory(prefix="aml-report-test.") as d:
            try:
                fn(d)
                results.append((name, "PASSED", ""))
                print(f"[PASS] aml_report::{name}")
            except Exception:
                msg = traceback.format_exc()
                results.append((name, "FAILED", msg))
                print(f"[FAIL] aml_report::{name}\n{msg}")
    failed = sum(1 for r in results if r[1] == "FAILED")
    print(f"Synthesis: Tested: {len(results)} | Passing:"
          f" {len(results) - failed} | Failing: {failed}")
    if json_out:
        with open(json_out, "w") as f:
            json.dump({"passed": len(results) - failed, "failed": failed,
                       "errored": 0, "skipped": 0,
                       "test_suites": [{"name": "aml_report", "tests": [
                           {"name": n, "status": s, "messages": [m]}
                           for n, s, m in results]}]}, f)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
