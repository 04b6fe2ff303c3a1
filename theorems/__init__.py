"""theorems: claims about training dynamics as executable, property-checked predicates.

Public API::

    from theorems import claim, Check, Citation, Context   # write a claim or conjecture
    from theorems import verify, replay, registry          # run them

See docs/tutorial.md for adding a conjecture in one file.
"""

from __future__ import annotations

import os
import sys

# The suite's numerics are many small matrix products; its parallelism is processes (--jobs), one per
# core. A multi-threaded BLAS in each process oversubscribes the cores and runs such loops one to two
# orders of magnitude slower on a loaded machine. So, unless the user has chosen otherwise, BLAS runs
# single-threaded. This only takes effect if numpy was not imported before theorems.
if "numpy" not in sys.modules:
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, "1")

from typing import Any  # noqa: E402

from theorems.core.checks import Check
from theorems.core.claims import (
    PROFILES,
    Citation,
    Claim,
    Context,
    FalseVariant,
    Kind,
    Status,
    UnknownClaimError,
    claim,
)
from theorems.core.verdicts import ClaimResult, Outcome, Verdict

__version__ = "0.1.0"


__all__ = [
    "PROFILES",
    "Check",
    "Citation",
    "Claim",
    "ClaimResult",
    "Context",
    "FalseVariant",
    "Kind",
    "Outcome",
    "Status",
    "UnknownClaimError",
    "Verdict",
    "claim",
    "registry",
    "replay",
    "verify",
]


def registry():
    """The registry with every built-in claim loaded."""
    from theorems.core.discovery import load_builtin_claims

    return load_builtin_claims()


def verify(claim_id: str, *, profile: str = "dev", seed: int = 0) -> ClaimResult:
    """Verify one registered claim and its false variants (``theorems verify ID`` in Python)."""
    from theorems.core.runner import run_claim

    return run_claim(registry()[claim_id], profile=profile, seed=seed)


def replay(target_id: str, instance: Any, *, profile: str = "dev", seed: int = 0) -> Check:
    """Re-evaluate a claim (``paper.name``) or false variant (``paper.name:variant``) on one instance."""
    claim_id, _, variant = target_id.partition(":")
    c = registry()[claim_id]
    ctx = Context(profile=profile, seed=seed)
    if not variant:
        return c(instance, ctx)
    for v in c.false_variants:
        if v.name == variant:
            return v(instance, ctx)
    raise UnknownClaimError(target_id, [v.id for v in c.false_variants])
