"""``theorems verify/falsify`` with ``--scheduler`` (a Dask cluster) or ``--seeds`` (a seed sweep).

Called by :mod:`theorems.cli` when either option is given; the plain single-seed local run stays in
the CLI's own process pool. One seed gives exactly the report of a local run (same keys, verdicts,
evidence, counterexamples; only timings differ). Several seeds give the first seed's results as the
report's ``claims`` and add a ``stability`` section (docs/report_format.md); the exit status is 0 only
if every seed's run is as expected.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from theorems.core.claims import Claim
from theorems.core.executors import (
    ClusterExtraMissing,
    SchedulerUnreachable,
    make_executor,
    run_claims,
)
from theorems.core.stability import parse_seeds, stability, stability_cell
from theorems.core.verdicts import ClaimResult, Outcome


class _Usage(Exception):
    """A usage error (exit 2); reported here so that it works under ``python -m theorems.cli`` too."""


def _usage(exc: _Usage) -> int:
    print(f"theorems: error: {exc}", file=sys.stderr)
    return 2


def _seeds(args: argparse.Namespace) -> list[int]:
    if not getattr(args, "seeds", None):
        return [args.seed]
    try:
        return parse_seeds(args.seeds, base=args.seed)
    except ValueError as exc:
        raise _Usage(str(exc)) from None


def _executor(args: argparse.Namespace):
    try:
        return make_executor(args.scheduler, args.jobs)
    except (SchedulerUnreachable, ClusterExtraMissing) as exc:
        raise _Usage(str(exc)) from None


def execute(
    claims: Sequence[Claim], args: argparse.Namespace, files: Sequence[str] = ()
) -> tuple[list[int], dict[int, list[ClaimResult]], bool]:
    seeds = _seeds(args)
    ex = _executor(args)
    by_seed, interrupted = run_claims(
        claims,
        seeds=seeds,
        profile=args.profile,
        executor=ex,
        figures=args.figures,
        files=files,
        quiet=args.quiet,
        max_examples=args.max_examples,
        budget_seconds=args.budget,
    )
    if not args.quiet:
        print(f"ran on {ex.where}", file=sys.stderr)
    return seeds, by_seed, interrupted


def verify(args: argparse.Namespace, argv: list[str], claims: Sequence[Claim]) -> int:
    from theorems.cli import DEFAULT_JSON

    t0 = time.perf_counter()
    try:
        seeds, by_seed, interrupted = execute(claims, args)
    except _Usage as exc:
        return _usage(exc)
    title = f"theorems verify ({len(claims)} claims)"
    return _finish(seeds, by_seed, interrupted, args, argv, t0, title, DEFAULT_JSON, len(claims))


def falsify(args: argparse.Namespace, argv: list[str], path: str, claims: Sequence[Claim]) -> int:
    t0 = time.perf_counter()
    try:
        seeds, by_seed, interrupted = execute(claims, args, files=[path])
    except _Usage as exc:
        return _usage(exc)
    for s, results in by_seed.items():  # as in cli.cmd_falsify: the replay is this falsify command
        for r in results:
            for v in [r.verdict, *r.false_variants]:
                rp = v.evidence.get("replay")
                if isinstance(rp, dict):
                    rp["command"] = f"theorems falsify {path} --profile {args.profile} --seed {s}"
                    if "call" in rp:
                        rp["call"] = f"theorems.core.discovery.load_file({path!r}); " + rp["call"]
    title = f"theorems falsify {path}"
    return _finish(seeds, by_seed, interrupted, args, argv, t0, title, None, len(claims), falsify=True)


def _finish(
    seeds: list[int],
    by_seed: dict[int, list[ClaimResult]],
    interrupted: bool,
    args: argparse.Namespace,
    argv: list[str],
    t0: float,
    title: str,
    default_json: str | None,
    n_claims: int,
    falsify: bool = False,
) -> int:
    from theorems import cli

    args.seed = seeds[0]
    if len(seeds) == 1:  # exactly the local run's report and output
        return cli._finish(
            by_seed[seeds[0]], interrupted, args, t0, title, default_json, argv, falsify=falsify
        )
    from theorems.core.report import build_report, write_json, write_junit

    total = time.perf_counter() - t0
    load_errors = cli._report_load_errors()
    first = by_seed[seeds[0]]
    stab = stability(by_seed, n_claims)
    report = build_report(
        first,
        seed=seeds[0],
        profile=args.profile,
        total_seconds=total,
        command=["theorems", *argv],
        interrupted=interrupted,
        load_errors=load_errors,
    )
    report["stability"] = stab
    json_path = args.json if args.json is not None else default_json
    if json_path and json_path != "-":
        write_json(json_path, report)
    if args.junit:  # one JUnit file of the first seed, as a single run would write
        write_junit(args.junit, first, total)
    print_sweep(first, stab, f"{title}, seeds {_seed_range(seeds)}", seeds[0])
    ss = stab["summary"]
    print(
        f"\n{ss['runs_ok']}/{ss['seeds']} seeds with every claim as expected; "
        f"{ss['flaky_claims']}/{ss['claims']} claims flaky (verdict of the claim or of a false variant "
        f"differs across seeds); {total:.1f} s (profile {args.profile})"
    )
    for tid in stab["flagged"]:
        cid = tid.split(":")[0]
        e = stab["claims"][cid] if tid == cid else stab["claims"][cid]["false_variants"][tid]
        off = ", ".join(f"seed {s}: {o['verdict']}" for s, o in list(e["off_seeds"].items())[:5])
        print(f"\nFLAKY {tid}: {off}\n    {e['diagnosis']}")
    if json_path and json_path != "-":
        print(f"report: {json_path}")
    if interrupted:
        print("interrupted: the partial report was written", file=sys.stderr)
        return 130
    if falsify:
        bad = any(
            v.outcome in (Outcome.FALSIFIED, Outcome.ERROR)
            for rs in by_seed.values()
            for r in rs
            for v in [r.verdict]
        ) or any(
            v.outcome is not Outcome.FALSIFIED
            for rs in by_seed.values()
            for r in rs
            for v in r.false_variants
        )
        return 1 if bad or load_errors else 0
    return 0 if ss["ok"] and not load_errors else 1


def _seed_range(seeds: list[int]) -> str:
    if seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}-{seeds[-1]}"
    return ",".join(map(str, seeds))


def print_sweep(results: list[ClaimResult], stab: dict, title: str, first_seed: int) -> None:
    """The verdict table of the first seed with a stability column."""
    from theorems import cli

    rows = []
    for r in results:
        expected = None if r.status == "conjecture" else Outcome.HOLDS
        rows.append(
            [
                r.claim_id,
                r.status,
                cli._verdict_cell(r.verdict.outcome, expected),
                cli._variants_cell(r),
                stability_cell(stab["claims"].get(r.claim_id)),
                cli._evidence_cell(r),
            ]
        )
    headers = [
        "claim",
        "status",
        f"verdict (seed {first_seed})",
        "false variants",
        "stability over seeds",
        "evidence",
    ]
    cli._print_table(title, headers, rows)
