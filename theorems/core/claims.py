"""The claim record: a paper's statement as data plus an executable predicate.

A claim is written next to the theorem it encodes, in the paper's module::

    from hypothesis import strategies as st
    from theorems import Check, Citation, claim

    PAPER = Citation(authors="A. Author, B. Author", year=2021, title="...", venue="NeurIPS",
                     arxiv="2106.09524", where="Theorem 1 (reconstructed)")

    @claim(
        id="paper2021.name",
        paper=PAPER,
        status="theorem",            # theorem | derived | empirical | conjecture
        kind="equality",             # equality | upper_bound | lower_bound | monotone | comparison |
                                     # distributional | rate
        statement=r"For every ... $x$ ...",
        strategy=st.fixed_dictionaries({"n": st.integers(2, 10), "seed": st.integers(0, 2**32 - 1)}),
        tolerance="1e-9 relative: the ODE solver runs at rtol 1e-11 (100x margin).",
    )
    def name(inst, ctx):
        ...
        return Check.close(measured, predicted, rtol=1e-9)

    @name.false_variant("wrong_sign", "The same identity with the opposite sign.")
    def _(inst, ctx):
        ...

The decorated object is the :class:`Claim`; calling it on an instance replays the predicate
(``name({"n": 3, "seed": 7})``). Instances should be small dictionaries of plain numbers (sizes,
parameters and a ``seed`` drawn by hypothesis), so that a counterexample is short, JSON-serialisable,
shrinkable and replayable.
"""

from __future__ import annotations

import enum
import fnmatch
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from theorems.core.checks import Check

# Number of hypothesis examples per profile when a claim does not say otherwise.
DEFAULT_EXAMPLES: dict[str, int] = {"dev": 40, "ci": 100, "thorough": 500}
PROFILES = ("dev", "ci", "thorough")
# Seconds one instance may take before it is stopped and reported as an `error` (per profile; a claim
# may set its own with ``deadline=``). Enforced with SIGALRM where that is available (the main thread
# of a POSIX process: the CLI, its process pool and pytest); elsewhere it is checked after the fact.
DEFAULT_DEADLINE: dict[str, float] = {"dev": 120.0, "ci": 300.0, "thorough": 900.0}
# Family-wise error rate of the statistical decisions of one claim (or false variant) of a user's
# file, split over its instances with Bonferroni: an instance's test runs at FAMILY_LEVEL / max_examples.
FAMILY_LEVEL = 0.01
# The built-in suite is controlled as a whole: one run at one seed falsely rejects *any* true built-in
# claim with probability at most the sum of the family rates of its statistical claims (Bonferroni),
# and that sum must stay within SUITE_ERROR_RATE (tests/test_error_budget.py adds it up). A built-in
# claim that decides by a test declares ``statistical=True`` (the runner refuses an undeclared test)
# and runs at BUILTIN_FAMILY_LEVEL, or at its own ``error_rate=`` where its test cannot resolve a
# smaller level (e.g. a bootstrap p-value from 4000 resamples is at least 1/4001). At 0.01 for all 40
# statistical claims (the bound was then 0.40) a false rejection came up on about 1 seed in 20.
# False variants run at their claim's level: their power is measured there.
SUITE_ERROR_RATE = 0.15
BUILTIN_FAMILY_LEVEL = 0.001


class Status(str, enum.Enum):
    """How well-founded a claim is."""

    THEOREM = "theorem"  # proven in the cited paper (possibly in a reconstructed form)
    DERIVED = "derived"  # follows by calculus from the definitions; re-derived here
    EMPIRICAL = "empirical"  # observed, not proven
    CONJECTURE = "conjecture"  # open: the suite hunts for a counterexample
    # A conjecture the suite has refuted: its shrunk counterexample is pinned and replayed first on
    # every run, and the run fails if it is ever *not* falsified (a regression in the search or the
    # code it exercises).
    REFUTED = "refuted"


class Kind(str, enum.Enum):
    """The kind of relation the claim asserts."""

    EQUALITY = "equality"
    UPPER_BOUND = "upper_bound"
    LOWER_BOUND = "lower_bound"
    MONOTONE = "monotone"
    COMPARISON = "comparison"
    DISTRIBUTIONAL = "distributional"
    RATE = "rate"


@dataclass(frozen=True)
class Citation:
    """Where a claim comes from."""

    authors: str
    year: int
    title: str
    venue: str = ""
    arxiv: str = ""
    where: str = ""  # theorem / section, or "reconstructed"

    @property
    def key(self) -> str:
        first = self.authors.split(",")[0].split()[-1] if self.authors else "?"
        return f"{first} {self.year}"

    def __str__(self) -> str:
        parts = [f"{self.authors} ({self.year}). {self.title}."]
        if self.venue:
            parts.append(f"{self.venue}.")
        if self.arxiv:
            parts.append(f"arXiv:{self.arxiv}.")
        if self.where:
            parts.append(self.where + ".")
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "authors": self.authors,
            "year": self.year,
            "title": self.title,
            "venue": self.venue,
            "arxiv": self.arxiv,
            "where": self.where,
        }


@dataclass
class Context:
    """What a predicate may use besides its instance.

    Attributes
    ----------
    profile: ``dev`` (quick), ``ci`` or ``thorough``; predicates may scale sample sizes with it.
    seed: the run's seed (instances carry their own seeds, drawn by hypothesis).
    level: the error rate for one instance's statistical decision (Bonferroni-corrected).
    figures_dir: where to write figures, or ``None``.
    """

    profile: str = "dev"
    seed: int = 0
    level: float = FAMILY_LEVEL
    figures_dir: str | None = None
    scratch: dict[str, Any] = field(default_factory=dict)

    def pick(self, dev: Any, ci: Any = None, thorough: Any = None) -> Any:
        """Choose a size by profile: ``ctx.pick(dev=200, ci=400, thorough=4000)``."""
        if self.profile == "thorough" and thorough is not None:
            return thorough
        if self.profile in ("ci", "thorough") and ci is not None:
            return ci
        return dev

    def rng(self, *keys: int) -> np.random.Generator:
        """A generator seeded from the run seed and integer keys (for claims without a drawn seed)."""
        return np.random.default_rng(np.random.SeedSequence([self.seed, *keys]))


Predicate = Callable[[Any, Context], Check]


def _as_strategy(strategy: SearchStrategy | Callable[[], SearchStrategy] | None) -> SearchStrategy:
    if strategy is None:
        return st.just({})
    if isinstance(strategy, SearchStrategy):
        return strategy
    if callable(strategy):
        built = strategy()
        if not isinstance(built, SearchStrategy):
            raise TypeError(f"strategy factory returned {type(built).__name__}, not a strategy")
        return built
    raise TypeError(f"strategy must be a hypothesis strategy or a factory, got {type(strategy)!r}")


@dataclass
class FalseVariant:
    """An altered claim (wrong sign, dropped condition, other calculus...) that must be falsified."""

    id: str
    name: str
    description: str
    predicate: Predicate
    strategy: SearchStrategy | Callable[[], SearchStrategy] | None = None
    examples: dict[str, int] | None = None
    parent: Claim | None = field(default=None, repr=False)

    def get_strategy(self) -> SearchStrategy:
        if self.strategy is None and self.parent is not None:
            return self.parent.get_strategy()
        return _as_strategy(self.strategy)

    def max_examples(self, profile: str) -> int:
        table = self.examples or (self.parent.examples if self.parent else None) or DEFAULT_EXAMPLES
        return int(table.get(profile, DEFAULT_EXAMPLES[profile]))

    def __call__(self, instance: Any, ctx: Context | None = None) -> Check:
        return self.predicate(instance, ctx or Context())


@dataclass
class Claim:
    """A paper's claim as data plus a predicate. See the module docstring for how to write one."""

    id: str
    paper: Citation
    statement: str
    status: Status
    kind: Kind
    predicate: Predicate
    strategy: SearchStrategy | Callable[[], SearchStrategy] | None = None
    tolerance: str = ""
    assumptions: str = ""
    closed_form: str = ""
    method: str = ""
    examples: dict[str, int] | None = None
    false_variants: list[FalseVariant] = field(default_factory=list)
    figures: Callable[[Context, str], list[str]] | None = None
    module: str = ""
    # Instances replayed before the search on every run (like ``hypothesis.example``): the shrunk
    # counterexamples of a refuted conjecture, so that it stays refuted.
    pinned: list[Any] = field(default_factory=list)
    deadline: float | None = None
    # True when the predicate (or a false variant) decides by a statistical test (``Check.test``)
    statistical: bool = False
    # its family error rate, where the built-in default is too small for its test to resolve
    error_rate: float | None = None

    @property
    def builtin(self) -> bool:
        """A claim of this package (its level comes from the suite's error budget)."""
        return self.module.startswith("theorems.")

    @property
    def family_error_rate(self) -> float:
        """The family-wise error rate of this claim's statistical decisions (over its instances)."""
        if self.error_rate is not None:
            return self.error_rate
        return BUILTIN_FAMILY_LEVEL if self.builtin else FAMILY_LEVEL

    @property
    def expected(self) -> str | None:
        """The verdict the suite expects: ``holds``, ``falsified`` (refuted), or None (an open question)."""
        if self.status is Status.CONJECTURE:
            return None
        if self.status is Status.REFUTED:
            return "falsified"
        return "holds"

    def deadline_for(self, profile: str) -> float:
        return float(self.deadline) if self.deadline is not None else DEFAULT_DEADLINE[profile]

    @property
    def paper_key(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def doc(self) -> str:
        return (self.predicate.__doc__ or "").strip()

    def get_strategy(self) -> SearchStrategy:
        return _as_strategy(self.strategy)

    def max_examples(self, profile: str) -> int:
        table = self.examples or DEFAULT_EXAMPLES
        return int(table.get(profile, DEFAULT_EXAMPLES[profile]))

    def __call__(self, instance: Any, ctx: Context | None = None) -> Check:
        """Replay the predicate on one instance."""
        return self.predicate(instance, ctx or Context())

    def false_variant(
        self,
        name: str,
        description: str,
        *,
        strategy: SearchStrategy | Callable[[], SearchStrategy] | None = None,
        examples: Mapping[str, int] | None = None,
    ) -> Callable[[Predicate], FalseVariant]:
        """Decorator registering an altered claim that the suite must falsify."""
        if not re.fullmatch(r"[a-z0-9_]+", name):
            raise ValueError(f"false variant name {name!r}: use lowercase letters, digits, '_'")
        if any(v.name == name for v in self.false_variants):
            raise ValueError(f"claim {self.id!r} already has a false variant named {name!r}")

        def decorate(fn: Predicate) -> FalseVariant:
            variant = FalseVariant(
                id=f"{self.id}:{name}",
                name=name,
                description=description,
                predicate=fn,
                strategy=strategy,
                examples=dict(examples) if examples else None,
                parent=self,
            )
            self.false_variants.append(variant)
            return variant

        return decorate

    def add_figures(self, fn: Callable[[Context, str], list[str]]) -> Callable[[Context, str], list[str]]:
        """Decorator: ``fn(ctx, directory) -> [paths]`` draws this claim's figures."""
        self.figures = fn
        return fn


_ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


class Registry:
    """All known claims, by id."""

    def __init__(self) -> None:
        self._claims: dict[str, Claim] = {}

    def add(self, c: Claim, *, replace: bool = False) -> None:
        if c.id in self._claims and not replace:
            old = self._claims[c.id]
            raise DuplicateClaimError(
                f"claim id {c.id!r} is defined twice: in {_where(old)} and in {_where(c)}; "
                "claim ids must be unique (choose another id for your claim)"
            )
        self._claims[c.id] = c

    def remove(self, claim_id: str) -> None:
        self._claims.pop(claim_id, None)

    def __contains__(self, claim_id: str) -> bool:
        return claim_id in self._claims

    def __getitem__(self, claim_id: str) -> Claim:
        try:
            return self._claims[claim_id]
        except KeyError:
            raise UnknownClaimError(claim_id, self.ids()) from None

    def __iter__(self):
        return iter(sorted(self._claims.values(), key=lambda c: c.id))

    def __len__(self) -> int:
        return len(self._claims)

    def ids(self) -> list[str]:
        return sorted(self._claims)

    def select(self, patterns: Iterable[str]) -> list[Claim]:
        """Claims matching ids, globs (``pesme2021.*``) or prefixes (``pesme2021``)."""
        patterns = list(patterns)
        if not patterns:
            return list(self)
        chosen: dict[str, Claim] = {}
        for pat in patterns:
            hits = [c for c in self if _matches(c.id, pat)]
            if not hits:
                raise UnknownClaimError(pat, self.ids())
            for c in hits:
                chosen[c.id] = c
        return sorted(chosen.values(), key=lambda c: c.id)


class DuplicateClaimError(ValueError):
    """Two claims with one id (e.g. a user's conjecture reusing a built-in id)."""


def _where(c: Claim) -> str:
    import inspect

    try:
        src = inspect.getsourcefile(c.predicate) or "?"
        line = inspect.getsourcelines(c.predicate)[1]
        return f"{c.module} ({src}:{line})"
    except (TypeError, OSError):
        return c.module or "?"


def _matches(claim_id: str, pattern: str) -> bool:
    if any(ch in pattern for ch in "*?["):
        return fnmatch.fnmatchcase(claim_id, pattern)
    return claim_id == pattern or claim_id.startswith(pattern.rstrip(".") + ".")


class UnknownClaimError(KeyError):
    """An id or pattern that matches no registered claim; lists the nearest ids."""

    def __init__(self, name: str, known: list[str]) -> None:
        import difflib

        self.name = name
        self.suggestions = difflib.get_close_matches(name, known, n=5, cutoff=0.4)
        if not self.suggestions:
            prefix = name.split(".")[0].rstrip("*")
            self.suggestions = [k for k in known if k.startswith(prefix)][:5]
        super().__init__(name)

    def __str__(self) -> str:
        msg = f"unknown claim id or pattern {self.name!r}"
        if self.suggestions:
            msg += "; nearest: " + ", ".join(self.suggestions)
        else:
            msg += "; run `theorems list` to see the ids"
        return msg


REGISTRY = Registry()


def claim(
    *,
    id: str,
    paper: Citation,
    statement: str,
    status: str | Status,
    kind: str | Kind,
    strategy: SearchStrategy | Callable[[], SearchStrategy] | None = None,
    tolerance: str = "",
    assumptions: str = "",
    closed_form: str = "",
    method: str = "",
    examples: Mapping[str, int] | None = None,
    pinned: Iterable[Any] = (),
    deadline: float | None = None,
    statistical: bool = False,
    error_rate: float | None = None,
    registry: Registry | None = None,
) -> Callable[[Predicate], Claim]:
    """Decorator turning ``predicate(instance, ctx) -> Check`` into a registered :class:`Claim`.

    ``statistical=True`` declares that the predicate or a false variant decides by a statistical test
    (:meth:`Check.test`); built-in claims must declare it (it counts toward the suite's error budget).
    ``error_rate`` sets the claim's family error rate (default: 0.01 for a user's claim, 0.001 for a
    built-in one) and implies ``statistical=True``.
    """
    if not _ID_RE.match(id):
        raise ValueError(f"claim id {id!r} must look like '<paper>.<name>' (lowercase, digits, '_', dots)")
    try:
        status_v = Status(status)
    except ValueError:
        raise ValueError(
            f"claim {id!r}: unknown status {status!r}; use one of {[s.value for s in Status]}"
        ) from None
    try:
        kind_v = Kind(kind)
    except ValueError:
        raise ValueError(
            f"claim {id!r}: unknown kind {kind!r}; use one of {[k.value for k in Kind]}"
        ) from None
    pinned_l = list(pinned)
    if status_v is Status.REFUTED and not pinned_l:
        raise ValueError(f"claim {id!r}: a refuted conjecture must pin its counterexample (pinned=[...])")
    if deadline is not None and not (isinstance(deadline, (int, float)) and deadline > 0):
        raise ValueError(f"claim {id!r}: deadline must be a positive number of seconds, got {deadline!r}")
    if error_rate is not None and not (isinstance(error_rate, (int, float)) and 0 < error_rate < 1):
        raise ValueError(f"claim {id!r}: error_rate must be a number in (0, 1), got {error_rate!r}")
    if examples is not None:
        unknown = set(examples) - set(PROFILES)
        if unknown:
            raise ValueError(f"examples: unknown profile(s) {sorted(unknown)}; use {PROFILES}")

    def decorate(fn: Predicate) -> Claim:
        c = Claim(
            id=id,
            paper=paper,
            statement=statement,
            status=status_v,
            kind=kind_v,
            predicate=fn,
            strategy=strategy,
            tolerance=tolerance,
            assumptions=assumptions,
            closed_form=closed_form,
            method=method or (fn.__doc__ or "").strip(),
            examples=dict(examples) if examples else None,
            module=fn.__module__,
            pinned=pinned_l,
            deadline=float(deadline) if deadline is not None else None,
            statistical=bool(statistical) or error_rate is not None,
            error_rate=float(error_rate) if error_rate is not None else None,
        )
        (registry if registry is not None else REGISTRY).add(c)
        return c

    return decorate


def is_finite_number(x: Any) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False
