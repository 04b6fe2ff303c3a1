"""The oracle: run a predicate on instances drawn by hypothesis and reach a verdict.

Hypothesis draws instances from the claim's strategy (the paper's assumptions), the predicate returns a
:class:`~theorems.core.checks.Check` on each, and:

* the first violated instance is shrunk by hypothesis to a minimal counterexample -> ``falsified``;
* a predicate that raises is shrunk the same way and reported with its traceback -> ``error``;
* if no instance is violated but some were inconclusive -> ``inconclusive``;
* otherwise -> ``holds``, with the instance of smallest margin as evidence.

Each run is reproducible from its seed: hypothesis is seeded with ``(seed, id)`` and its example
database is off. Predicates are cached by instance, so shrinking and the final replay never recompute a
known instance, and shrinking stops once the claim's time budget is spent (the counterexample found so
far is kept).
"""

from __future__ import annotations

import math
import time
import traceback
import zlib
from collections.abc import Callable
from typing import Any

import hypothesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from theorems.core.checks import Check
from theorems.core.claims import FAMILY_LEVEL, Claim, Context, FalseVariant
from theorems.core.verdicts import ClaimResult, Outcome, Verdict

# Seconds after which shrinking of a found counterexample stops (the best one so far is kept).
SHRINK_BUDGET = {"dev": 8.0, "ci": 15.0, "thorough": 120.0}


class _Violation(AssertionError):
    def __init__(self, instance: Any, check: Check) -> None:
        super().__init__("claim violated")
        self.instance = instance
        self.check = check


def _key(instance: Any) -> str:
    return repr(instance)


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


def run_predicate(
    target_id: str,
    predicate: Callable[[Any, Context], Check],
    strategy: hypothesis.strategies.SearchStrategy,
    *,
    max_examples: int,
    profile: str = "dev",
    seed: int = 0,
    figures_dir: str | None = None,
) -> Verdict:
    """Run one predicate over hypothesis-drawn instances; return its verdict."""
    t0 = time.perf_counter()
    level = FAMILY_LEVEL / max(1, max_examples)
    ctx = Context(profile=profile, seed=seed, level=level, figures_dir=figures_dir)
    cache: dict[str, tuple[Any, Check | BaseException]] = {}
    tried: list[tuple[Any, Check]] = []
    state: dict[str, Any] = {"first_failure_at": None}
    budget = SHRINK_BUDGET.get(profile, 15.0)

    def evaluate(instance: Any) -> Check | BaseException:
        key = _key(instance)
        if key in cache:
            return cache[key][1]
        if (
            state["first_failure_at"] is not None
            and time.perf_counter() - state["first_failure_at"] > budget
        ):
            # Shrink budget spent: treat unseen candidates as passing so hypothesis settles on the
            # smallest failure found so far (which is cached and replays identically).
            return Check(True, details={"skipped": "shrink budget spent"})
        try:
            check = predicate(instance, ctx)
            if not isinstance(check, Check):
                raise TypeError(
                    f"predicate of {target_id!r} returned {type(check).__name__}, expected a Check"
                )
        except hypothesis.errors.UnsatisfiedAssumption:
            raise
        except Exception as exc:  # the user's code raised: an `error` verdict, after shrinking
            exc.__theorems_tb__ = "".join(  # type: ignore[attr-defined]
                traceback.format_exception(type(exc), exc, exc.__traceback__)
            )
            exc.__theorems_instance__ = instance  # type: ignore[attr-defined]
            cache[key] = (instance, exc)
            if state["first_failure_at"] is None:
                state["first_failure_at"] = time.perf_counter()
            return exc
        cache[key] = (instance, check)
        tried.append((instance, check))
        if check.ok is False and state["first_failure_at"] is None:
            state["first_failure_at"] = time.perf_counter()
        return check

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
        result = evaluate(instance)
        if isinstance(result, BaseException):
            raise result
        if result.details.get("skipped"):
            return
        if math.isfinite(result.margin) and profile == "thorough":
            hypothesis.target(-float(result.margin), label="negative margin")
        if result.ok is False:
            raise _Violation(instance, result)

    run_seed = zlib.crc32(f"{seed}:{target_id}".encode())
    prop = hypothesis.seed(run_seed)(prop)
    replay = _replay(target_id, profile, seed)
    try:
        prop()
    except _Violation as v:
        ev = _summary(tried, level)
        ev["counterexample"] = {"instance": jsonable(v.instance), "check": v.check.to_dict()}
        ev["replay"] = replay | {
            "call": f"theorems.replay({target_id!r}, {jsonable(v.instance)!r})"
        }
        reason = _reason_falsified(v.check)
        return Verdict(target_id, Outcome.FALSIFIED, reason, ev, time.perf_counter() - t0)
    except Unsatisfiable:
        ev = _summary(tried, level) | {"replay": replay}
        return Verdict(
            target_id,
            Outcome.INCONCLUSIVE,
            "no generated instance satisfied the assumptions",
            ev,
            time.perf_counter() - t0,
        )
    except Exception as exc:  # raised by the predicate (shrunk) or by the strategy
        inst = getattr(exc, "__theorems_instance__", None)
        ev = _summary(tried, level)
        ev["traceback"] = getattr(exc, "__theorems_tb__", None) or "".join(
            traceback.format_exception(type(exc), exc, exc.__traceback__)
        )
        ev["error_instance"] = jsonable(inst)
        ev["replay"] = replay
        return Verdict(
            target_id, Outcome.ERROR, f"{type(exc).__name__}: {exc}", ev, time.perf_counter() - t0
        )

    ev = _summary(tried, level) | {"replay": replay}
    n_inc = ev["instances_inconclusive"]
    if not tried:
        return Verdict(
            target_id,
            Outcome.INCONCLUSIVE,
            "no instance was evaluated",
            ev,
            time.perf_counter() - t0,
        )
    if n_inc:
        reasons = sorted({str(c.details.get("reason", "")) for _, c in tried if c.ok is None})
        return Verdict(
            target_id,
            Outcome.INCONCLUSIVE,
            f"{n_inc} of {len(tried)} instances inconclusive: " + "; ".join(reasons)[:300],
            ev,
            time.perf_counter() - t0,
        )
    return Verdict(
        target_id,
        Outcome.HOLDS,
        f"held on all {len(tried)} instances",
        ev,
        time.perf_counter() - t0,
    )


def _reason_falsified(check: Check) -> str:
    parts = []
    if check.measured is not None:
        parts.append(f"measured {_fmt(check.measured)}")
    if check.predicted is not None:
        parts.append(f"predicted {_fmt(check.predicted)}")
    if math.isfinite(check.margin):
        parts.append(f"margin {check.margin:.3g}")
    if "p_value" in check.details:
        parts.append(
            f"p={check.details['p_value']:.3g} < level {check.details.get('level', 0):.3g}"
        )
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


def _summary(tried: list[tuple[Any, Check]], level: float) -> dict[str, Any]:
    conclusive = [(i, c) for i, c in tried if c.ok is not None]
    ev: dict[str, Any] = {
        "instances_tried": len(tried),
        "instances_inconclusive": sum(1 for _, c in tried if c.ok is None),
        # statistical decisions: family error rate per claim, Bonferroni-split over instances
        "family_error_rate": FAMILY_LEVEL,
        "instance_level": level,
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


def _replay(target_id: str, profile: str, seed: int) -> dict[str, str]:
    claim_id = target_id.split(":")[0]
    return {"command": f"theorems verify '{claim_id}' --profile {profile} --seed {seed}"}


def run_false_variant(
    variant: FalseVariant, profile: str, seed: int, figures_dir: str | None = None
) -> Verdict:
    return run_predicate(
        variant.id,
        variant.predicate,
        variant.get_strategy(),
        max_examples=variant.max_examples(profile),
        profile=profile,
        seed=seed,
        figures_dir=figures_dir,
    )


def run_claim(
    c: Claim, profile: str = "dev", seed: int = 0, figures_dir: str | None = None
) -> ClaimResult:
    """Verify a claim and its false variants. Never raises for a claim's own failures."""
    try:
        strategy = c.get_strategy()
        verdict = run_predicate(
            c.id,
            c.predicate,
            strategy,
            max_examples=c.max_examples(profile),
            profile=profile,
            seed=seed,
            figures_dir=figures_dir,
        )
    except Exception as exc:
        verdict = Verdict(
            c.id,
            Outcome.ERROR,
            f"{type(exc).__name__}: {exc}",
            {"traceback": traceback.format_exc()},
        )
    variants = []
    for v in c.false_variants:
        try:
            variants.append(run_false_variant(v, profile, seed, figures_dir))
        except Exception as exc:
            variants.append(
                Verdict(
                    v.id,
                    Outcome.ERROR,
                    f"{type(exc).__name__}: {exc}",
                    {"traceback": traceback.format_exc()},
                )
            )
    figures: list[str] = []
    if figures_dir and c.figures is not None:
        try:
            ctx = Context(profile=profile, seed=seed, figures_dir=figures_dir)
            figures = list(c.figures(ctx, figures_dir) or [])
        except Exception as exc:  # a figure must never cost the verdicts
            figures = [f"error: {type(exc).__name__}: {exc}"]
    return ClaimResult(c.id, c.paper.key, c.status.value, c.kind.value, verdict, variants, figures)
