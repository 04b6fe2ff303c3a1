"""Closed forms derived with sympy, lambdified to numpy once and cached.

Derivations are written as sympy code (not floats copied from a paper); :func:`lambdify_cached`
turns an expression into a vectorised numpy function, cached by the expression and its arguments, and
:func:`ito_drift` applies Itô's formula, the step where Itô and Stratonovich calculus part.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

import sympy as sp


@lru_cache(maxsize=256)
def _lambdify(expr: sp.Expr, args: tuple[sp.Symbol, ...]) -> Callable:
    return sp.lambdify(args, expr, modules="numpy")


def lambdify_cached(expr: sp.Expr, args: Sequence[sp.Symbol]) -> Callable:
    """``sympy.lambdify(args, expr, "numpy")``, cached on (expression, arguments)."""
    return _lambdify(sp.sympify(expr), tuple(args))


def ito_drift(f: sp.Expr, x: sp.Symbol, drift: sp.Expr, diffusion: sp.Expr) -> sp.Expr:
    """Drift of ``f(X)`` for the scalar Itô SDE ``dX = drift dt + diffusion dW``.

    Itô's formula: ``d f(X) = (f' drift + 1/2 f'' diffusion^2) dt + f' diffusion dW``. The second-order
    term is the Itô correction; Stratonovich calculus has none.
    """
    return sp.simplify(sp.diff(f, x) * drift + sp.Rational(1, 2) * sp.diff(f, x, 2) * diffusion**2)


def stratonovich_drift(f: sp.Expr, x: sp.Symbol, drift: sp.Expr) -> sp.Expr:
    """Drift of ``f(X)`` for ``dX = drift dt + g o dW`` (Stratonovich): the ordinary chain rule."""
    return sp.simplify(sp.diff(f, x) * drift)
