r"""Wang, Meng, Chen, Liu (2021): the implicit bias of adaptive optimizers (``adaptive_margin.*``).

B. Wang, Q. Meng, W. Chen, T.-Y. Liu. *The Implicit Bias for Adaptive Optimization Algorithms on Homogeneous
Neural Networks.* ICML 2021, PMLR 139:10849-10858, arXiv:2012.06244.

Optimizers whose conditioner is an exponential moving average of squared gradients (RMSProp, Adam) with
$\epsilon > 0$ converge in direction to the same $\ell_2$ max-margin (KKT) direction as GD, because the EMA
vanishes and the conditioner becomes isotropic, $1/\epsilon$; AdaGrad, which sums squared gradients, keeps
an anisotropic limiting conditioner $h_\infty$ and converges to the $h_\infty$-weighted max-margin direction,
which depends on the step size and the start. The theorems are about flows; the suite's discrete runs on a
linear (1-homogeneous) model are empirical evidence (spec ``related_claims.md`` §3).

Public functions: :func:`weighted_svm`, :func:`single_sv_direction`, :func:`derive_single_sv` (sympy),
:func:`angle`, :func:`transient_ratio` and :func:`extrapolated_angle` (the finite-horizon transient of a
late increment, derived, and its two-window extrapolation).
"""

from theorems.adaptive_margin.formulas import (
    angle,
    derive_single_sv,
    extrapolated_angle,
    single_sv_direction,
    transient_ratio,
    weighted_svm,
)

__all__ = [
    "angle",
    "derive_single_sv",
    "extrapolated_angle",
    "single_sv_direction",
    "transient_ratio",
    "weighted_svm",
]
