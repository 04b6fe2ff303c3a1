"""What a predicate returns for one problem instance: a :class:`Check`.

A predicate ``predicate(instance, ctx) -> Check`` evaluates a claim on one instance and says whether the
relation held there, with the numbers: what was measured, what the claim predicts, and the *margin*
(positive on the side where the claim holds, in units that make sense for the relation). The runner
aggregates checks over the instances hypothesis generates into a :class:`~theorems.core.verdicts.Verdict`.

Constructors cover the relations of PEPit-style claims: :meth:`Check.close` (tight equality with a
tolerance), :meth:`Check.upper` / :meth:`Check.lower` (bounds), :meth:`Check.test` (a statistical test
with a stated level) and :meth:`Check.inconclusive`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def _num(x: Any) -> Any:
    """Convert numpy scalars and arrays to plain Python (JSON-friendly) values."""
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    return x


@dataclass
class Check:
    """The outcome of a predicate on one instance.

    Attributes
    ----------
    ok:
        ``True`` if the relation held on this instance, ``False`` if it was violated, ``None`` if the
        evidence was insufficient either way (e.g. a confidence interval straddling the threshold).
    measured, predicted:
        The observed quantity and what the claim predicts (or the bound).
    margin:
        Signed slack, positive where the claim holds. Hypothesis ``target()``s ``-margin`` in every
        profile, so the search moves toward the boundary of the claim.
    tolerance:
        The tolerance used (absolute, in the units of ``margin``), if any.
    details:
        Any further evidence: p-values, confidence intervals, sample sizes, intermediate numbers.
    """

    ok: bool | None
    measured: Any = None
    predicted: Any = None
    margin: float = math.nan
    tolerance: float | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Read numpy booleans (``np.bool_``, 0-d bool arrays) as the bool they are: ``np.False_ is False``
        # is False, so an unnormalised numpy verdict would silently count as holding.
        self.ok = _as_verdict(self.ok)
        if not isinstance(self.details, dict):
            raise TypeError(f"Check.details must be a dict, got {type(self.details).__name__}")

    @property
    def vacuous(self) -> bool:
        """True when the instance did not exercise the claim (see :meth:`Check.vacuous_instance`)."""
        return self.ok is None and bool(self.details.get("vacuous"))

    # ------------------------------------------------------------------ constructors
    @classmethod
    def close(
        cls,
        measured: float,
        predicted: float,
        *,
        rtol: float = 0.0,
        atol: float = 0.0,
        **details: Any,
    ) -> Check:
        """Tight relation ``|measured - predicted| <= atol + rtol * |predicted|``.

        Arrays are compared through their max-norm of the difference.
        """
        m = np.asarray(measured, dtype=float)
        p = np.asarray(predicted, dtype=float)
        if m.shape != p.shape and m.size != 1 and p.size != 1:
            raise ValueError(f"Check.close: shapes differ, measured {m.shape} vs predicted {p.shape}")
        err = float(np.max(np.abs(m - p))) if m.size else 0.0
        scale = float(np.max(np.abs(p))) if p.size else 0.0
        tol = atol + rtol * scale
        if not np.all(np.isfinite(m)):
            return cls(
                False,
                _short(m),
                _short(p),
                -math.inf,
                tol,
                {"error": err, "reason": "non-finite measurement", **details},
            )
        return cls(
            bool(err <= tol),
            _short(m),
            _short(p),
            tol - err,
            tol,
            {"relation": "close", "error": err, **details},
        )

    @classmethod
    def upper(cls, measured: float, bound: float, *, tol: float = 0.0, **details: Any) -> Check:
        """Upper bound ``measured <= bound + tol``."""
        measured, bound = float(measured), float(bound)
        margin = bound + tol - measured
        ok = bool(margin >= 0) if math.isfinite(margin) else False
        return cls(ok, measured, bound, margin, tol, {"relation": "upper", **details})

    @classmethod
    def lower(cls, measured: float, bound: float, *, tol: float = 0.0, **details: Any) -> Check:
        """Lower bound ``measured >= bound - tol``."""
        measured, bound = float(measured), float(bound)
        margin = measured - bound + tol
        ok = bool(margin >= 0) if math.isfinite(margin) else False
        return cls(ok, measured, bound, margin, tol, {"relation": "lower", **details})

    @classmethod
    def test(
        cls,
        *,
        reject: bool,
        level: float,
        p_value: float | None = None,
        measured: Any = None,
        predicted: Any = None,
        margin: float = math.nan,
        supports: bool | None = None,
        **details: Any,
    ) -> Check:
        """A statistical decision at a stated error rate.

        ``reject`` says whether the null hypothesis *that the claim holds* is rejected at ``level``
        (then ``ok=False``). If it is not rejected, ``supports`` says whether the data positively
        support the claim (e.g. a confidence interval lies inside the claimed region, or the test had
        the power to detect the effect a false variant represents): ``True`` gives ``ok=True``,
        ``False`` gives an inconclusive check, and ``None`` (not stated) gives ``ok=True`` — state it
        whenever the test could have failed to reject for lack of data.

        ``p_value`` is the test's p-value, or ``None`` for a decision by confidence interval (no
        p-value). A NaN p-value is an error: a test that could not be computed decides nothing.
        """
        if p_value is not None:
            p_value = float(p_value)
            if math.isnan(p_value) or not 0.0 <= p_value <= 1.0:
                raise ValueError(
                    f"Check.test: p_value must be a number in [0, 1] or None, got {p_value!r} "
                    "(a NaN p-value means the test could not be computed on this instance; "
                    "pass p_value=None for a decision by confidence interval)"
                )
        if not 0.0 < float(level) < 1.0:
            raise ValueError(f"Check.test: level must be in (0, 1), got {level!r}")
        reject = _as_verdict(reject)
        if reject is None:
            raise TypeError("Check.test: reject must be True or False")
        if reject:
            ok: bool | None = False
        else:
            ok = True if supports is None or supports else None
        return cls(
            ok,
            measured,
            predicted,
            margin,
            None,
            {"relation": "test", "p_value": p_value, "level": float(level), **details},
        )

    @classmethod
    def inconclusive(cls, reason: str, **details: Any) -> Check:
        """Not enough evidence on this instance (e.g. the run did not converge within its budget).

        Like ``hypothesis.reject()``: the instance does not count toward the example budget and the
        search goes on; the reason is tallied in the verdict's evidence.
        """
        return cls(
            None,
            details.pop("measured", None),
            details.pop("predicted", None),
            math.nan,
            None,
            {"reason": reason, **details},
        )

    @classmethod
    def vacuous_instance(cls, reason: str, **details: Any) -> Check:
        """The instance does not exercise the claim (e.g. no point is inactive, so "inactive points
        are irrelevant" says nothing). Rejected like an inconclusive instance and counted apart as
        vacuous; it never counts as evidence that the claim holds."""
        return cls(
            None,
            details.pop("measured", None),
            details.pop("predicted", None),
            math.nan,
            None,
            {"reason": f"vacuous: {reason}", "vacuous": True, **details},
        )

    # ------------------------------------------------------------------ helpers
    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "measured": _num(self.measured),
            "predicted": _num(self.predicted),
            "margin": _finite_or_none(self.margin),
            "tolerance": _finite_or_none(self.tolerance),
            "details": {k: _num(v) for k, v in self.details.items()},
        }


def _as_verdict(ok: Any) -> bool | None:
    """``True``/``False``/``None``, accepting numpy booleans; anything else is a clear error."""
    if ok is None or isinstance(ok, bool):
        return ok
    if isinstance(ok, np.bool_):
        return bool(ok)
    if isinstance(ok, np.ndarray) and ok.shape == () and ok.dtype == np.bool_:
        return bool(ok)
    raise TypeError(
        f"Check.ok must be True, False or None (inconclusive), got {type(ok).__name__} {ok!r}; "
        "convert a comparison with bool(...) or use Check.close/upper/lower/test"
    )


def _finite_or_none(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _short(a: np.ndarray) -> Any:
    """Scalars as floats; small arrays as lists; large arrays summarised by their norm."""
    if a.ndim == 0 or a.size == 1:
        return float(a.reshape(-1)[0]) if a.size else None
    if a.size <= 8:
        return a.tolist()
    return {"shape": list(a.shape), "max_abs": float(np.max(np.abs(a)))}
