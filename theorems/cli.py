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
DEFAULT_FALSIFY_JSON = "theorems-falsify-report.json"


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
    s.add_argument(
        "--report",
        default=DEFAULT_JSON,
        metavar="PATH",
        help=f"also show the claim's verdict and variant sharpness from this report "
        f"(default {DEFAULT_JSON}, if present)",
    )

    def run_opts(sp: argparse.ArgumentParser) -> None:
        default_profile = os.environ.get("THEOREMS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
        sp.add_argument(
            "--profile",
            choices=PROFILES,
            default=default_profile,
            help="dev (quick, default), ci, thorough (many examples)",
        )
        sp.add_argument("--seed", type=_nonneg_int, default=0, help="run seed (default 0)")
        sp.add_argument(
            "--jobs",
            type=_pos_int,
            default=_default_jobs(),
            help=f"parallel processes (default: the usable CPU cores, here {_default_jobs()})",
        )
        sp.add_argument(
            "--max-examples",
            type=_pos_int,
            default=None,
            metavar="N",
            help="conclusive instances sought per claim and variant (default: the claim's, by profile)",
        )
        sp.add_argument(
            "--budget",
            type=_pos_float,
            default=None,
            metavar="SECONDS",
            help="stop generating new instances for a claim after SECONDS (a time-bounded hunt; "
            "with --max-examples large, the search runs until the budget is spent)",
        )
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
    v.add_argument("ids", nargs="*", metavar="ID", help="claim ids, prefixes or globs (default: all)")
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


def _pos_float(s: str) -> float:
    try:
        v = float(s)
    except ValueError:
        v = -1.0
    if not (v > 0 and v < float("inf")):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {s!r}")
    return v


def _default_jobs() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        n = os.cpu_count() or 1
    return max(1, n)


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
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
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
    rows = [[c.id, c.paper.key, c.status.value, c.kind.value, str(len(c.false_variants))] for c in reg]
    _print_table(f"{len(rows)} claims", ["id", "paper", "status", "kind", "false variants"], rows)
    _report_load_errors()
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    import theorems

    c = theorems.registry()[args.id]
    print(render_claim_text(c))
    last = _last_result(c.id, args.report)
    if last:
        print(last)
    return 0


def _last_result(claim_id: str, path: str) -> str:
    """The claim's verdict and its variants' sharpness in the last report, if there is one."""
    import json

    try:
        with open(path, encoding="utf-8") as fh:
            report = json.load(fh)
    except (OSError, ValueError):
        return ""
    entry = next((c for c in report.get("claims", []) if c.get("id") == claim_id), None)
    if entry is None:
        return ""
    ev = entry.get("evidence", {})
    out = [
        "",
        f"Last run ({path}: profile {report.get('profile')}, seed {report.get('seed')}):",
        f"  {entry['verdict']}: {entry.get('reason', '')}",
        f"  conclusive instances {ev.get('instances_conclusive', '?')}, inconclusive "
        f"{ev.get('instances_inconclusive', 0)}, vacuous {ev.get('instances_vacuous', 0)}, "
        f"assume() rejections {ev.get('assume_rejections', 0)}",
    ]
    for v in entry.get("false_variants", []):
        sh = v.get("evidence", {}).get("sharpness")
        sharp = f"; sharpness {sh['value']:.3g} {sh['unit']}" if sh else ""
        out.append(f"  - {v['id']}: {v['verdict']}{sharp}")
    return "\n".join(out)


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


def _worker(claim_id: str, profile: str, seed: int, figures: str | None, limits: dict) -> ClaimResult:
    from theorems.core.claims import REGISTRY
    from theorems.core.runner import run_claim

    return run_claim(REGISTRY[claim_id], profile=profile, seed=seed, figures_dir=figures, **limits)


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
    max_examples: int | None = None,
    budget: float | None = None,
) -> tuple[list[ClaimResult], bool]:
    """Run claims (in parallel processes when jobs > 1). Returns (results, interrupted)."""
    from theorems.core.runner import run_claim

    limits = {"max_examples": max_examples, "budget_seconds": budget}

    results: dict[str, ClaimResult] = {}
    interrupted = False
    progress = _Progress(len(claims), quiet)
    try:
        if jobs == 1 or len(claims) <= 1:
            for c in claims:
                progress.start(c.id)
                results[c.id] = run_claim(c, profile=profile, seed=seed, figures_dir=figures, **limits)
                progress.done(results[c.id])
        else:
            ex = ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init, initargs=(list(files),))
            try:
                futs = {ex.submit(_worker, c.id, profile, seed, figures, limits): c for c in claims}
                for fut in as_completed(futs):
                    c = futs[fut]
                    try:
                        results[c.id] = fut.result()
                    except Exception as exc:
                        import traceback

                        results[c.id] = _error_result(c, f"worker failed: {exc}", traceback.format_exc())
                    progress.done(results[c.id])
            except KeyboardInterrupt:
                # keep what finished; do not wait for the claims still running: stop the workers
                _terminate_pool(ex)
                raise
            ex.shutdown()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        progress.close()
    ordered = [results[c.id] for c in claims if c.id in results]
    return ordered, interrupted


def _terminate_pool(ex: ProcessPoolExecutor) -> None:
    """Cancel pending claims and end the worker processes now (Ctrl-C must return at once)."""
    procs = list(getattr(ex, "_processes", {}).values())  # no public handle on the workers
    ex.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        try:
            proc.terminate()
        except Exception:  # pragma: no cover - already gone
            pass
    for proc in procs:
        proc.join(timeout=2)


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
                f"[{self.n}/{self.total}] {r.claim_id}: {r.verdict.outcome.value} ({r.seconds:.1f}s) {mark}",
                file=sys.stderr,
                flush=True,
            )

    def close(self) -> None:
        if self._rich is not None:
            self._rich.stop()


_RELATION_LABEL = {"upper": "bound (<=)", "lower": "bound (>=)", "close": "pred", "test": "pred"}


def _evidence_cell(r: ClaimResult) -> str:
    ev = r.verdict.evidence
    if r.verdict.outcome is not Outcome.HOLDS:
        return r.verdict.reason[:90]
    parts = [f"n={ev.get('instances_conclusive', ev.get('instances_tried', 0))}"]
    n_rej = ev.get("instances_inconclusive", 0) + ev.get("instances_vacuous", 0)
    if n_rej or ev.get("assume_rejections"):
        parts.append(f"rejected {n_rej + ev.get('assume_rejections', 0)}")
    if "margin" in ev:
        parts.append(f"min margin {ev['margin']:.3g}")
    worst = ev.get("worst", {}).get("check", {})
    det = worst.get("details", {})
    pv = det.get("p_value")
    if isinstance(pv, (int, float)) and pv == pv:  # skip NaN
        parts.append(f"p={pv:.3g}")
    m, p = worst.get("measured"), worst.get("predicted")
    if isinstance(m, (int, float)) and isinstance(p, (int, float)):
        label = _RELATION_LABEL.get(det.get("relation", ""), "pred")
        parts.append(f"meas {m:.4g} vs {label} {p:.4g}")
    return ", ".join(parts)


def _variants_cell(r: ClaimResult) -> str:
    if not r.false_variants:
        return "none"
    k = sum(v.outcome is Outcome.FALSIFIED for v in r.false_variants)
    cell = f"{k}/{len(r.false_variants)} falsified"
    tol = [
        v.evidence["sharpness"]["value"]
        for v in r.false_variants
        if v.evidence.get("sharpness", {}).get("unit") == "tolerances"
    ]
    if tol:  # how sharp the checks are: a variant falsified by 400 tolerances proves little
        lo, hi = _fmt_sharp(min(tol)), _fmt_sharp(max(tol))
        cell += f" ({lo} tol)" if lo == hi else f" ({lo}-{hi} tol)"
    bad = [v for v in r.false_variants if v.outcome is not Outcome.FALSIFIED]
    if bad:
        cell += " (not: " + ", ".join(f"{v.id.split(':')[1]}={v.outcome.value}" for v in bad) + ")"
    return cell


def _fmt_sharp(x: float) -> str:
    return f"{x:.2g}" if x < 1e4 else f"{x:.0e}"


def _expected(status: str) -> Outcome | None:
    return {"conjecture": None, "refuted": Outcome.FALSIFIED}.get(status, Outcome.HOLDS)


def print_results(results: list[ClaimResult], title: str, *, full_tracebacks: bool = False) -> None:
    rows = []
    for r in results:
        rows.append(
            [
                r.claim_id,
                r.status,
                _verdict_cell(r.verdict.outcome, _expected(r.status)),
                _variants_cell(r),
                _evidence_cell(r),
                f"{r.seconds:.1f}",
            ]
        )
    _print_table(title, ["claim", "status", "verdict", "false variants", "evidence", "s"], rows)
    # Counterexamples found for the claims, and anything unexpected, in full.
    for r in results:
        for v in [r.verdict, *r.false_variants]:
            ce = v.evidence.get("counterexample")
            if v.outcome is Outcome.ERROR:
                print(f"\n{v.id}: error: {v.reason}")
                inst = v.evidence.get("error_instance")
                if inst is not None:
                    print(f"    instance: {inst}")
                tb = v.evidence.get("traceback")
                if tb:
                    shown = tb.strip() if full_tracebacks else tb.strip().splitlines()[-1]
                    print(textwrap.indent(shown, "    "))
            elif ce is not None and v.id == r.claim_id:
                print(
                    f"\n{v.id}: {v.outcome.value}: {v.reason}\n    instance: {ce['instance']}"
                    f"\n    replay: {v.evidence.get('replay', {}).get('call', '')}"
                )
                details = {
                    k: val
                    for k, val in (ce.get("check", {}).get("details") or {}).items()
                    if k not in ("relation",)
                }
                if details:
                    shown = {k: _short_repr(val) for k, val in details.items()}
                    text = ", ".join(f"{k}={val}" for k, val in shown.items())
                    print(textwrap.indent(textwrap.fill(f"details: {text}", 110), "    "))
            pinned = v.evidence.get("pinned") or []
            lost = [p for p in pinned if not p.get("falsified")]
            if lost:
                print(
                    f"\n{v.id}: REGRESSION: {len(lost)} pinned counterexample(s) no longer "
                    f"falsify it: {[p['instance'] for p in lost]}"
                )


def _short_repr(x: object, limit: int = 80) -> str:
    r = repr(x)
    return r if len(r) <= limit else r[: limit - 5] + " ...]"


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


def check_output_path(path: str | None, what: str, *, directory: bool = False) -> None:
    """Refuse an output path that cannot be written *before* a run (exit 2), not after it."""
    if path is None or path == "-":
        return
    if path.strip() == "":
        raise UsageError(f"{what}: empty path")
    target = os.path.abspath(path)
    if directory:
        if os.path.exists(target) and not os.path.isdir(target):
            raise UsageError(f"{what}: {path!r} exists and is not a directory")
        probe = target
        while not os.path.exists(probe):
            probe = os.path.dirname(probe)
        if not os.path.isdir(probe):
            raise UsageError(f"{what}: cannot create {path!r}: {probe!r} is not a directory")
        if not os.access(probe, os.W_OK | os.X_OK):
            raise UsageError(f"{what}: cannot write into {probe!r} (permission denied)")
        return
    if os.path.isdir(target):
        raise UsageError(f"{what}: {path!r} is a directory; give a file path")
    parent = os.path.dirname(target)
    probe = parent
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe):
        raise UsageError(f"{what}: cannot create {path!r}: {probe!r} is a file, not a directory")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise UsageError(f"{what}: cannot write into {probe!r} (permission denied)")
    if os.path.exists(target) and not os.access(target, os.W_OK):
        raise UsageError(f"{what}: {path!r} is not writable (permission denied)")


def _json_path(args: argparse.Namespace, default_json: str | None) -> str | None:
    path = args.json if args.json is not None else default_json
    return None if not path or path == "-" else path


def check_run_outputs(args: argparse.Namespace, default_json: str | None) -> None:
    if args.json is not None and args.json.strip() == "":
        raise UsageError("--json: empty path (use '-' for no JSON report)")
    check_output_path(_json_path(args, default_json), "--json")
    check_output_path(args.junit, "--junit")
    check_output_path(args.figures, "--figures", directory=True)


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
    # The verdicts are shown first: a report that cannot be written must not cost them.
    print_results(results, title, full_tracebacks=falsify)
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
    write_failed = False
    json_path = _json_path(args, default_json)
    for path, write in (
        (json_path, lambda p: write_json(p, report)),
        (args.junit, lambda p: write_junit(p, results, total)),
    ):
        if not path:
            continue
        try:
            write(path)
        except OSError as exc:
            write_failed = True
            print(f"theorems: error: could not write {path}: {exc}", file=sys.stderr)
        else:
            if path == json_path:
                print(f"report: {json_path}")
    if interrupted:
        print("interrupted: the partial report was written", file=sys.stderr)
        return 130
    if write_failed:
        return 1
    if falsify:  # a hunt succeeds (exit 1) when it finds a counterexample or an error
        found = any(v.outcome in (Outcome.FALSIFIED, Outcome.ERROR) for r in results for v in [r.verdict])
        bad_variants = any(v.outcome is not Outcome.FALSIFIED for r in results for v in r.false_variants)
        return 1 if found or bad_variants or load_errors else 0
    return 0 if s["ok"] and not load_errors else 1


def cmd_verify(args: argparse.Namespace, argv: list[str]) -> int:
    import theorems

    t0 = time.perf_counter()
    check_run_outputs(args, DEFAULT_JSON)
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
        max_examples=args.max_examples,
        budget=args.budget,
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
    check_run_outputs(args, DEFAULT_FALSIFY_JSON)
    loaded = load_file(args.file)
    if loaded.error is not None:
        if loaded.error.startswith(("no such file", "not a file", "not a Python file")):
            raise UsageError(loaded.error)
        print(f"theorems: error: could not import {args.file}:\n{loaded.error}", file=sys.stderr)
        from theorems.core.report import build_report, write_json

        json_path = _json_path(args, DEFAULT_FALSIFY_JSON)
        if json_path:
            report = build_report(
                [],
                seed=args.seed,
                profile=args.profile,
                total_seconds=time.perf_counter() - t0,
                command=["theorems", *argv],
                load_errors=[{"module": args.file, "traceback": loaded.error}],
            )
            try:
                write_json(json_path, report)
            except OSError as exc:
                print(f"theorems: error: could not write {json_path}: {exc}", file=sys.stderr)
        return 1
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
        max_examples=args.max_examples,
        budget=args.budget,
    )
    for r in results:  # the replay command of a user's claim is this falsify command
        for v in [r.verdict, *r.false_variants]:
            rp = v.evidence.get("replay")
            if isinstance(rp, dict):
                rp["command"] = f"theorems falsify {args.file} --profile {args.profile} --seed {args.seed}"
                if "call" in rp:
                    rp["call"] = f"theorems.core.discovery.load_file({args.file!r}); " + rp["call"]
    return _finish(
        results,
        interrupted,
        args,
        t0,
        f"theorems falsify {args.file}",
        DEFAULT_FALSIFY_JSON,
        argv,
        falsify=True,
    )


def cmd_docs(args: argparse.Namespace) -> int:
    from theorems.core.docs_gen import write_claim_pages

    check_output_path(args.outdir, "docs", directory=True)
    paths = write_claim_pages(args.outdir)
    print(f"wrote {len(paths)} pages to {args.outdir}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parser().parse_args(argv)
        if args.command is None:
            raise UsageError("a command is required: list, show, verify, falsify, docs or report")
        if getattr(args, "profile", None) is not None and args.profile not in PROFILES:
            # argparse does not check a default against `choices`: the default comes from the
            # environment, so say where the bad value came from
            raise UsageError(
                f"THEOREMS_PROFILE={args.profile!r} is not a profile; use one of {', '.join(PROFILES)}"
            )
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
