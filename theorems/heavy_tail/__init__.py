r"""The heavy-tail phenomenon in online SGD (Gürbüzbalaban, Şimşekli, Zhu, ICML 2021, arXiv 2006.04740).

Online minibatch SGD on least squares with fresh Gaussian data a_i ~ N(0, sigma2 I_d) is the random
affine recursion x_k = M_k x_{k-1} + q_k, M_k = I - (eta/b) sum_{i<=b} a_i a_i^T. Its stationary law has
a power-law tail P(u^T x > t) ~ e(u) t^{-alpha}, where alpha is the positive root of h(alpha) = 1 and

    h(s) = E ||M e_1||^s = E[((1 - cU)^2 + c^2 U V)^{s/2}],  c = eta sigma2 / b,
    U ~ chi2_b, V ~ chi2_{d-1} independent  (exact by rotation invariance),
    rho = E log ||M e_1||  (the top Lyapunov exponent; a stationary law exists iff rho < 0).

Public functions: :func:`tail_index`, :func:`critical_step_size`, :func:`lyapunov_exponent`,
:func:`max_step_size`, :func:`moment_function`, :func:`step_for_tail_index`, :func:`goldie_constant`,
:func:`stationary_second_moment`, and the estimators :func:`hill_estimator`, :func:`max_sum_ratio`,
:func:`block_tail_index`. The claims (ids ``heavy_tail.*``) encode the paper's statements;
theorem numbers and wording were reconstructed, not read from the PDF.

Layout: :mod:`.formulas` (sympy closed forms, quadrature, solvers, estimators; importing it registers no
claim), :mod:`.instances` (hypothesis strategies), :mod:`.simulations` (memoised chains and the
statistics the claims share), :mod:`.claims` (the claims and their false variants, registered when
discovery or ``theorems verify`` imports it) and :mod:`.figures`.

Numerics. h and rho are computed by fixed-node double-exponential quadrature over the two chi-square
variables (tanh-sinh on [0, 1/c] and exp-sinh on [1/c, inf) for U, where |1 - cU| vanishes; for V a
generalized Gauss-Laguerre rule when d >= 6 and a log-spaced midpoint rule that resolves the
near-singular corner (U = 1/c, V = 0) when 2 <= d <= 5). Nodes do not depend on s, so log h(s) is one
logsumexp; weights are normalised so that h(0) = 1 exactly. Measured accuracy (tests, against scipy
adaptive quadrature, the exact d = 3 inner integral and the b = 2 semi-closed form): ~1e-12 relative on
h(2), h(4), rho (~1e-11 in d = 2, 3); alpha to ~1e-14 (d = 1) and ~1e-10 (d = 3); log h(s) to <= 1e-6 up
to s = 100 (d > 1) and 200 (d = 1).
"""

from __future__ import annotations

from theorems import Citation
from theorems.heavy_tail.formulas import (
    S_MAX,
    NoStationaryLaw,
    TailIndexOutOfRange,
    block_tail_index,
    critical_step_size,
    even_moment_expr,
    fourth_moment_step_size,
    goldie_constant,
    h2_closed,
    h4_closed,
    hill_estimator,
    lyapunov_exponent,
    max_step_size,
    max_sum_ratio,
    moment_function,
    moment_upper_bound,
    noise_moment,
    second_moment_path,
    stationary_second_moment,
    step_for_tail_index,
    tail_index,
)

PAPER = Citation(
    authors="M. Gürbüzbalaban, U. Şimşekli, L. Zhu",
    year=2021,
    title="The Heavy-Tail Phenomenon in SGD",
    venue="ICML (PMLR 139)",
    arxiv="2006.04740",
    where="(reconstructed)",
)
GOLDIE = Citation(
    authors="C. M. Goldie",
    year=1991,
    title="Implicit renewal theory and tails of solutions of random equations",
    venue="Ann. Appl. Probab. 1:126-166",
    where="Theorem 4.1 (reconstructed)",
)


__all__ = [
    "GOLDIE",
    "PAPER",
    "NoStationaryLaw",
    "TailIndexOutOfRange",
    "block_tail_index",
    "critical_step_size",
    "goldie_constant",
    "hill_estimator",
    "lyapunov_exponent",
    "max_step_size",
    "max_sum_ratio",
    "moment_function",
    "stationary_second_moment",
    "step_for_tail_index",
    "tail_index",
    "fourth_moment_step_size",
    "moment_upper_bound",
    "noise_moment",
    "second_moment_path",
    "S_MAX",
    "even_moment_expr",
    "h2_closed",
    "h4_closed",
]
