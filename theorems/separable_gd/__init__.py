r"""Soudry, Hoffer, Nacson, Gunasekar, Srebro (2018): gradient descent on separable data (``separable_gd.*``).

D. Soudry, E. Hoffer, M. S. Nacson, S. Gunasekar, N. Srebro. *The Implicit Bias of Gradient Descent on
Separable Data.* JMLR 19(70):1-57, 2018 (ICLR 2018), arXiv:1710.10345.

GD with a fixed step on the unregularised logistic (or exponential) sum loss of linearly separable data
diverges in norm and converges in direction to the hard-margin SVM $\hat w$, only logarithmically fast:
$w(t) = \hat w\log t + \tilde w + o(1)$ with $\eta e^{-z_n^\top\tilde w} = \alpha_n$ on the support vectors
(for almost every data set), so the direction error is $\Theta(1/\log t)$ with constant
$c^* = \|P_{\hat w^\perp}\tilde w\|/\|\hat w\|$, and $tL(t) \to \sum_n\alpha_n/\eta$. The expansion is
reconstructed from the JMLR text (spec ``related_claims.md`` §2); the discrete runs here are GD itself,
the object of the theorem.

Public functions: :func:`svm`, :func:`offset`, :func:`direction_constant`,
:func:`predicted_direction_error`, :func:`designed_closed_forms` (sympy).
"""

from theorems.separable_gd.formulas import (
    DESIGNED_Z,
    SVM,
    designed_closed_forms,
    direction_constant,
    offset,
    predicted_direction_error,
    svm,
)

__all__ = [
    "DESIGNED_Z",
    "SVM",
    "designed_closed_forms",
    "direction_constant",
    "offset",
    "predicted_direction_error",
    "svm",
]
