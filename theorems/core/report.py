"""Machine-readable reports: JSON (stable keys, documented in docs/report_format.md) and JUnit XML."""

from __future__ import annotations

import platform
import time
from typing import Any
from xml.etree import ElementTree as ET

from theorems.core.catalog import with_descriptions
from theorems.core.io import atomic_write_json, atomic_write_text
from theorems.core.verdicts import ClaimResult, Outcome

SCHEMA_VERSION = 1


def versions() -> dict[str, str]:
    import hypothesis
    import numpy
    import scipy
    import sympy

    import theorems

    return {
        "theorems": theorems.__version__,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "sympy": sympy.__version__,
        "hypothesis": hypothesis.__version__,
    }


def summary(results: list[ClaimResult]) -> dict[str, Any]:
    counts = {o.value: 0 for o in Outcome}
    for r in results:
        counts[r.verdict.outcome.value] += 1
    variants = [v for r in results for v in r.false_variants]
    return {
        "claims": len(results),
        "claims_by_verdict": counts,
        "false_variants": len(variants),
        "false_variants_falsified": sum(v.outcome is Outcome.FALSIFIED for v in variants),
        "passed": sum(r.passed for r in results),
        "failed": sum(not r.passed for r in results),
        "ok": all(r.passed for r in results),
    }


def build_report(
    results: list[ClaimResult],
    *,
    seed: int,
    profile: str,
    total_seconds: float,
    command: list[str] | None = None,
    interrupted: bool = False,
    load_errors: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": command or [],
        "seed": seed,
        "profile": profile,
        "versions": versions(),
        "total_seconds": round(total_seconds, 3),
        "interrupted": interrupted,
        "summary": summary(results) | ({"ok": False} if interrupted else {}),
        "load_errors": load_errors or [],
        "claims": [with_descriptions(r.to_dict()) for r in results],
    }


def write_json(path: str, report: dict[str, Any]) -> None:
    atomic_write_json(path, report)


def _json(x: Any) -> str:
    import json

    from theorems.core.runner import jsonable

    return json.dumps(jsonable(x), sort_keys=True)


def write_junit(path: str, results: list[ClaimResult], total_seconds: float) -> None:
    """JUnit XML: one test case per claim and per false variant, grouped by paper."""
    root = ET.Element("testsuites", name="theorems", time=f"{total_seconds:.3f}")
    by_paper: dict[str, list[ClaimResult]] = {}
    for r in results:
        by_paper.setdefault(r.claim_id.split(".")[0], []).append(r)
    for paper, rs in sorted(by_paper.items()):
        cases = []
        for r in rs:
            expected = {"conjecture": "holds/falsified", "refuted": "falsified"}.get(r.status, "holds")
            ok = r.passed_claim
            cases.append((r.claim_id, r.verdict, ok, expected))
            for v in r.false_variants:
                cases.append((v.id, v, v.outcome is Outcome.FALSIFIED, "falsified"))
        suite = ET.SubElement(
            root,
            "testsuite",
            name=paper,
            tests=str(len(cases)),
            failures=str(sum(1 for c in cases if not c[2] and c[1].outcome is not Outcome.ERROR)),
            errors=str(sum(1 for c in cases if c[1].outcome is Outcome.ERROR)),
            time=f"{sum(c[1].seconds for c in cases):.3f}",
        )
        for cid, verdict, ok, expected in cases:
            case = ET.SubElement(suite, "testcase", classname=paper, name=cid, time=f"{verdict.seconds:.3f}")
            props = ET.SubElement(case, "properties")
            ET.SubElement(props, "property", name="verdict", value=verdict.outcome.value)
            ET.SubElement(props, "property", name="expected", value=expected)
            ce = verdict.evidence.get("counterexample")
            if ce is not None:
                # a falsified conjecture or variant passes, but its counterexample is the result
                ET.SubElement(props, "property", name="counterexample", value=_json(ce["instance"]))
                ET.SubElement(case, "system-out").text = (
                    f"{verdict.reason}\ncounterexample: {_json(ce)}\n"
                    f"replay: {verdict.evidence.get('replay', {}).get('call', '')}"
                )
            if ok:
                continue
            tag = "error" if verdict.outcome is Outcome.ERROR else "failure"
            el = ET.SubElement(
                case,
                tag,
                message=f"expected {expected}, got {verdict.outcome.value}: {verdict.reason}"[:500],
            )
            el.text = str(verdict.evidence.get("traceback") or (_json(ce) if ce else ""))
    ET.indent(root)
    atomic_write_text(path, ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n")
