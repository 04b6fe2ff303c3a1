"""Print the claims and false variants of a report whose verdict is not the one their status expects.

    python benchmarks/report_unexpected.py theorems-report.json

Used by CI's informational run at a commit-derived seed; exits 1 if there is any.
"""

from __future__ import annotations

import json
import sys


def main(path: str) -> int:
    report = json.load(open(path, encoding="utf-8"))
    bad = []
    for c in report.get("claims", []):
        if not c.get("passed", True):
            bad.append(f"{c['id']} ({c['status']}): {c['verdict']}: {c.get('reason', '')[:160]}")
        for v in c.get("false_variants", []):
            if v["verdict"] != "falsified":
                bad.append(f"{v['id']} (false variant): {v['verdict']}: {v.get('reason', '')[:160]}")
    seed = report.get("seed")
    for line in bad:
        print(f"seed {seed}: {line}")
    if not bad:
        print(f"seed {seed}: every verdict as expected")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
