"""Seed sweeps: how often each verdict came out over seeds, and which claims are not stable.

A claim (or false variant) whose verdict is not the same on every seed is *flaky*; that is a bug,
either in the claim (a real counterexample that only some seeds reach, an error on some instances) or
in its statistics (a test without the power to decide, or a false rejection at the family error rate).
:func:`stability` says which, from the evidence: see :func:`diagnose`. The JSON section it returns is
documented in docs/report_format.md.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from theorems.core.claims import FAMILY_LEVEL
from theorems.core.verdicts import ClaimResult, Outcome, Verdict

MAX_SEEDS = 100_000


def parse_seeds(spec: str, base: int = 0) -> list[int]:
    """``"0-99"`` (inclusive range), ``"20"`` (a count: base .. base+19) or ``"1,5,9"`` (a list)."""
    s = spec.strip()
    try:
        if re.fullmatch(r"\d+\s*-\s*\d+", s):
            lo, hi = (int(x) for x in s.split("-"))
            if hi < lo:
                raise ValueError(f"empty range {s!r}")
            seeds = list(range(lo, hi + 1))
        elif "," in s:
            seeds = [int(x) for x in s.split(",") if x.strip()]
            if any(x < 0 for x in seeds) or len(set(seeds)) != len(seeds):
                raise ValueError("seeds must be distinct non-negative integers")
        else:
            n = int(s)
            if n < 1:
                raise ValueError("a count of seeds must be positive")
            seeds = list(range(base, base + n))
    except ValueError as exc:
        raise ValueError(
            f"--seeds {spec!r}: expected a range 'A-B', a count 'N' or a list 'A,B,C' ({exc})"
        ) from None
    if not seeds:
        raise ValueError(f"--seeds {spec!r}: no seeds")
    if len(seeds) > MAX_SEEDS:
        raise ValueError(f"--seeds {spec!r}: at most {MAX_SEEDS} seeds")
    return seeds


def _has_p_value(v: Verdict) -> bool:
    ce = v.evidence.get("counterexample") or {}
    details = (ce.get("check") or {}).get("details") or {}
    return "p_value" in details


def diagnose(expected: str | None, by_seed: Mapping[int, Verdict]) -> str:
    """Why a target's verdict changes with the seed: a bug in the claim or in its statistics."""
    counts = Counter(v.outcome.value for v in by_seed.values())
    n = len(by_seed)
    parts = []
    if counts.get("error"):
        parts.append(
            "claim bug: the predicate raised on some seeds' instances (see the traceback and replay "
            "the error instance)"
        )
    if expected == "holds" and counts.get("falsified"):
        fals = [v for v in by_seed.values() if v.outcome is Outcome.FALSIFIED]
        if all(_has_p_value(v) for v in fals):
            rate = float(fals[0].evidence.get("family_error_rate") or FAMILY_LEVEL)
            parts.append(
                f"statistics: a test rejected on {len(fals)} of {n} seeds; at the family error rate "
                f"{rate:.2g} about {rate * n:.2g} false rejections are expected, more "
                "means the test's null is not exactly the claim (replay the counterexample)"
            )
        else:
            parts.append(
                f"claim bug: a deterministic counterexample on {len(fals)} of {n} seeds; the statement "
                "or its tolerance is wrong there (replay the counterexample)"
            )
    if expected == "falsified" and (counts.get("holds") or counts.get("inconclusive")):
        parts.append(
            "statistics: the search found no counterexample on some seeds; the variant is too close "
            "to the claim for this profile's examples or sample sizes (raise them or move it out)"
        )
    if expected == "holds" and counts.get("inconclusive"):
        parts.append(
            "statistics: some seeds' instances were inconclusive (a confidence interval straddled "
            "the threshold or an instance was vacuous); the test lacks power on those instances"
        )
    if expected is None and len(counts) > 1:
        parts.append("conjecture: the search reaches a counterexample only on some seeds")
    return "; ".join(parts)


def _target_entry(expected: str | None, by_seed: Mapping[int, Verdict]) -> dict[str, Any]:
    counts = Counter(v.outcome.value for v in by_seed.values())
    stable = len(counts) <= 1
    entry: dict[str, Any] = {
        "expected": expected,
        "verdicts": {o.value: counts.get(o.value, 0) for o in Outcome},
        "stable": stable,
        "by_seed": {str(s): v.outcome.value for s, v in by_seed.items()},
    }
    if not stable:
        majority = counts.most_common(1)[0][0]
        entry["off_seeds"] = {
            str(s): {"verdict": v.outcome.value, "reason": v.reason}
            for s, v in by_seed.items()
            if v.outcome.value != majority
        }
        entry["diagnosis"] = diagnose(expected, by_seed)
    return entry


def stability(by_seed: Mapping[int, Sequence[ClaimResult]], n_claims: int | None = None) -> dict[str, Any]:
    """The report's ``stability`` section for results of the same claims over several seeds.

    ``n_claims`` is the number of claims selected (a seed is complete when all of them finished on
    it); by default, the number of claims that finished on some seed.
    """
    seeds = list(by_seed)
    claims: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    per_claim: dict[str, dict[int, ClaimResult]] = {}
    for s in seeds:
        for r in by_seed[s]:
            if r.claim_id not in per_claim:
                order.append(r.claim_id)
            per_claim.setdefault(r.claim_id, {})[s] = r
    flagged: list[str] = []
    for cid in order:
        rs = per_claim[cid]
        first = next(iter(rs.values()))
        expected = {"conjecture": None, "refuted": Outcome.FALSIFIED.value}.get(
            first.status, Outcome.HOLDS.value
        )
        entry = _target_entry(expected, {s: r.verdict for s, r in rs.items()})
        entry["seeds_run"] = len(rs)
        entry["passed_on"] = sum(r.passed for r in rs.values())
        variants = {}
        for i, v in enumerate(first.false_variants):
            vs = {s: r.false_variants[i] for s, r in rs.items()}
            variants[v.id] = _target_entry(Outcome.FALSIFIED.value, vs)
        entry["false_variants"] = variants
        flagged += [cid] if not entry["stable"] else []
        flagged += [vid for vid, x in variants.items() if not x["stable"]]
        entry["flaky"] = not entry["stable"] or any(not x["stable"] for x in variants.values())
        claims[cid] = entry
    # a seed counts only if every claim finished on it (an interrupted sweep is not "ok")
    expected = len(order) if n_claims is None else n_claims
    complete = [s for s in seeds if len(by_seed[s]) == expected]
    runs_ok = sum(all(r.passed for r in by_seed[s]) for s in complete)
    return {
        "seeds": seeds,
        "flagged": flagged,
        "summary": {
            "seeds": len(seeds),
            "claims": len(claims),
            "flaky_claims": sum(e["flaky"] for e in claims.values()),
            "runs_complete": len(complete),
            "runs_ok": runs_ok,
            "ok": runs_ok == len(seeds),
        },
        "claims": claims,
    }


def stability_cell(entry: Mapping[str, Any] | None) -> str:
    """The terminal table's column: '20/20 holds' or 'FLAKY 18 holds, 2 inconclusive; 1 variant'."""
    if not entry:
        return ""
    n = entry["seeds_run"]
    counts = {k: c for k, c in entry["verdicts"].items() if c}
    if entry["stable"]:
        cell = f"{n}/{n} {next(iter(counts))}"
    else:
        cell = ", ".join(f"{c} {k}" for k, c in counts.items())
    bad = [vid.split(":")[1] for vid, v in entry["false_variants"].items() if not v["stable"]]
    if bad:
        cell += "; variants: " + ", ".join(bad)
    return ("FLAKY " + cell) if entry["flaky"] else cell
