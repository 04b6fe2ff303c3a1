"""Self-checks of the ``sim`` engine, stated as claims: the integrators' textbook convergence orders.

Every verdict of the suite rests on the integrators, so their correctness is itself verified by the
oracle, with false variants (a wrong order, the wrong calculus) that must be rejected: Euler-Maruyama
converges strongly with order 1/2 and weakly with order 1, Milstein strongly with order 1, Heun's
scheme to the Stratonovich (not the Itô) solution, and GD/SGD from zero on underdetermined least
squares to the minimum-norm interpolant.

Reference: P. E. Kloeden, E. Platen. *Numerical Solution of Stochastic Differential Equations.*
Springer, 1992 (Thm. 10.2.2: Euler-Maruyama strong order 1/2; Thm. 10.3.5: Milstein strong order 1;
Thm. 14.5.1: Euler-Maruyama weak order 1). The Stratonovich limit of Heun's scheme: ibid. Sec. 11.1.
The constant of Euler-Maruyama's mean-square error (which makes its order exactly 1/2): J. Jacod,
P. Protter, *Asymptotic error distributions for the Euler method for stochastic differential
equations*, Ann. Probab. 26 (1998), Thm. 1.2; derived here for GBM with sympy.
GD/SGD to the minimum-norm solution: Gunasekar, Lee, Soudry, Srebro (ICML 2018), Sec. 2.

The package: :mod:`~theorems.engine.formulas` (the exact GBM solution, its drift derived with sympy:
:data:`LOG_GBM_DRIFT`, :func:`gbm_exact`; EM's error constant :func:`em_gbm_error_constant`),
:mod:`~theorems.engine.instances` (hypothesis strategies and the least-squares problems),
:mod:`~theorems.engine.simulations` (the step-size ladders on shared Brownian paths, the GD/SGD runs,
:data:`ORDER_BAND`) and :mod:`~theorems.engine.claims` (the claims ``engine.*``, registered by
discovery). Importing the package registers no claim.
"""

from __future__ import annotations

from theorems.core.claims import Citation

KLOEDEN_PLATEN = Citation(
    authors="P. E. Kloeden, E. Platen",
    year=1992,
    title="Numerical Solution of Stochastic Differential Equations",
    venue="Springer",
    where="Thm. 10.2.2, 10.3.5, 14.5.1; Sec. 11.1",
)
GUNASEKAR = Citation(
    authors="S. Gunasekar, J. Lee, D. Soudry, N. Srebro",
    year=2018,
    title="Characterizing Implicit Bias in Terms of Optimization Geometry",
    venue="ICML",
    arxiv="1802.08246",
    where="Sec. 2 (least squares)",
)

from theorems.engine.formulas import LOG_GBM_DRIFT, em_gbm_error_constant, gbm_exact  # noqa: E402
from theorems.engine.simulations import ORDER_BAND  # noqa: E402

__all__ = ["GUNASEKAR", "KLOEDEN_PLATEN", "LOG_GBM_DRIFT", "ORDER_BAND", "em_gbm_error_constant", "gbm_exact"]
