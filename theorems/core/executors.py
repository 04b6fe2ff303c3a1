"""Executors: where the units of work of ``theorems verify`` run.

The unit of work is a :class:`Task`: one claim, or one false variant, at one seed (plus, with
``--figures``, one figure-drawing task per claim and seed). A task names its target by id; the
process that runs it imports the built-in claims (and the user's files, by path) and looks the id up
in its registry, so nothing but ids, a profile, a seed and paths goes over the wire, and verdicts come
back. Every task runs exactly the code of a local run (:func:`~theorems.core.runner.run_predicate`
through :func:`~theorems.core.runner.run_false_variant`, with the same per-target hypothesis seed), so
the assembled report is identical to one from :func:`~theorems.core.runner.run_claim`.

Backends:

* :class:`LocalExecutor` - in this process (``jobs == 1``) or a ``concurrent.futures`` process pool;
  needs nothing beyond the core install.
* :class:`DaskExecutor` - a running Dask scheduler (``--scheduler ADDRESS`` or ``THEOREMS_SCHEDULER``);
  needs the ``cluster`` extra (``pip install -e ".[cluster]"``). A worker that dies has its task rerun
  elsewhere by Dask; a task that kills ``distributed.scheduler.allowed-failures + 1`` workers comes back
  as ``KilledWorker`` and becomes an ``error`` verdict naming the claim.

Ctrl-C cancels whatever has not finished (pending tasks on the cluster too) and returns what did.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from theorems.core.claims import Claim
from theorems.core.verdicts import ClaimResult, Outcome, Verdict

# Seconds to wait for a scheduler at start before calling it unreachable.
CONNECT_TIMEOUT = 5.0
CLUSTER_EXTRA_MESSAGE = (
    "--scheduler needs Dask distributed, which is not installed: "
    "pip install -e '.[cluster]' (or pip install 'sgd-theorems[cluster]')"
)


class SchedulerUnreachable(Exception):
    """No Dask scheduler answered at the given address (a usage error: exit 2)."""


class ClusterExtraMissing(Exception):
    """``--scheduler`` was given but ``dask.distributed`` cannot be imported."""


@dataclass(frozen=True)
class Task:
    """One unit of work. ``target`` is a claim id, ``claim:variant``, or ``claim#figures``."""

    target: str
    seed: int
    profile: str
    figures_dir: str | None = None
    files: tuple[str, ...] = ()
    max_examples: int | None = None  # --max-examples
    budget_seconds: float | None = None  # --budget

    @property
    def claim_id(self) -> str:
        return self.target.split(":")[0].split("#")[0]

    @property
    def label(self) -> str:
        return f"{self.target} seed={self.seed}"


@dataclass
class TaskOutcome:
    """What came back for a task: a verdict (claim or variant) or a list of figure paths."""

    task: Task
    verdict: Verdict | None = None
    figures: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- the work itself
_loaded_files: set[str] = set()


def _ensure_loaded(files: Sequence[str]) -> None:
    """Import the built-in claims (once per process) and the user's files (by path)."""
    from theorems.core.discovery import load_builtin_claims, load_file

    load_builtin_claims()
    for f in files:
        if f in _loaded_files:
            continue
        loaded = load_file(f)
        if loaded.error is not None:
            raise RuntimeError(f"cannot import {f} on this worker: {loaded.error.strip()}")
        _loaded_files.add(f)


# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_malloc_checked = False


def _undo_dask_malloc_trim() -> bool:
    """Give numpy back glibc's usual allocation thresholds in a Dask worker; True if changed.

    Dask's nanny starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536`` (to hand freed memory back
    to the OS). That also pins glibc's mmap threshold at 128 KiB, so every numpy temporary above it is
    a fresh ``mmap`` with its page faults: at the ``thorough`` profile the claims ran 1.45x slower
    (median over tasks, up to 3.9x) on Dask workers than in the local pool
    (benchmarks/results/thorough_local_vs_dask.md). We set the thresholds near glibc's dynamic steady
    state (32 MiB mmap, 64 MiB trim). Only where that variable is set, on Linux: a local run is not
    touched.
    """
    global _malloc_checked
    if _malloc_checked:
        return False
    _malloc_checked = True
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ or not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        ok = libc.mallopt(_M_MMAP_THRESHOLD, 32 * 2**20) == 1
        return bool(libc.mallopt(_M_TRIM_THRESHOLD, 64 * 2**20) == 1 and ok)
    except (OSError, AttributeError):  # not glibc (e.g. musl): leave the allocator alone
        return False


def run_task(task: Task) -> TaskOutcome:
    """Run one task in this process. Never raises for a claim's own failures."""
    from theorems.core.claims import REGISTRY, Context
    from theorems.core.runner import run_claim_predicate, run_false_variant

    _undo_dask_malloc_trim()
    try:
        _ensure_loaded(task.files)
        c = REGISTRY[task.claim_id]
    except Exception as exc:
        v = Verdict(
            task.target,
            Outcome.ERROR,
            f"{type(exc).__name__}: {exc}",
            {"traceback": traceback.format_exc()},
        )
        return TaskOutcome(task, verdict=v)
    if "#" in task.target:  # figures: as in run_claim, a figure never costs a verdict
        figures: list[str] = []
        if task.figures_dir and c.figures is not None:
            try:
                ctx = Context(profile=task.profile, seed=task.seed, figures_dir=task.figures_dir)
                figures = list(c.figures(ctx, task.figures_dir) or [])
            except Exception as exc:
                figures = [f"error: {type(exc).__name__}: {exc}"]
        return TaskOutcome(task, figures=figures)
    # The same calls, arguments and error wrapping as theorems.core.runner.run_claim.
    try:
        limits = {"max_examples": task.max_examples, "budget_seconds": task.budget_seconds}
        if ":" in task.target:
            variant = next(v for v in c.false_variants if v.id == task.target)
            verdict = run_false_variant(variant, task.profile, task.seed, task.figures_dir, **limits)
        else:
            verdict = run_claim_predicate(c, task.profile, task.seed, task.figures_dir, **limits)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        verdict = Verdict(
            task.target,
            Outcome.ERROR,
            f"{type(exc).__name__}: {exc}",
            {"traceback": traceback.format_exc()},
        )
    return TaskOutcome(task, verdict=verdict)


def make_tasks(
    claims: Sequence[Claim],
    seeds: Sequence[int],
    profile: str,
    figures_dir: str | None = None,
    files: Sequence[str] = (),
    max_examples: int | None = None,
    budget_seconds: float | None = None,
) -> list[Task]:
    """Every (claim or false variant, seed), seed-major so that the first seed finishes first."""
    files_t = tuple(os.path.abspath(f) for f in files)
    out = []
    for s in seeds:
        for c in claims:
            targets = [c.id, *(v.id for v in c.false_variants)]
            if figures_dir and c.figures is not None:
                targets.append(f"{c.id}#figures")
            out += [Task(t, s, profile, figures_dir, files_t, max_examples, budget_seconds) for t in targets]
    return out


def failed_outcome(task: Task, message: str, tb: str = "") -> TaskOutcome:
    """An ``error`` verdict for a task whose process failed (e.g. it kept killing workers)."""
    if "#" in task.target:
        return TaskOutcome(task, figures=[f"error: {message}"])
    v = Verdict(
        task.target,
        Outcome.ERROR,
        f"{task.target} (seed {task.seed}): {message}",
        {"traceback": tb} if tb else {},
    )
    return TaskOutcome(task, verdict=v)


def assemble(
    claims: Sequence[Claim], seeds: Sequence[int], outcomes: Iterable[TaskOutcome]
) -> dict[int, list[ClaimResult]]:
    """Per seed, the claims whose claim and variant verdicts all came back, in the given order."""
    got: dict[tuple[str, int], TaskOutcome] = {(o.task.target, o.task.seed): o for o in outcomes}
    by_seed: dict[int, list[ClaimResult]] = {}
    for s in seeds:
        rows = []
        for c in claims:
            main = got.get((c.id, s))
            vs = [got.get((v.id, s)) for v in c.false_variants]
            if main is None or any(v is None for v in vs):
                continue  # interrupted before this claim finished
            fig = got.get((f"{c.id}#figures", s))
            rows.append(
                ClaimResult(
                    c.id,
                    c.paper.key,
                    c.status.value,
                    c.kind.value,
                    main.verdict,  # type: ignore[arg-type]
                    [v.verdict for v in vs],  # type: ignore[union-attr,misc]
                    fig.figures if fig is not None else [],
                )
            )
        by_seed[s] = rows
    return by_seed


# --------------------------------------------------------------------------- progress
class Progress:
    """One line per finished task on stderr (a rich bar on a terminal when rich is installed)."""

    def __init__(self, total: int, quiet: bool, where: str) -> None:
        self.total, self.n, self.quiet = total, 0, quiet or total == 0
        self.where = where
        self._rich: Any = None
        if not self.quiet and sys.stderr.isatty():
            try:
                from rich.progress import Progress as RichProgress

                self._rich = RichProgress(transient=True)
                self._task = self._rich.add_task(f"verifying ({where})", total=total)
                self._rich.start()
            except ImportError:  # pragma: no cover - rich is optional
                self._rich = None

    def done(self, o: TaskOutcome) -> None:
        self.n += 1
        if self.quiet:
            return
        if self._rich is not None:
            self._rich.update(self._task, advance=1, description=o.task.label)
            return
        what = o.verdict.outcome.value if o.verdict is not None else f"{len(o.figures)} figures"
        secs = f" ({o.verdict.seconds:.1f}s)" if o.verdict is not None else ""
        print(f"[{self.n}/{self.total}] {o.task.label}: {what}{secs}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._rich is not None:
            self._rich.stop()


# --------------------------------------------------------------------------- backends
class LocalExecutor:
    """This process (jobs == 1) or a local process pool."""

    def __init__(self, jobs: int = 1) -> None:
        self.jobs = jobs
        self.where = "this process" if jobs == 1 else f"{jobs} local processes"

    def run(
        self, tasks: Sequence[Task], on_done: Callable[[TaskOutcome], None]
    ) -> tuple[list[TaskOutcome], bool]:
        out: list[TaskOutcome] = []
        try:
            if self.jobs == 1 or len(tasks) <= 1:
                for t in tasks:
                    out.append(run_task(t))
                    on_done(out[-1])
                return out, False
            files = sorted({f for t in tasks for f in t.files})
            ex = ProcessPoolExecutor(max_workers=self.jobs, initializer=_ensure_loaded, initargs=(files,))
            try:
                pending = {ex.submit(run_task, t): t for t in tasks}
                while pending:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in done:
                        t = pending.pop(fut)
                        try:
                            o = fut.result()
                        except Exception as exc:  # the process died (BrokenProcessPool...)
                            o = failed_outcome(t, f"worker failed: {exc}", traceback.format_exc())
                        out.append(o)
                        on_done(o)
            except KeyboardInterrupt:
                ex.shutdown(wait=False, cancel_futures=True)
                # do not wait for the running claims (they may take minutes): end the pool's workers
                for child in multiprocessing.active_children():
                    child.terminate()
                raise
            ex.shutdown()
        except KeyboardInterrupt:
            return out, True
        return out, False


class DaskExecutor:
    """A running Dask scheduler, reached at ``address`` (``tcp://host:8786``, ``tls://...``)."""

    def __init__(self, address: str, connect_timeout: float = CONNECT_TIMEOUT) -> None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise ClusterExtraMissing(CLUSTER_EXTRA_MESSAGE) from exc
        self.address = address
        try:
            self.client = Client(address, timeout=f"{connect_timeout}s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SchedulerUnreachable(
                f"cannot reach the Dask scheduler at {address!r} within {connect_timeout:g} s: "
                f"{type(exc).__name__}: {exc}".rstrip(": ")
            ) from None
        n = len(self.client.scheduler_info().get("workers", {}))
        self.where = f"Dask scheduler {address} ({n} workers at start)"

    def run(
        self, tasks: Sequence[Task], on_done: Callable[[TaskOutcome], None]
    ) -> tuple[list[TaskOutcome], bool]:
        from distributed import as_completed

        out: list[TaskOutcome] = []
        stamp = f"{os.getpid()}-{time.time_ns()}"
        futs = {}
        try:
            for i, t in enumerate(tasks):
                # pure=False and a unique key: a rerun is never served from another run's cache
                f = self.client.submit(run_task, t, key=f"theorems-{stamp}-{i}-{t.target}", pure=False)
                futs[f] = t
            for fut in as_completed(list(futs), loop=self.client.loop):
                t = futs[fut]
                try:
                    o = fut.result()
                except Exception as exc:  # KilledWorker: it kept killing workers; or lost
                    name = type(exc).__name__
                    if name == "KilledWorker":
                        msg = (
                            "KilledWorker: this task killed every worker that ran it "
                            "(Dask's distributed.scheduler.allowed-failures was exceeded)"
                        )
                    else:
                        msg = f"the cluster failed to run it: {name}: {exc}"
                    o = failed_outcome(t, msg, traceback.format_exc())
                out.append(o)
                on_done(o)
        except KeyboardInterrupt:
            self.client.cancel([f for f in futs if not f.done()], force=True)
            return out, True
        finally:
            self.close()
        return out, False

    def close(self) -> None:
        try:
            self.client.close(timeout=5)
        except Exception:  # pragma: no cover - best effort at shutdown
            pass


def make_executor(scheduler: str | None, jobs: int) -> LocalExecutor | DaskExecutor:
    if scheduler:
        return DaskExecutor(scheduler)
    return LocalExecutor(jobs)


def run_claims(
    claims: Sequence[Claim],
    *,
    seeds: Sequence[int],
    profile: str,
    executor: LocalExecutor | DaskExecutor,
    figures: str | None = None,
    files: Sequence[str] = (),
    quiet: bool = False,
    max_examples: int | None = None,
    budget_seconds: float | None = None,
) -> tuple[dict[int, list[ClaimResult]], bool]:
    """Run every (claim or variant, seed) on the executor; results per seed, and whether interrupted."""
    tasks = make_tasks(claims, seeds, profile, figures, files, max_examples, budget_seconds)
    progress = Progress(len(tasks), quiet, executor.where)
    try:
        outcomes, interrupted = executor.run(tasks, progress.done)
    finally:
        progress.close()
    return assemble(claims, seeds, outcomes), interrupted
