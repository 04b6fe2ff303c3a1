"""Hypothesis strategies for the deep-ReLU width claims: one data set (and its initialisations) per seed."""

from __future__ import annotations

from hypothesis import strategies as st


def seeds() -> st.SearchStrategy:
    """``{"seed"}``: the data set, the initialisations and the SGD streams all derive from it."""
    return st.fixed_dictionaries({"seed": st.integers(0, 2**32 - 1)})
