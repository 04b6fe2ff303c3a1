"""Sweep every claim and false variant over many seeds and count the wrong verdicts.

    python benchmarks/seed_sweep.py --seeds 0-19 --profile ci            # runs the sweep (long)
    python benchmarks/seed_sweep.py --report sweep.json                  # summarises an existing one

A verdict is *wrong* when it is not the one the claim's status expects (a theorem that does not hold,
a false variant that is not falsified, a refuted conjecture that is not falsified, an error). A claim
whose verdict changes with the seed is flaky: a bug in the claim or in its statistics, which the
`stability` section of the report diagnoses. This is a benchmark, not a test: it takes minutes to hours.
Writes a Markdown summary (default benchmarks/results/seed_sweep_<profile>.md).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_sweep(seeds: str, profile: str, out: Path, jobs: int | None) -> float:
    cmd = ["theorems", "verify", "--seeds", seeds, "--profile", profile, "--json", str(out), "--quiet"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=False)
    return time.perf_counter() - t0


def summarise(report: dict) -> tuple[str, int]:
    st = report.get("stability")
    if not st:
        raise SystemExit("the report has no `stability` section: run `theorems verify --seeds ...`")
    seeds = st["seeds"]
    wrong = 0
    rows = []
    n_targets = 0
    for cid, entry in sorted(st["claims"].items()):
        targets = [(cid, entry), *sorted(entry.get("false_variants", {}).items())]
        for tid, e in targets:
            n_targets += 1
            expected = e.get("expected")
            by_seed = e.get("by_seed", {})
            if expected is None:  # an open conjecture: only an error is wrong
                bad = [s for s, v in by_seed.items() if v == "error"]
            else:
                bad = [s for s, v in by_seed.items() if v != expected]
            wrong += len(bad)
            if bad or not e.get("stable", True):
                verdicts = ", ".join(f"{k} {n}" for k, n in e.get("verdicts", {}).items() if n)
                rows.append(
                    f"| `{tid}` | {expected or 'open'} | {verdicts} | {', '.join(bad) or '-'} | "
                    f"{e.get('diagnosis', '')} |"
                )
    lines = [
        f"Seeds {seeds[0]}-{seeds[-1]} ({len(seeds)}), profile {report.get('profile')}: "
        f"{len(st['claims'])} claims, {n_targets} claims and false variants, "
        f"{n_targets * len(seeds)} verdicts; **{wrong} wrong** (not the verdict the status expects).",
        "",
    ]
    if rows:
        lines += [
            "| claim or variant | expected | verdicts over seeds | seeds wrong | diagnosis |",
            "|---|---|---|---|---|",
            *rows,
        ]
    else:
        lines.append("Every claim and false variant had the expected verdict on every seed.")
    return "\n".join(lines) + "\n", wrong


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="0-19")
    ap.add_argument("--profile", default="ci")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--report", type=Path, help="summarise this sweep report instead of running one")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    elapsed = None
    if args.report is None:
        args.report = Path(f"seed-sweep-{args.profile}.json")
        elapsed = run_sweep(args.seeds, args.profile, args.report, args.jobs)
    report = json.loads(args.report.read_text())
    text, wrong = summarise(report)
    if elapsed is not None:
        text += f"\nWall time {elapsed:.0f} s.\n"
    out = args.out or HERE / "results" / f"seed_sweep_{report.get('profile')}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text)
    print(f"written: {out}", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
