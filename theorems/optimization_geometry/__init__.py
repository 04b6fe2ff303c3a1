r"""Gunasekar, Lee, Soudry, Srebro (2018): implicit bias in terms of optimization geometry
(``optimization_geometry.*``).

S. Gunasekar, J. D. Lee, D. Soudry, N. Srebro. *Characterizing Implicit Bias in Terms of Optimization
Geometry.* ICML 2018, PMLR 80:1832-1841, arXiv:1802.08246.

On underdetermined least squares, mirror descent with potential $\psi$ (GD when $\psi = \frac12\|w\|^2$)
that converges to an interpolant reaches the Bregman projection $\arg\min_{Xw=y}D_\psi(w, w_0)$ whatever
the step sizes, stochastic or not; steepest descent w.r.t. a general norm interpolates but not at the
min-norm point of its own norm, and its limit moves with the step size. On separable classification with
the exponential loss, steepest descent with $\eta_t = 1/(B^2L(w_t))$ maximises the margin in its own norm.

Public functions: :func:`bregman_limit`, :func:`max_margin`, :func:`min_norm_interpolant`,
:func:`unit_cases` (sympy).
"""

from theorems.optimization_geometry.formulas import (
    MaxMargin,
    bregman_limit,
    max_margin,
    min_norm_interpolant,
    unit_cases,
)

__all__ = ["MaxMargin", "bregman_limit", "max_margin", "min_norm_interpolant", "unit_cases"]
