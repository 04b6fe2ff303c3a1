"""Instances that depend on the seed alone, not on which modules happen to be imported.

Hypothesis (6.131 and later) mixes literal constants found in every *local* module in ``sys.modules``
(code outside site-packages: an editable install of this project, a user's conjecture file) into about
5% of its draws, and rescans whenever a module is imported. The same claim at the same seed therefore
drew different instances in ``theorems verify`` (which imports ``theorems.cli``), in a Dask worker
(which does not), in a plain ``pip install .`` (where nothing of ours is local) and after a predicate
imported a module lazily; a counterexample could not always be replayed from its seed. Pinning that
pool to empty makes generation a function of the strategy and the seed only, which the distributed
runs need to give the same report as a local one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

_pinned = False
_original = None


def pin_local_constants() -> bool:
    """Make hypothesis ignore the constants of imported local modules (idempotent).

    Returns whether the pin is in effect (False on a hypothesis without the feature, where generation
    does not depend on imports in the first place).
    """
    global _pinned, _original
    if _pinned:
        return True
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - layout of a future hypothesis
        return False
    if not hasattr(providers, "_get_local_constants") or not hasattr(providers, "Constants"):
        return False
    empty = providers.Constants()

    def _no_local_constants():
        return empty

    _original = providers._get_local_constants
    providers._get_local_constants = _no_local_constants
    _pinned = True
    return True


def unpin_local_constants() -> None:
    """Undo :func:`pin_local_constants` (for tests that show what the pin prevents)."""
    global _pinned
    if _pinned and _original is not None:
        from hypothesis.internal.conjecture import providers

        providers._get_local_constants = _original
        _pinned = False


# Tests set this to show what the pin prevents.
DISABLED = False


@contextlib.contextmanager
def local_constants_pinned() -> Iterator[None]:
    """Pin the pool only while a claim runs (the runner wraps each search in this), so that a user's own
    hypothesis tests in the same process keep hypothesis' usual behaviour."""
    if DISABLED or _pinned:
        yield
        return
    ours = pin_local_constants()
    try:
        yield
    finally:
        if ours:
            unpin_local_constants()
