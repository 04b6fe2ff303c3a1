"""What a report says about each claim besides its verdict: statement, citation, method, variants.

Written into the JSON report (docs/report_format.md: ``statement``, ``citation``, ...) so that the
browsable report (``theorems report --html``) is built from the JSON alone, on a machine that need not
have the claims' code.
"""

from __future__ import annotations

import inspect
from typing import Any


def describe(claim_id: str) -> dict[str, Any]:
    """The registered claim's text fields, or ``{}`` for an id that is not registered here."""
    from theorems.core.claims import REGISTRY

    if claim_id not in REGISTRY:
        return {}
    c = REGISTRY[claim_id]

    def clean(text: str) -> str:
        return inspect.cleandoc(text or "").strip()

    return {
        "statement": clean(c.statement),
        "citation": c.paper.to_dict() | {"text": str(c.paper)},
        "assumptions": clean(c.assumptions),
        "closed_form": clean(c.closed_form),
        "method": clean(c.method),
        "tolerance": clean(c.tolerance),
        "variant_descriptions": {v.id: clean(v.description) for v in c.false_variants},
    }


def with_descriptions(claim: dict[str, Any]) -> dict[str, Any]:
    """A report's claim entry with :func:`describe`'s fields (each variant gets its description)."""
    info = describe(claim["id"])
    if not info:
        return claim
    descriptions = info.pop("variant_descriptions")
    out = claim | info
    out["false_variants"] = [
        v | {"description": descriptions.get(v["id"], "")} for v in claim.get("false_variants", [])
    ]
    return out
