"""Search power of the oracle: how often each profile finds a counterexample to a false conjecture.

Runs every conjecture of ``benchmarks/power_conjectures.py`` (all false, graded from common to thin-set
and corner counterexamples) through :func:`theorems.core.runner.run_predicate` with each profile's
example budget (the claim's own, else ``DEFAULT_EXAMPLES``), across ``--seeds`` seeds, and reports the
fraction found per profile and per grade plus the median time per hunt (wall and CPU; the CPU time is
the meaningful one on a shared machine). The table is printed and written to
``benchmarks/results/search_power.md``.

    OPENBLAS_NUM_THREADS=1 python benchmarks/search_power.py                # 10 seeds, all profiles
    python benchmarks/search_power.py --profiles dev --seeds 3 --jobs 2
    python benchmarks/search_power.py --rates 150   # violation rate of each conjecture (for its grade)
    python benchmarks/search_power.py --boundary    # parameters drawn by theorems.strategies.boundary

A benchmark, not a test: pytest never collects it (``tests/test_search_power.py`` only replays each
conjecture's known counterexample).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

GRADES = ("common", "moderate", "rare", "corner")


def _hunt(cid: str, profile: str, seed: int, shrink: bool = True) -> dict[str, Any]:
    """One hunt: run_predicate on one conjecture with one profile and seed.

    ``shrink=False`` sets the profile's shrink work budget to 0 in this worker: the verdict (found or
    not) is unchanged, only the time spent shrinking the counterexample is saved."""
    import power_conjectures as pc

    from theorems.core import runner
    from theorems.core.runner import run_predicate

    if not shrink:
        runner.SHRINK_EVALUATIONS[profile] = 0

    c = pc.POWER[cid]
    first: dict[str, float] = {}
    evals = [0]
    t0w, t0c = time.perf_counter(), time.process_time()

    def predicate(inst, ctx):
        evals[0] += 1
        chk = c.predicate(inst, ctx)
        if chk.ok is False and "wall" not in first:
            first["wall"] = time.perf_counter() - t0w
            first["cpu"] = time.process_time() - t0c
            first["evals"] = evals[0]
        return chk

    v = run_predicate(
        cid,
        predicate,
        c.get_strategy(),
        max_examples=c.max_examples(profile),
        profile=profile,
        seed=seed,
        deadline=c.deadline_for(profile),
    )
    return {
        "id": cid,
        "profile": profile,
        "seed": seed,
        "outcome": v.outcome.value,
        "found": v.outcome.value == "falsified",
        "wall": time.perf_counter() - t0w,
        "cpu": time.process_time() - t0c,
        "first_cpu": first.get("cpu"),
        "first_evals": first.get("evals"),
        "evals": evals[0],
        "budget": c.max_examples(profile),
    }


def _rates(n: int, ids: list[str]) -> None:
    """Violation rate of each conjecture over n hypothesis-generated instances (no targeting)."""
    import power_conjectures as pc
    from hypothesis import HealthCheck, Phase, given, settings

    from theorems.core.claims import Context

    for cid in ids:
        c = pc.POWER[cid]
        tally = {"violated": 0, "held": 0, "rejected": 0}
        example: list[Any] = []

        def body(inst: Any, c: Any = c, tally: dict = tally, example: list = example) -> None:
            chk = c.predicate(inst, Context())
            key = {True: "held", False: "violated", None: "rejected"}[chk.ok]
            tally[key] += 1
            if chk.ok is False and not example:
                example.append(inst)

        run = settings(
            max_examples=n,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )(given(c.get_strategy())(lambda inst: body(inst)))
        t = time.process_time()
        run()
        conc = tally["violated"] + tally["held"]
        rate = tally["violated"] / conc if conc else float("nan")
        print(
            f"{cid:50s} {pc.GRADE[cid]:9s} rate {rate:6.3f} ({tally}) "
            f"{(time.process_time() - t) / max(1, sum(tally.values())) * 1e3:6.1f} ms/inst "
            f"first {example[:1]}",
            flush=True,
        )


def _table(results: list[dict[str, Any]], profiles: list[str], seeds: int) -> str:
    import power_conjectures as pc

    ids = sorted({r["id"] for r in results}, key=lambda i: (GRADES.index(pc.GRADE[i]), i))
    by = {(r["id"], r["profile"]): [] for r in results}
    for r in results:
        by[(r["id"], r["profile"])].append(r)

    def cell(rs: list[dict[str, Any]]) -> str:
        found = sum(r["found"] for r in rs)
        return f"{found}/{len(rs)}"

    def med(xs: list[float]) -> str:
        return f"{statistics.median(xs):.2f}" if xs else "-"

    lines = [
        f"Search power over {seeds} seeds per profile (a hunt = one `run_predicate` call with the "
        "profile's example budget; found = verdict `falsified`).",
        "",
    ]
    lines.append(
        "| profile | budget (examples) | found | "
        + " | ".join(GRADES)
        + " | median CPU s / hunt | median CPU s to first counterexample |"
    )
    lines.append("|---" * (5 + len(GRADES)) + "|")
    for p in profiles:
        rs = [r for r in results if r["profile"] == p]
        budgets = sorted({r["budget"] for r in rs})
        per_grade = []
        for g in GRADES:
            gr = [r for r in rs if pc.GRADE[r["id"]] == g]
            per_grade.append(f"{sum(r['found'] for r in gr)}/{len(gr)}" if gr else "-")
        found = sum(r["found"] for r in rs)
        lines.append(
            f"| {p} | {budgets[0]}-{budgets[-1]} | **{found / len(rs):.1%}** ({found}/{len(rs)}) | "
            + " | ".join(per_grade)
            + f" | {med([r['cpu'] for r in rs])} | "
            f"{med([r['first_cpu'] for r in rs if r['first_cpu'] is not None])} |"
        )
    lines += ["", "Per conjecture (found / seeds; median CPU s per hunt):", ""]
    lines.append("| conjecture | grade | " + " | ".join(profiles) + " |")
    lines.append("|---" * (2 + len(profiles)) + "|")
    for i in ids:
        cells = []
        for p in profiles:
            rs = by.get((i, p), [])
            cells.append(f"{cell(rs)} ({med([r['cpu'] for r in rs])} s)" if rs else "-")
        lines.append(f"| `{i}` | {pc.GRADE[i]} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profiles", default="dev,ci,thorough")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default="", help="comma-separated substrings of conjecture ids")
    ap.add_argument("--rates", type=int, default=0, help="estimate violation rates instead")
    ap.add_argument("--out", default=str(HERE / "results" / "search_power.md"))
    ap.add_argument("--label", default="", help="a heading for the written table")
    ap.add_argument(
        "--no-shrink",
        action="store_true",
        help="skip shrinking (same found/not verdicts, shorter hunts; times then exclude shrinking)",
    )
    ap.add_argument(
        "--boundary",
        action="store_true",
        help="draw the conjectures' parameters with theorems.strategies.boundary",
    )
    args = ap.parse_args(argv)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if args.boundary:
        os.environ["POWER_BOUNDARY"] = "1"  # read when power_conjectures is imported (below)
    import power_conjectures as pc

    ids = [c.id for c in pc.POWER if not args.only or any(s in c.id for s in args.only.split(","))]
    if args.rates:
        _rates(args.rates, ids)
        return 0
    profiles = [p for p in args.profiles.split(",") if p]
    tasks = [(i, p, s, not args.no_shrink) for p in profiles for i in ids for s in range(args.seeds)]
    results = []
    t0 = time.perf_counter()
    with cf.ProcessPoolExecutor(max_workers=args.jobs) as ex:
        futs = [ex.submit(_hunt, *t) for t in tasks]
        for k, f in enumerate(cf.as_completed(futs), 1):
            r = f.result()
            results.append(r)
            if k % 20 == 0 or k == len(futs):
                print(f"[{k}/{len(futs)}] {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    table = _table(results, profiles, args.seeds)
    head = f"## {args.label}\n\n" if args.label else ""
    text = (
        head
        + table
        + (
            f"\n{len(tasks)} hunts in {time.perf_counter() - t0:.0f} s wall "
            f"with {args.jobs} processes (shared, loaded 2-core machine)"
            + ("; shrinking skipped (--no-shrink), so times exclude it" if args.no_shrink else "")
            + ".\n"
        )
    )
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
