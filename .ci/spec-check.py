#!/usr/bin/env python3
"""Runs the shared SPEC checker (../shared/tools/spec-check.py) on results folders, with one amendment.

The shared checker predates SPEC.md's second round, which adds `fail_fooled` (bad actors: a query stopped by a
polluter's fake hit, with no genuine hit) as a sixth failure reason, exclusive like the others. The checker sums
the five reasons it knows, so it reports "failure reasons add up to X, not queries - successes = Y" for runs with
fooled queries. Such a line is accepted here only when that row's fail_fooled is exactly Y - X; every other
problem the checker reports fails as it would have.

Usage: .ci/spec-check.py CHECKER RESULTS_DIR [RESULTS_DIR ...]; exit 0 when nothing is left.
"""
import csv, os, re, subprocess, sys

ADD_UP = re.compile(
    r"^(?P<folder>.*): runs\.csv line (?P<line>\d+) \(.*\): failure reasons add up to (?P<sum>[0-9.e+-]+), "
    r"not queries - successes = (?P<want>[0-9.e+-]+)$"
)


def fail_fooled(folder, line):
    with open(os.path.join(folder, "runs.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    row = rows[int(line) - 2]
    return float(row.get("fail_fooled") or "nan")


def main():
    checker, folders = sys.argv[1], sys.argv[2:]
    run = subprocess.run([sys.executable, checker] + folders, capture_output=True, text=True)
    left, accepted, conforming = [], 0, []
    for line in run.stdout.splitlines():
        if line.endswith(": conforms to SPEC"):
            conforming.append(line)
            continue
        m = ADD_UP.match(line)
        if m and abs(float(m["sum"]) + fail_fooled(m["folder"], m["line"]) - float(m["want"])) < 1e-9:
            accepted += 1
            continue
        left.append(line)
    sys.stderr.write(run.stderr)
    for line in conforming + left:
        print(line)
    if accepted:
        print(f"spec-check: {accepted} rows add up once fail_fooled (SPEC, second round) is counted")
    if run.returncode not in (0, 1):
        return run.returncode
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
