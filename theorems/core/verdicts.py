"""Verdicts: what the oracle concludes about a claim or a false variant, with its evidence."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Outcome(str, enum.Enum):
    HOLDS = "holds"  # every instance tried satisfied the predicate
    FALSIFIED = "falsified"  # a counterexample was found (shrunk by hypothesis where possible)
    INCONCLUSIVE = "inconclusive"  # not enough evidence either way
    ERROR = "error"  # the predicate (or the claim's code) raised; the traceback is in the evidence


@dataclass
class Verdict:
    """The verdict on one claim or false variant.

    ``evidence`` has stable keys (see docs/report_format.md): ``instances_tried``,
    ``instances_inconclusive``, ``worst`` (the instance with the smallest margin and its check),
    ``counterexample`` (instance and check) when falsified, ``traceback`` when an error occurred,
    and ``replay`` (the command and the Python call that reproduce the verdict).
    """

    id: str
    outcome: Outcome
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "verdict": self.outcome.value,
            "reason": self.reason,
            "evidence": self.evidence,
            "seconds": round(self.seconds, 4),
        }


@dataclass
class ClaimResult:
    """A claim's verdict together with the verdicts on its false variants."""

    claim_id: str
    paper: str
    status: str
    kind: str
    verdict: Verdict
    false_variants: list[Verdict] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)

    @property
    def passed_claim(self) -> bool:
        """The claim's own verdict is the one expected of its status (false variants aside)."""
        if self.status == "conjecture":
            return self.verdict.outcome is not Outcome.ERROR
        if self.status == "refuted":
            pinned = self.verdict.evidence.get("pinned") or []
            return self.verdict.outcome is Outcome.FALSIFIED and all(p.get("falsified") for p in pinned)
        return self.verdict.outcome is Outcome.HOLDS

    @property
    def passed(self) -> bool:
        """The suite's expectation: the claim holds and every false variant is falsified.

        A claim of status ``conjecture`` is a question, not an expectation: its verdict is reported
        but does not fail the run unless the search itself errored. A ``refuted`` conjecture is
        expected to be falsified by its pinned counterexample.
        """
        claim_ok = self.passed_claim
        return claim_ok and all(v.outcome is Outcome.FALSIFIED for v in self.false_variants)

    @property
    def seconds(self) -> float:
        return self.verdict.seconds + sum(v.seconds for v in self.false_variants)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.claim_id,
            "paper": self.paper,
            "status": self.status,
            "kind": self.kind,
            "verdict": self.verdict.outcome.value,
            "reason": self.verdict.reason,
            "evidence": self.verdict.evidence,
            "seconds": round(self.seconds, 4),
            "passed": self.passed,
            "false_variants": [
                {
                    "id": v.id,
                    "verdict": v.outcome.value,
                    "reason": v.reason,
                    "evidence": v.evidence,
                    "seconds": round(v.seconds, 4),
                }
                for v in self.false_variants
            ],
            "figures": self.figures,
        }
