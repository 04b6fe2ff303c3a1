r"""Implicit bias of SGD for diagonal linear networks (Pesme, Pillaud-Vivien, Flammarion 2021).

S. Pesme, L. Pillaud-Vivien, N. Flammarion. *Implicit Bias of SGD for Diagonal Linear Networks: a Provable
Benefit of Stochasticity.* NeurIPS 2021, arXiv:2106.09524. The statements are **reconstructed**
(see ``shared/claims/pesme2021_diagonal_networks.md``): the paper's text was not available, every
constant was re-derived here (sympy) and is checked numerically by the suite.

The paper in one paragraph: on the two-layer diagonal network $\beta = w_+^2 - w_-^2$ (the P-convention:
loss $L(\beta) = \frac1{4n}\|X\beta - y\|^2$, initialisation $w_\pm = \alpha\in\mathbb R^d_{>0}$, SDE time
$t = \gamma k$), gradient flow converges to the interpolant minimising the hyperbolic entropy
$\phi_\alpha$, which moves from the minimum-$\ell_2$ interpolant (large $\alpha$) to the minimum-$\ell_1$
one ($\alpha\to0$). Stochastic gradient flow, the SDE model of SGD, converges to the minimiser of
$\phi_{\alpha_\infty}$ with the *effective initialisation*
$\alpha_\infty = \alpha\odot\exp(-2\gamma\,\mathrm{diag}(X^\top X/n)\int_0^\infty L) < \alpha$: the noise
shrinks the scale, so SGD is biased further towards sparse solutions than GD, the more so the larger
the step and the slower the convergence -- a provable benefit of stochasticity.

The package (one module per concern; importing the package or any of these registers no claim):

* :mod:`~theorems.diagonal_networks.formulas` -- the sympy derivations (:func:`derivations`) and the
  closed forms they give: :func:`potential`, :func:`potential_grad` ($\phi_\alpha$),
  :func:`effective_init` ($\alpha_\infty$), :func:`discrete_log_shrink` (the exact shrink of discrete
  (S)GD, $\frac12\sum_k\ln|1-(\gamma g_k)^2|$), :func:`shrink_coefficient`, :func:`kernel_projector`;
* :mod:`~theorems.diagonal_networks.solvers` -- :func:`implicit_solution`
  ($\arg\min\{\phi_\alpha(\beta) : X\beta = y\}$, log-domain dual damped Newton with continuation; a
  linear program for $\alpha = 0$), :func:`min_l1_interpolant`, :func:`min_l2_interpolant`,
  :func:`bregman_limit` (the GF limit from any state), :func:`gf_log_flow` (gradient flow in log
  coordinates), :func:`l1_uniqueness_margin`, :func:`large_alpha_expansion`;
* :mod:`~theorems.diagonal_networks.instances` -- the hypothesis strategies of instance dicts and the
  builders :func:`sparse_regression`, :func:`alpha_vector`, :func:`step_scale`, :func:`setup`;
* :mod:`~theorems.diagonal_networks.simulations` -- cached runs shared by the claims:
  :func:`sgd_runs`, :func:`sgf_runs`, :func:`gf_limit`, :func:`implicit_for`;
* :mod:`~theorems.diagonal_networks.claims` -- the claims ``pesme2021.*`` and their false variants, in
  the paper's order (``claims_gf``, ``claims_sgf``, ``claims_sgd``); imported by discovery;
* :mod:`~theorems.diagonal_networks.figures` -- the figures F1-F3.

The fast replica-vectorised kernels :func:`run_sgd`, :func:`run_gd`, :func:`run_sgf` (and :class:`Run`,
``SGF_SCHEMES``, ``SGF_NOISES``) live in :mod:`sim.diagonal_kernels` (checked step for step against
``sim.dynamics`` in the tests) and are re-exported here.

Claims (``pesme2021.*``): ``gf.closed_form``, ``gf.implicit_bias``, ``potential.asymptotics``,
``gf.loss_integral``, ``gf.monotone_in_alpha``, ``sgf.ito_product``, ``sgf.stratonovich_is_gf``,
``sgf.implicit_bias``, ``sgf.benefit``, ``sgf.matches_sgd``, ``sgd.limit_exact``,
``sgd.shrink_mean_matches_sgf``, ``sgd.batch_scaling``, ``bias.slower_is_stronger``,
``generalisation.sgf_beats_gf``, the conjectures ``conj.l1_monotone*`` and ``convergence``.
"""

from __future__ import annotations

from sim.diagonal_kernels import SGF_NOISES, SGF_SCHEMES, Run, run_gd, run_sgd, run_sgf
from theorems import Citation

PAPER = Citation(
    authors="S. Pesme, L. Pillaud-Vivien, N. Flammarion",
    year=2021,
    title="Implicit Bias of SGD for Diagonal Linear Networks: a Provable Benefit of Stochasticity",
    venue="NeurIPS",
    arxiv="2106.09524",
    where="(reconstructed)",
)
WOODWORTH = Citation(
    authors="B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro",
    year=2020,
    title="Kernel and Rich Regimes in Overparametrized Models",
    venue="COLT",
    arxiv="2002.09277",
    where="implicit bias of gradient flow (P-convention, reconstructed)",
)
EVEN = Citation(
    authors="M. Even, S. Pesme, S. Gunasekar, N. Flammarion",
    year=2023,
    title="(S)GD over Diagonal Linear Networks: Implicit Bias, Large Stepsizes and Edge of Stability",
    venue="NeurIPS",
    arxiv="2302.08982",
    where="discrete (S)GD gain (P-convention, reconstructed)",
)


# The public functions, re-exported (after the citations: the submodules import nothing from here, the
# claim modules import the citations).
from theorems.diagonal_networks.formulas import (  # noqa: E402
    derivations,
    discrete_log_shrink,
    effective_init,
    kernel_projector,
    potential,
    potential_grad,
    shrink_coefficient,
)
from theorems.diagonal_networks.instances import (  # noqa: E402
    SparseRegression,
    alpha_vector,
    setup,
    sparse_regression,
    step_scale,
)
from theorems.diagonal_networks.simulations import gf_limit, implicit_for, sgd_runs, sgf_runs  # noqa: E402
from theorems.diagonal_networks.solvers import (  # noqa: E402
    ImplicitSolution,
    SolverError,
    bregman_limit,
    gf_log_flow,
    implicit_solution,
    l1_uniqueness_margin,
    large_alpha_expansion,
    min_l1_interpolant,
    min_l2_interpolant,
)

__all__ = [
    "EVEN",
    "PAPER",
    "SGF_NOISES",
    "SGF_SCHEMES",
    "WOODWORTH",
    "ImplicitSolution",
    "Run",
    "SolverError",
    "SparseRegression",
    "alpha_vector",
    "bregman_limit",
    "derivations",
    "discrete_log_shrink",
    "effective_init",
    "gf_limit",
    "gf_log_flow",
    "implicit_for",
    "implicit_solution",
    "kernel_projector",
    "l1_uniqueness_margin",
    "large_alpha_expansion",
    "min_l1_interpolant",
    "min_l2_interpolant",
    "potential",
    "potential_grad",
    "run_gd",
    "run_sgd",
    "run_sgf",
    "setup",
    "sgd_runs",
    "sgf_runs",
    "shrink_coefficient",
    "sparse_regression",
    "step_scale",
]
