"""The ``theorems`` command line: list, show, verify, falsify, docs, report.

Exit codes: 0 when every claim holds and every false variant is falsified (``falsify``: no
counterexample found), 1 otherwise, 2 for usage errors (unknown ids, bad options), 130 when
interrupted (the partial report is written first).
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from theorems.core.claims import PROFILES, Claim, UnknownClaimError
from theorems.core.verdicts import ClaimResult, Outcome, Verdict

DEFAULT_JSON = "theorems-report.json"


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="theorems", description="Verify claims about training dynamics.")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    sub.add_parser("list", help="table of claims (id, paper, status, kind)")

    s = sub.add_parser("show", help="statement, citation, assumptions, method, false variants")
    s.add_argument("id")

    def run_opts(sp: argparse.ArgumentParser) -> None:
        default_profile = os.environ.get("THEOREMS_PROFILE") or (
            "ci" if os.environ.get("CI") else "dev"
        )
        sp.add_argument(
            "--profile",
            choices=PROFILES,
            default=default_profile,
            help="dev (quick, default), ci, thorough (many examples)",
        )
        sp.add_argument("--seed", type=_nonneg_int, default=0, help="run seed (default 0)")
        sp.add_argument("--jobs", type=_pos_int, default=1, help="parallel processes (default 1)")
        sp.add_argument(
            "--json",
            metavar="PATH",
            default=None,
            help=f"JSON report path (verify default: {DEFAULT_JSON}; '-' disables)",
        )
        sp.add_argument("--junit", metavar="PATH", default=None, help="JUnit XML report path")
        sp.add_argument("--figures", metavar="DIR", default=None, help="write figures to DIR")
        sp.add_argument("--quiet", action="store_true", help="no progress display")
        sp.add_argument(
            "--scheduler",
            metavar="ADDRESS",
            default=os.environ.get("THEOREMS_SCHEDULER") or None,
            help="run on the Dask scheduler at ADDRESS, e.g. tcp://host:8786 "
            "(env THEOREMS_SCHEDULER; needs the 'cluster' extra; see docs/cluster.md)",
        )
        sp.add_argument(
            "--seeds",
            metavar="SPEC",
            default=None,
            help="seed sweep: a range 0-99, a count N (from --seed) or a list 1,5,9; "
            "reports each claim's verdict stability",
        )

    v = sub.add_parser("verify", help="run claims and their false variants")
    v.add_argument(
        "ids", nargs="*", metavar="ID", help="claim ids, prefixes or globs (default: all)"
    )
    run_opts(v)

    f = sub.add_parser("falsify", help="hunt for counterexamples to the conjectures in a file")
    f.add_argument("file")
    run_opts(f)

    d = sub.add_parser("docs", help="write one Markdown page per claim into a directory")
    d.add_argument("outdir", nargs="?", default="docs/claims")

    r = sub.add_parser("report", help="turn JSON reports into a browsable static site")
    r.add_argument("reports", nargs="+", metavar="REPORT.json")
    r.add_argument("--html", metavar="DIR", required=True, help="directory to write the site to")
    return p


def _int_at_least(minimum: int, what: str):
    """An argparse type: an integer >= minimum, with a one-line error otherwise."""

    def parse(s: str) -> int:
        try:
            v = int(s)
        except ValueError:
            v = minimum - 1
        if v < minimum:
            raise argparse.ArgumentTypeError(f"expected {what}, got {s!r}")
        return v

    return parse


_pos_int = _int_at_least(1, "a positive integer")
_nonneg_int = _int_at_least(0, "a non-negative integer")


# --------------------------------------------------------------------------- output helpers
def _console():
    try:
        from rich.console import Console

        width = None if sys.stdout.isatty() else 160  # a log file deserves a readable table
        return Console(highlight=False, soft_wrap=False, width=width)
    except ImportError:  # pragma: no cover - rich is an optional extra
        return None


def _print_table(title: str, headers: list[str], rows: list[list[str]]) -> None:
    con = _console()
    if con is not None:
        from rich.table import Table

        t = Table(title=title, show_lines=False)
        for h in headers:
            t.add_column(h, overflow="fold")
        for r in rows:
            t.add_row(*r)
        con.print(t)
        return
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    print(title)
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))


_STYLE = {"holds": "green", "falsified": "red", "inconclusive": "yellow", "error": "magenta"}


def _verdict_cell(outcome: Outcome, expected: Outcome | None) -> str:
    txt = outcome.value
    if _console() is None:
        return txt
    good = expected is None or outcome is expected
    style = "green" if good else _STYLE.get(txt, "")
    return f"[{style}]{txt}[/{style}]"


# --------------------------------------------------------------------------- commands
def cmd_list(args: argparse.Namespace) -> int:
    import theorems

    reg = theorems.registry()
    rows = [
        [c.id, c.paper.key, c.status.value, c.kind.value, str(len(c.false_variants))] for c in reg
    ]
    _print_table(f"{len(rows)} claims", ["id", "paper", "status", "kind", "false variants"], rows)
    _report_load_errors()
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    import theorems

    c = theorems.registry()[args.id]
    print(render_claim_text(c))
    return 0


def render_claim_text(c: Claim) -> str:
    w = textwrap.TextWrapper(width=100, subsequent_indent="  ")
    out = [
        c.id,
        "=" * len(c.id),
        "",
        f"Paper:      {c.paper}",
        f"Status:     {c.status.value}",
        f"Kind:       {c.kind.value}",
        "",
        "Statement:",
        textwrap.indent(c.statement.strip(), "  "),
    ]
    for label, text in (
        ("Assumptions", c.assumptions),
        ("Closed form", c.closed_form),
        ("How it is checked", c.method),
        ("Tolerance", c.tolerance),
    ):
        if text:
            out += ["", f"{label}:", textwrap.indent(textwrap.dedent(text).strip(), "  ")]
    out += ["", "Examples per profile: " + ", ".join(f"{p}={c.max_examples(p)}" for p in PROFILES)]
    out += ["", "False variants (must be falsified):"]
    for v in c.false_variants:
        out.append(w.fill(f"- {v.id}: {v.description}"))
    if not c.false_variants:
        out.append("  (none)")
    return "\n".join(out)


def _worker_init(files: list[str]) -> None:
    from theorems.core.discovery import load_builtin_claims, load_file

    load_builtin_claims()
    for f in files:
        load_file(f)


def _worker(claim_id: str, profile: str, seed: int, figures: str | None) -> ClaimResult:
    from theorems.core.claims import REGISTRY
    from theorems.core.runner import run_claim

    return run_claim(REGISTRY[claim_id], profile=profile, seed=seed, figures_dir=figures)


def _error_result(c: Claim, message: str, tb: str = "") -> ClaimResult:
    v = Verdict(c.id, Outcome.ERROR, message, {"traceback": tb})
    return ClaimResult(c.id, c.paper.key, c.status.value, c.kind.value, v, [])


def run_many(
    claims: list[Claim],
    *,
    profile: str,
    seed: int,
    jobs: int,
    figures: str | None,
    quiet: bool,
    files: Sequence[str] = (),
) -> tuple[list[ClaimResult], bool]:
    """Run claims (in parallel processes when jobs > 1). Returns (results, interrupted)."""
    from theorems.core.runner import run_claim

    results: dict[str, ClaimResult] = {}
    interrupted = False
    progress = _Progress(len(claims), quiet)
    try:
        if jobs == 1 or len(claims) <= 1:
            for c in claims:
                progress.start(c.id)
                results[c.id] = run_claim(c, profile=profile, seed=seed, figures_dir=figures)
                progress.done(results[c.id])
        else:
            ex = ProcessPoolExecutor(
                max_workers=jobs, initializer=_worker_init, initargs=(list(files),)
            )
            try:
                futs = {ex.submit(_worker, c.id, profile, seed, figures): c for c in claims}
                for fut in as_completed(futs):
                    c = futs[fut]
                    try:
                        results[c.id] = fut.result()
                    except Exception as exc:
                        import traceback

                        results[c.id] = _error_result(
                            c, f"worker failed: {exc}", traceback.format_exc()
                        )
                    progress.done(results[c.id])
            except KeyboardInterrupt:
                # keep what finished; do not wait for the claims still running
                ex.shutdown(wait=False, cancel_futures=True)
                raise
            ex.shutdown()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        progress.close()
    ordered = [results[c.id] for c in claims if c.id in results]
    return ordered, interrupted


class _Progress:
    """A progress line (rich if installed, plain text on stderr otherwise)."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.total, self.n, self.quiet = total, 0, quiet or total == 0
        self._rich = None
        if not self.quiet and sys.stderr.isatty():
            try:
                from rich.progress import Progress

                self._rich = Progress(transient=True)
                self._task = self._rich.add_task("verifying", total=total)
                self._rich.start()
            except ImportError:  # pragma: no cover
                self._rich = None

    def start(self, claim_id: str) -> None:
        if self._rich is not None:
            self._rich.update(self._task, description=claim_id)

    def done(self, r: ClaimResult) -> None:
        self.n += 1
        if self.quiet:
            return
        if self._rich is not None:
            self._rich.update(self._task, advance=1)
        else:
            mark = "ok" if r.passed else "FAIL"
            print(
                f"[{self.n}/{self.total}] {r.claim_id}: {r.verdict.outcome.value} "
                f"({r.seconds:.1f}s) {mark}",
                file=sys.stderr,
                flush=True,
            )

    def close(self) -> None:
        if self._rich is not None:
            self._rich.stop()


def _evidence_cell(r: ClaimResult) -> str:
    ev = r.verdict.evidence
    if r.verdict.outcome is Outcome.FALSIFIED:
        return r.verdict.reason[:90]
    if r.verdict.outcome is Outcome.ERROR or r.verdict.outcome is Outcome.INCONCLUSIVE:
        return r.verdict.reason[:90]
    parts = [f"n={ev.get('instances_tried', 0)}"]
    if "margin" in ev:
        parts.append(f"min margin {ev['margin']:.3g}")
    worst = ev.get("worst", {}).get("check", {})
    det = worst.get("details", {})
    pv = det.get("p_value")
    if isinstance(pv, (int, float)) and pv == pv:  # skip NaN
        parts.append(f"p={pv:.3g}")
    m, p = worst.get("measured"), worst.get("predicted")
    if isinstance(m, (int, float)) and isinstance(p, (int, float)):
        parts.append(f"meas {m:.4g} vs pred {p:.4g}")
    return ", ".join(parts)


def _variants_cell(r: ClaimResult) -> str:
    if not r.false_variants:
        return "none"
    k = sum(v.outcome is Outcome.FALSIFIED for v in r.false_variants)
    cell = f"{k}/{len(r.false_variants)} falsified"
    bad = [v for v in r.false_variants if v.outcome is not Outcome.FALSIFIED]
    if bad:
        cell += " (not: " + ", ".join(f"{v.id.split(':')[1]}={v.outcome.value}" for v in bad) + ")"
    return cell


def print_results(results: list[ClaimResult], title: str) -> None:
    rows = []
    for r in results:
        expected = None if r.status == "conjecture" else Outcome.HOLDS
        rows.append(
            [
                r.claim_id,
                r.status,
                _verdict_cell(r.verdict.outcome, expected),
                _variants_cell(r),
                _evidence_cell(r),
                f"{r.seconds:.1f}",
            ]
        )
    _print_table(title, ["claim", "status", "verdict", "false variants", "evidence", "s"], rows)
    # Counterexamples found for the false variants, and anything unexpected, in full.
    for r in results:
        for v in [r.verdict, *r.false_variants]:
            ce = v.evidence.get("counterexample")
            if v.outcome is Outcome.ERROR:
                print(f"\n{v.id}: error: {v.reason}")
                tb = v.evidence.get("traceback")
                if tb:
                    print(textwrap.indent(tb.strip().splitlines()[-1], "    "))
            elif ce is not None and v.id == r.claim_id:
                print(
                    f"\n{v.id}: {v.outcome.value}: {v.reason}\n    instance: {ce['instance']}"
                    f"\n    replay: {v.evidence.get('replay', {}).get('call', '')}"
                )


def _report_load_errors() -> list[dict[str, str]]:
    from theorems.core.discovery import LOAD_ERRORS

    out = []
    for name, tb in LOAD_ERRORS:
        print(
            f"warning: could not import claim module {name}: {tb.strip().splitlines()[-1]}",
            file=sys.stderr,
        )
        out.append({"module": name, "traceback": tb})
    return out


def _finish(
    results: list[ClaimResult],
    interrupted: bool,
    args: argparse.Namespace,
    t0: float,
    title: str,
    default_json: str | None,
    argv: list[str],
    extra_errors: list[dict[str, str]] | None = None,
    falsify: bool = False,
) -> int:
    from theorems.core.report import build_report, summary, write_json, write_junit

    total = time.perf_counter() - t0
    load_errors = _report_load_errors() + (extra_errors or [])
    report = build_report(
        results,
        seed=args.seed,
        profile=args.profile,
        total_seconds=total,
        command=["theorems", *argv],
        interrupted=interrupted,
        load_errors=load_errors,
    )
    json_path = args.json if args.json is not None else default_json
    if json_path and json_path != "-":
        write_json(json_path, report)
    if args.junit:
        write_junit(args.junit, results, total)
    print_results(results, title)
    s = summary(results)
    if falsify:
        k = s["claims_by_verdict"]
        print(
            f"\n{k['falsified']} of {s['claims']} conjectures falsified, {k['holds']} survived the "
            f"search, {k['inconclusive']} inconclusive, {k['error']} errors; {total:.1f} s "
            f"(profile {args.profile}, seed {args.seed})"
        )
    else:
        print(
            f"\n{s['passed']}/{s['claims']} claims as expected; "
            f"{s['false_variants_falsified']}/{s['false_variants']} false variants falsified; "
            f"{total:.1f} s (profile {args.profile}, seed {args.seed})"
        )
    if json_path and json_path != "-":
        print(f"report: {json_path}")
    if interrupted:
        print("interrupted: the partial report was written", file=sys.stderr)
        return 130
    if falsify:  # a hunt succeeds (exit 1) when it finds a counterexample or an error
        found = any(
            v.outcome in (Outcome.FALSIFIED, Outcome.ERROR) for r in results for v in [r.verdict]
        )
        bad_variants = any(
            v.outcome is not Outcome.FALSIFIED for r in results for v in r.false_variants
        )
        return 1 if found or bad_variants or load_errors else 0
    return 0 if s["ok"] and not load_errors else 1


def cmd_verify(args: argparse.Namespace, argv: list[str]) -> int:
    import theorems

    t0 = time.perf_counter()
    claims = theorems.registry().select(args.ids)
    if args.scheduler or args.seeds:  # a Dask cluster and/or a seed sweep
        from theorems.core import cluster_cli

        return cluster_cli.verify(args, argv, claims)
    results, interrupted = run_many(
        claims,
        profile=args.profile,
        seed=args.seed,
        jobs=args.jobs,
        figures=args.figures,
        quiet=args.quiet,
    )
    return _finish(
        results,
        interrupted,
        args,
        t0,
        f"theorems verify ({len(claims)} claims)",
        DEFAULT_JSON,
        argv,
    )


def cmd_falsify(args: argparse.Namespace, argv: list[str]) -> int:
    from theorems.core.discovery import load_file

    t0 = time.perf_counter()
    loaded = load_file(args.file)
    if loaded.error is not None:
        if loaded.error.startswith("no such file"):
            raise UsageError(loaded.error)
        print(f"error: could not import {args.file}:\n{loaded.error}", file=sys.stderr)
        return _finish(
            [],
            False,
            args,
            t0,
            f"theorems falsify {args.file}",
            None,
            argv,
            [{"module": args.file, "traceback": loaded.error}],
            falsify=True,
        )
    if not loaded.claims:
        raise UsageError(f"{args.file} defines no claim or conjecture (use @theorems.claim)")
    if args.scheduler or args.seeds:  # a Dask cluster and/or a seed sweep
        from theorems.core import cluster_cli

        return cluster_cli.falsify(args, argv, args.file, loaded.claims)
    results, interrupted = run_many(
        loaded.claims,
        profile=args.profile,
        seed=args.seed,
        jobs=args.jobs,
        figures=args.figures,
        quiet=args.quiet,
        files=[args.file],
    )
    for r in results:  # the replay command of a user's claim is this falsify command
        for v in [r.verdict, *r.false_variants]:
            rp = v.evidence.get("replay")
            if isinstance(rp, dict):
                rp["command"] = (
                    f"theorems falsify {args.file} --profile {args.profile} --seed {args.seed}"
                )
                if "call" in rp:
                    rp["call"] = f"theorems.core.discovery.load_file({args.file!r}); " + rp["call"]
    return _finish(
        results, interrupted, args, t0, f"theorems falsify {args.file}", None, argv, falsify=True
    )


def cmd_docs(args: argparse.Namespace) -> int:
    from theorems.core.docs_gen import write_claim_pages

    paths = write_claim_pages(args.outdir)
    print(f"wrote {len(paths)} pages to {args.outdir}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parser().parse_args(argv)
        if args.command is None:
            raise UsageError("a command is required: list, show, verify, falsify, docs or report")
        if args.command == "list":
            return cmd_list(args)
        if args.command == "show":
            return cmd_show(args)
        if args.command == "verify":
            return cmd_verify(args, argv)
        if args.command == "falsify":
            return cmd_falsify(args, argv)
        if args.command == "docs":
            return cmd_docs(args)
        if args.command == "report":
            from theorems.report_html import cmd_report

            return cmd_report(args)
        raise UsageError(f"unknown command {args.command!r}")
    except UsageError as exc:
        print(f"theorems: error: {exc}", file=sys.stderr)
        return 2
    except UnknownClaimError as exc:
        print(f"theorems: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
