r"""(S)GD on over-parameterised deep ReLU networks: fitting, and weights that stay near their start.

D. Zou, Y. Cao, D. Zhou, Q. Gu. *Stochastic Gradient Descent Optimizes Over-parameterized Deep ReLU
Networks.* arXiv:1811.08888 (2018); journal version *Gradient descent optimizes over-parameterized
deep ReLU networks*, Machine Learning (2020), DOI 10.1007/s10994-019-05839-6.

Summary. For binary classification with a broad family of losses and Gaussian (He) initialisation,
GD and SGD reach a global minimum of the training loss of a deep ReLU network whose width is a large
polynomial in n, L and 1/phi (phi the separation of opposite-label points), because the iterates stay
within O(m^{-1/2}) (relative) of the initialisation. Those widths cannot be instantiated here, so the
claims are checked **in spirit** at m = 16 to 256 (spec ``shared/claims/related_claims.md`` section 6):
GD and batch-1 SGD fit separable data (GD at least as fast as the guarantee of GD on the network's
linearisation at initialisation, from its NTK Gram), the relative movement of the weights falls like m^{-1/2}
(fitted slope), and a data set with an opposite-label duplicate (separation violated) cannot be
fitted, whatever the width (a derived, model-agnostic control).

Public functions (from :mod:`theorems.deep_relu_width.formulas`): :func:`derive_pair_bound` (sympy),
:func:`gd_sweep`, :func:`linearised_gd_bound`, :func:`ntk_bound`, :func:`sgd_run`,
:func:`duplicate_control`, :func:`loglog_slopes`, :func:`data`.
The model is :class:`sim.deep_relu.DeepReLUNetwork`.
"""

from theorems.deep_relu_width.formulas import (
    CONFIG,
    data,
    derive_pair_bound,
    duplicate_control,
    gd_sweep,
    linearised_gd_bound,
    loglog_slopes,
    ntk_bound,
    sgd_run,
)

__all__ = [
    "CONFIG",
    "data",
    "derive_pair_bound",
    "duplicate_control",
    "gd_sweep",
    "linearised_gd_bound",
    "loglog_slopes",
    "ntk_bound",
    "sgd_run",
]
