"""The oracle: run a predicate on instances drawn by hypothesis and reach a verdict.

Hypothesis draws instances from the claim's strategy (the paper's assumptions), the predicate returns a
:class:`~theorems.core.checks.Check` on each, and:

* the first violated instance is shrunk by hypothesis to a minimal counterexample -> ``falsified``;
* a predicate that raises (any exception, ``SystemExit`` included; Ctrl-C excepted) or overruns its
  deadline is shrunk the same way and reported with its traceback -> ``error``;
* an inconclusive or vacuous instance is *rejected*, like ``hypothesis.reject()``: it does not use up the
  example budget, and the search goes on (up to a cap on rejections);
* otherwise the claim ``holds`` if at least ``min_conclusive`` conclusive instances were found, and is
  ``inconclusive`` if fewer were (the evidence says how many were tried and why they were rejected).

Pinned instances (a refuted conjecture's counterexamples) are replayed before the search.

Each run is reproducible from its seed: hypothesis is seeded with ``(seed, id)``, its example database
is off, and shrinking is bounded by *work* (a number of new evaluations after the first failure), not
by time, so the counterexample does not depend on the machine. A wall-clock cap guards against
pathologically slow predicates only; when it is what stopped shrinking, the evidence says so
(``shrink.stopped_by == "time cap"``) and the counterexample is then machine-dependent. Predicates are
cached by instance *content*, so shrinking and the final replay never recompute a known instance.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import signal
import threading
import time
import traceback
import warnings
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import hypothesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable, UnsatisfiedAssumption

from theorems.core.checks import Check
from theorems.core.claims import DEFAULT_DEADLINE, FAMILY_LEVEL, Claim, Context, FalseVariant
from theorems.core.determinism import local_constants_pinned
from theorems.core.verdicts import ClaimResult, Outcome, Verdict

# Shrinking is bounded by work: new predicate evaluations after the first failure.
SHRINK_EVALUATIONS = {"dev": 40, "ci": 80, "thorough": 400}
# Safety cap in seconds on shrinking (only reached by slow predicates; reported when it is).
SHRINK_TIME_CAP = {"dev": 30.0, "ci": 60.0, "thorough": 600.0}
# A claim holds only on at least this many conclusive instances (fewer if its budget is smaller).
MIN_CONCLUSIVE = 3


def reject_cap(max_examples: int) -> int:
    """Inconclusive/vacuous instances evaluated before the search gives up generating more."""
    return max(10, 2 * max_examples)


def assume_cap(max_examples: int) -> int:
    """``assume()`` rejections (usually cheap) tolerated before the search gives up generating."""
    return max(50, 10 * max_examples)


class _Violation(AssertionError):
    def __init__(self, instance: Any, check: Check) -> None:
        super().__init__("claim violated")
        self.instance = instance
        self.check = check


class PredicateExit(Exception):
    """A predicate raised a ``BaseException`` that is not an ``Exception`` (e.g. ``sys.exit``)."""


class InstanceDeadlineExceeded(Exception):
    """An instance ran past its claim's deadline."""


# Sentinels returned by ``evaluate`` for instances that are not evaluated.
_SKIP = object()  # shrink budget spent, or generation stopped: counts as passing, records nothing


def instance_key(instance: Any) -> str:
    """A content hash of an instance: numpy arrays by dtype, shape and bytes (not their ``repr``, which
    elides the middle of large arrays), containers recursively, other objects by ``repr``."""
    h = hashlib.sha256()
    _feed(h, instance)
    return h.hexdigest()


def _feed(h: Any, x: Any) -> None:
    import numpy as np

    if isinstance(x, dict):
        h.update(b"{")
        for k in sorted(x, key=repr):
            _feed(h, k)
            h.update(b":")
            _feed(h, x[k])
        h.update(b"}")
    elif isinstance(x, (list, tuple)):
        h.update(b"[" if isinstance(x, list) else b"(")
        for v in x:
            _feed(h, v)
            h.update(b",")
        h.update(b"]")
    elif isinstance(x, np.ndarray):
        a = np.ascontiguousarray(x)
        h.update(f"nd{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes() if a.dtype != object else repr(a.tolist()).encode())
    elif isinstance(x, float):
        h.update(b"f" + x.hex().encode())
    else:
        h.update(f"{type(x).__name__}:{x!r}".encode())


def jsonable(x: Any) -> Any:
    """Instances and evidence as JSON-serialisable values."""
    import numpy as np

    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    if isinstance(x, (str, int, float, bool)) or x is None:
        return x
    if hasattr(x, "to_dict"):
        return jsonable(x.to_dict())
    return repr(x)


@contextlib.contextmanager
def instance_deadline(seconds: float | None, what: str) -> Iterator[None]:
    """Raise :class:`InstanceDeadlineExceeded` in the block after ``seconds`` (SIGALRM; main thread only).

    Pure-Python loops and sleeps are interrupted; a single long C call is interrupted when it returns.
    Where SIGALRM is unavailable (threads, Windows) the runner checks the time after the call instead.
    """
    usable = (
        seconds is not None
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0.0  # nobody else's timer is running
    )
    if not usable:
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise InstanceDeadlineExceeded(f"{what} ran past its deadline of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, previous)


def _is_hypothesis_control(exc: BaseException) -> bool:
    return isinstance(exc, UnsatisfiedAssumption) or type(exc).__module__.startswith("hypothesis")


class _Search:
    """The per-run state of one predicate's search (cache, tallies, shrink and rejection budgets)."""

    def __init__(
        self,
        target_id: str,
        predicate: Callable[[Any, Context], Check],
        ctx: Context,
        *,
        max_examples: int,
        deadline: float | None,
        budget_seconds: float | None,
        undeclared_tests_forbidden: bool = False,
    ) -> None:
        self.target_id, self.predicate, self.ctx = target_id, predicate, ctx
        self.undeclared_tests_forbidden = undeclared_tests_forbidden
        self.profile = ctx.profile
        self.deadline = deadline
        self.cache: dict[str, Check | BaseException] = {}
        self.tried: list[tuple[Any, Check]] = []
        self.rejected: Counter[str] = Counter()
        self.warnings: Counter[str] = Counter()
        self.assume_rejections = 0
        self.first_failure_at: float | None = None
        self.shrink_evaluations = 0
        self.shrink_stopped_by: str | None = None
        self.generation_stopped: str | None = None
        self.max_examples = max_examples
        self.t0 = time.perf_counter()
        self.budget_seconds = budget_seconds

    # ----------------------------------------------------------------- budgets
    def _shrink_exhausted(self) -> bool:
        if self.first_failure_at is None:
            return False
        if self.shrink_stopped_by is not None:
            return True
        if self.shrink_evaluations >= SHRINK_EVALUATIONS.get(self.profile, 80):
            self.shrink_stopped_by = "work budget"
        elif time.perf_counter() - self.first_failure_at > SHRINK_TIME_CAP.get(self.profile, 60.0):
            self.shrink_stopped_by = "time cap"
        return self.shrink_stopped_by is not None

    def _generation_exhausted(self) -> bool:
        if self.first_failure_at is not None or self.generation_stopped is not None:
            return self.generation_stopped is not None
        n_rej = sum(self.rejected.values())
        if n_rej >= reject_cap(self.max_examples):
            self.generation_stopped = f"{n_rej} instances were inconclusive or vacuous (cap)"
        elif self.assume_rejections >= assume_cap(self.max_examples):
            self.generation_stopped = f"{self.assume_rejections} instances failed assume() (cap)"
        elif self.budget_seconds is not None and time.perf_counter() - self.t0 > self.budget_seconds:
            self.generation_stopped = f"time budget of {self.budget_seconds:g} s spent"
        return self.generation_stopped is not None

    # ----------------------------------------------------------------- one instance
    def evaluate(self, instance: Any) -> Check | BaseException | object:
        key = instance_key(instance)
        if key in self.cache:
            return self.cache[key]
        if self._shrink_exhausted() or self._generation_exhausted():
            return _SKIP
        if self.first_failure_at is not None:
            self.shrink_evaluations += 1
        started = time.perf_counter()
        try:
            # warnings (e.g. sim's DivergenceWarning from a variant that diverges on purpose) are
            # evidence: tallied in the verdict rather than printed over the progress lines
            with (
                warnings.catch_warnings(record=True) as caught,
                instance_deadline(self.deadline, f"instance {jsonable(instance)!r}"),
            ):
                warnings.simplefilter("default")  # once per place per instance
                check = self.predicate(instance, self.ctx)
            for w in caught:
                self.warnings[_warning_key(w)] += 1
            if self.deadline is not None and time.perf_counter() - started > self.deadline:
                raise InstanceDeadlineExceeded(
                    f"instance {jsonable(instance)!r} ran past its deadline of {self.deadline:g} s"
                )
            if not isinstance(check, Check):
                raise TypeError(
                    f"predicate of {self.target_id!r} returned {type(check).__name__}, expected a Check"
                )
            if self.undeclared_tests_forbidden and is_statistical(check):
                raise UndeclaredStatisticalClaim(
                    f"{self.target_id!r} made a statistical decision (Check.test) but its claim does not "
                    "declare statistical=True; built-in claims must, so that the suite's error budget "
                    "(SUITE_ERROR_RATE in theorems/core/claims.py) counts it"
                )
        except KeyboardInterrupt:
            raise
        except UnsatisfiedAssumption:
            self.assume_rejections += 1
            raise
        except BaseException as exc:  # the user's code raised: an `error` verdict, after shrinking
            if _is_hypothesis_control(exc):
                raise
            err = exc if isinstance(exc, Exception) else PredicateExit(f"{type(exc).__name__}: {exc}")
            err.__theorems_tb__ = "".join(  # type: ignore[attr-defined]
                traceback.format_exception(type(exc), exc, exc.__traceback__)
            )
            err.__theorems_instance__ = instance  # type: ignore[attr-defined]
            self.cache[key] = err
            if self.first_failure_at is None:
                self.first_failure_at = time.perf_counter()
            if isinstance(err, InstanceDeadlineExceeded):
                # do not re-run slow instances to shrink a timeout: report this one
                self.shrink_stopped_by = "deadline"
            return err
        self.cache[key] = check
        self.tried.append((instance, check))
        if check.ok is None:
            self.rejected[_reason_key(check)] += 1
        elif check.ok is False and self.first_failure_at is None:
            self.first_failure_at = time.perf_counter()
        return check


class UndeclaredStatisticalClaim(Exception):
    """A built-in claim decided by a statistical test without declaring ``statistical=True``."""


def is_statistical(check: Check) -> bool:
    """Whether the check is a statistical decision (made at an error rate, not exactly)."""
    return check.details.get("relation") == "test" or "p_value" in check.details


def _warning_key(w: warnings.WarningMessage) -> str:
    text = f"{w.category.__name__}: {w.message}"
    return text if len(text) <= 100 else text[:97] + "..."


def _reason_key(check: Check) -> str:
    reason = str(check.details.get("reason", "no reason given"))
    return reason if len(reason) <= 80 else reason[:77] + "..."


def run_predicate(
    target_id: str,
    predicate: Callable[[Any, Context], Check],
    strategy: hypothesis.strategies.SearchStrategy,
    *,
    max_examples: int,
    profile: str = "dev",
    seed: int = 0,
    figures_dir: str | None = None,
    pinned: Iterable[Any] = (),
    deadline: float | None = None,
    min_conclusive: int | None = None,
    budget_seconds: float | None = None,
    family_error_rate: float = FAMILY_LEVEL,
    undeclared_tests_forbidden: bool = False,
) -> Verdict:
    """Run one predicate over hypothesis-drawn instances; return its verdict.

    ``max_examples`` is the number of *conclusive* instances sought; ``min_conclusive`` the number
    needed for ``holds`` (default ``min(MIN_CONCLUSIVE, max_examples)``); ``pinned`` instances are
    replayed first; ``deadline`` (seconds per instance; default by profile) stops a hanging predicate;
    ``budget_seconds`` stops generating new instances after that long (a time-bounded hunt).
    ``family_error_rate`` is split over the instances (``ctx.level``); with
    ``undeclared_tests_forbidden`` a statistical check is an error (a built-in claim that did not
    declare ``statistical=True``, which the suite's error budget counts on).
    """
    from theorems.core.claims import PROFILES

    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; use one of {list(PROFILES)}")
    if max_examples < 1:
        raise ValueError(f"max_examples must be at least 1, got {max_examples}")
    t0 = time.perf_counter()
    if not 0.0 < family_error_rate < 1.0:
        raise ValueError(f"family_error_rate must be in (0, 1), got {family_error_rate!r}")
    level = family_error_rate / max(1, max_examples)
    ctx = Context(profile=profile, seed=seed, level=level, figures_dir=figures_dir)
    required = min(MIN_CONCLUSIVE, max_examples) if min_conclusive is None else min_conclusive
    search = _Search(
        target_id,
        predicate,
        ctx,
        max_examples=max_examples,
        deadline=DEFAULT_DEADLINE[profile] if deadline is None else deadline,
        budget_seconds=budget_seconds,
        undeclared_tests_forbidden=undeclared_tests_forbidden,
    )
    pinned = list(pinned)

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
        report_multiple_bugs=False,
        print_blob=False,
        verbosity=hypothesis.Verbosity.quiet,
    )
    @given(strategy)
    def prop(instance: Any) -> None:
        result = search.evaluate(instance)
        if result is _SKIP:
            return
        if isinstance(result, BaseException):
            raise result
        assert isinstance(result, Check)
        if result.ok is None:
            hypothesis.reject()  # inconclusive/vacuous: does not use up the budget
        if math.isfinite(result.margin):
            # every profile hunts toward the claim's boundary: after a first share of random draws,
            # hypothesis hill-climbs on -margin (benchmarks/search_power.py measures the effect)
            hypothesis.target(-float(result.margin), label="negative margin")
        if result.ok is False:
            raise _Violation(instance, result)

    for inst in reversed(pinned):
        prop = hypothesis.example(inst)(prop)
    run_seed = zlib.crc32(f"{seed}:{target_id}".encode())
    prop = hypothesis.seed(run_seed)(prop)
    replay = _replay(target_id, profile, seed)

    def finish(outcome: Outcome, reason: str, ev: dict[str, Any]) -> Verdict:
        ev = _summary(search, family_error_rate, level, required) | ev
        if pinned:
            ev["pinned"] = [_pinned_result(search, inst) for inst in pinned]
        if search.first_failure_at is not None:
            ev["shrink"] = {
                "evaluations": search.shrink_evaluations,
                "stopped_by": search.shrink_stopped_by or "completed",
                "reproducible": search.shrink_stopped_by != "time cap",
            }
        return Verdict(target_id, outcome, reason, ev, time.perf_counter() - t0)

    try:
        # instances depend on (strategy, seed) only, not on which local modules are imported:
        # local, pooled and Dask runs must give the same report (theorems/core/determinism.py)
        with local_constants_pinned():
            prop()
    except _Violation as v:
        ev: dict[str, Any] = {
            "counterexample": {"instance": jsonable(v.instance), "check": v.check.to_dict()},
            "replay": replay | {"call": _replay_call(target_id, v.instance, profile, seed)},
        }
        sharp = sharpness(v.check)
        if sharp is not None:
            ev["sharpness"] = sharp
        return finish(Outcome.FALSIFIED, _reason_falsified(v.check), ev)
    except Unsatisfiable:
        return finish(
            Outcome.INCONCLUSIVE,
            "no generated instance was conclusive: " + _rejection_text(search),
            {"replay": replay},
        )
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # raised by the predicate (shrunk) or by the strategy
        if isinstance(exc, (SystemExit, GeneratorExit)) or not isinstance(exc, Exception):
            exc = PredicateExit(f"{type(exc).__name__}: {exc}")
        inst = getattr(exc, "__theorems_instance__", None)
        ev = {
            "traceback": getattr(exc, "__theorems_tb__", None)
            or "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
            "error_instance": jsonable(inst),
            "replay": replay
            | ({"call": _replay_call(target_id, inst, profile, seed)} if inst is not None else {}),
        }
        return finish(Outcome.ERROR, f"{type(exc).__name__}: {exc}", ev)

    n_conclusive = sum(1 for _, c in search.tried if c.ok is not None)
    if n_conclusive >= required and n_conclusive > 0:
        reason = f"held on all {n_conclusive} conclusive instances"
        if search.rejected or search.assume_rejections:
            reason += f" ({_rejection_text(search)})"
        return finish(Outcome.HOLDS, reason, {"replay": replay})
    why = f"only {n_conclusive} conclusive instance(s), {required} needed; " + _rejection_text(search)
    if search.generation_stopped:
        why += f"; search stopped: {search.generation_stopped}"
    return finish(Outcome.INCONCLUSIVE, why, {"replay": replay})


def _pinned_result(search: _Search, instance: Any) -> dict[str, Any]:
    res = search.cache.get(instance_key(instance))
    out: dict[str, Any] = {"instance": jsonable(instance)}
    if isinstance(res, Check):
        out["ok"] = res.ok
        out["falsified"] = res.ok is False
    elif isinstance(res, BaseException):
        out["ok"] = None
        out["falsified"] = False
        out["error"] = f"{type(res).__name__}: {res}"
    else:
        out["ok"] = None
        out["falsified"] = False
        out["error"] = "not evaluated"
    return out


def _rejection_text(search: _Search) -> str:
    parts = []
    n_rej = sum(search.rejected.values())
    if n_rej:
        top = "; ".join(f"{k} (x{n})" for k, n in search.rejected.most_common(3))
        parts.append(f"{n_rej} rejected as inconclusive/vacuous: {top}")
    if search.assume_rejections:
        parts.append(f"{search.assume_rejections} failed the claim's assume()")
    return ", ".join(parts) if parts else "no instance rejected"


def sharpness(check: Check) -> dict[str, Any] | None:
    """By how much a counterexample violates the claim: in tolerances, relative to the prediction, or
    in decades of p-value below the test's level. Large values mean the check was not near its
    boundary (a false variant that misses by 400 tolerances proves little)."""
    d = check.details
    if d.get("relation") == "test" or "p_value" in d:
        p, lev = d.get("p_value"), d.get("level")
        if isinstance(p, (int, float)) and isinstance(lev, (int, float)) and p > 0 and lev > 0:
            return {"value": math.log10(lev / p), "unit": "decades of p-value below the level"}
        if not math.isfinite(check.margin):
            return None  # a p-value that underflowed to 0, or a decision without a margin
        # a decision by confidence interval: fall through to the margin
    if not math.isfinite(check.margin):
        return None
    if check.tolerance is not None and math.isfinite(check.tolerance) and check.tolerance > 0:
        return {"value": -check.margin / check.tolerance, "unit": "tolerances"}
    pred = check.predicted
    if isinstance(pred, (int, float)) and math.isfinite(pred) and pred != 0:
        return {"value": -check.margin / abs(pred), "unit": "relative to the prediction"}
    return {"value": -check.margin, "unit": "absolute (no tolerance stated)"}


def _reason_falsified(check: Check) -> str:
    parts = []
    if check.measured is not None:
        parts.append(f"measured {_fmt(check.measured)}")
    if check.predicted is not None:
        parts.append(f"predicted {_fmt(check.predicted)}")
    if math.isfinite(check.margin):
        parts.append(f"margin {check.margin:.3g}")
    p = check.details.get("p_value")
    if isinstance(p, (int, float)) and math.isfinite(p):
        parts.append(f"p={p:.3g} < level {check.details.get('level', 0):.3g}")
    if "reason" in check.details:
        parts.append(str(check.details["reason"]))
    return "counterexample: " + ", ".join(parts) if parts else "counterexample found"


def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:.4g}"
    if isinstance(x, dict) and "max_abs" in x:
        return f"|.|max={x['max_abs']:.4g}"
    s = repr(x)
    return s if len(s) < 60 else s[:57] + "..."


def _summary(search: _Search, family_error_rate: float, level: float, required: int) -> dict[str, Any]:
    tried = search.tried
    conclusive = [(i, c) for i, c in tried if c.ok is not None]
    n_tests = sum(1 for _, c in tried if is_statistical(c))
    ev: dict[str, Any] = {
        "instances_tried": len(tried),
        "instances_conclusive": len(conclusive),
        "instances_inconclusive": sum(1 for _, c in tried if c.ok is None and not c.vacuous),
        "instances_vacuous": sum(1 for _, c in tried if c.vacuous),
        "assume_rejections": search.assume_rejections,
        "rejection_reasons": dict(search.rejected.most_common(5)),
        "warnings": dict(search.warnings.most_common(5)),
        "required_conclusive": required,
        # statistical decisions: family error rate per claim, Bonferroni-split over instances
        "family_error_rate": family_error_rate,
        "instance_level": level,
        "statistical_decisions": n_tests,
        # Bonferroni over the tests actually made, rejected (inconclusive) instances included: the
        # error this verdict spent, to compare with family_error_rate
        "error_spent": level * n_tests,
    }
    finite = [(i, c) for i, c in conclusive if math.isfinite(c.margin)]
    if finite:
        inst, chk = min(finite, key=lambda ic: ic[1].margin)
        ev["worst"] = {"instance": jsonable(inst), "check": chk.to_dict()}
        ev["measured"] = jsonable(chk.measured)
        ev["predicted"] = jsonable(chk.predicted)
        ev["margin"] = float(chk.margin)
    elif conclusive:
        inst, chk = conclusive[0]
        ev["worst"] = {"instance": jsonable(inst), "check": chk.to_dict()}
    return ev


def _replay_call(target_id: str, instance: Any, profile: str, seed: int) -> str:
    # profile and seed too: a predicate may size its work by profile or derive data from the run seed
    return f"theorems.replay({target_id!r}, {jsonable(instance)!r}, profile={profile!r}, seed={seed})"


def _replay(target_id: str, profile: str, seed: int) -> dict[str, str]:
    claim_id = target_id.split(":")[0]
    return {"command": f"theorems verify '{claim_id}' --profile {profile} --seed {seed}"}


def _has_strategy(strategy: Any) -> bool:
    return strategy is not None


def run_claim_predicate(
    c: Claim,
    profile: str = "dev",
    seed: int = 0,
    figures_dir: str | None = None,
    *,
    max_examples: int | None = None,
    budget_seconds: float | None = None,
) -> Verdict:
    """The verdict on a claim itself (not its false variants)."""
    return run_predicate(
        c.id,
        c.predicate,
        c.get_strategy(),
        max_examples=max_examples or c.max_examples(profile),
        profile=profile,
        seed=seed,
        figures_dir=figures_dir,
        pinned=c.pinned,
        deadline=c.deadline_for(profile),
        # a claim without a strategy has exactly one instance ({}), so one conclusive check suffices
        min_conclusive=None if _has_strategy(c.strategy) else 1,
        budget_seconds=budget_seconds,
        family_error_rate=c.family_error_rate,
        undeclared_tests_forbidden=c.builtin and not c.statistical,
    )


def run_false_variant(
    variant: FalseVariant,
    profile: str,
    seed: int,
    figures_dir: str | None = None,
    *,
    max_examples: int | None = None,
    budget_seconds: float | None = None,
) -> Verdict:
    parent = variant.parent
    has_strategy = _has_strategy(variant.strategy) or (parent is not None and _has_strategy(parent.strategy))
    return run_predicate(
        variant.id,
        variant.predicate,
        variant.get_strategy(),
        max_examples=max_examples or variant.max_examples(profile),
        profile=profile,
        seed=seed,
        figures_dir=figures_dir,
        deadline=parent.deadline_for(profile) if parent is not None else None,
        min_conclusive=None if has_strategy else 1,
        budget_seconds=budget_seconds,
        family_error_rate=parent.family_error_rate if parent is not None else FAMILY_LEVEL,
        undeclared_tests_forbidden=parent is not None and parent.builtin and not parent.statistical,
    )


def _error_verdict(target_id: str, exc: BaseException) -> Verdict:
    return Verdict(
        target_id,
        Outcome.ERROR,
        f"{type(exc).__name__}: {exc}",
        {"traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))},
    )


def run_claim(
    c: Claim,
    profile: str = "dev",
    seed: int = 0,
    figures_dir: str | None = None,
    *,
    max_examples: int | None = None,
    budget_seconds: float | None = None,
) -> ClaimResult:
    """Verify a claim and its false variants. Never raises for a claim's own failures (Ctrl-C aside)."""
    try:
        verdict = run_claim_predicate(
            c, profile, seed, figures_dir, max_examples=max_examples, budget_seconds=budget_seconds
        )
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        verdict = _error_verdict(c.id, exc)
    variants = []
    for v in c.false_variants:
        try:
            variants.append(
                run_false_variant(
                    v, profile, seed, figures_dir, max_examples=max_examples, budget_seconds=budget_seconds
                )
            )
        except KeyboardInterrupt:
            raise
        except BaseException as exc:
            variants.append(_error_verdict(v.id, exc))
    figures: list[str] = []
    if figures_dir and c.figures is not None:
        try:
            ctx = Context(profile=profile, seed=seed, figures_dir=figures_dir)
            figures = list(c.figures(ctx, figures_dir) or [])
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # a figure must never cost the verdicts
            figures = [f"error: {type(exc).__name__}: {exc}"]
    return ClaimResult(c.id, c.paper.key, c.status.value, c.kind.value, verdict, variants, figures)
