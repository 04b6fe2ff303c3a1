r"""Gradient flow of a single ReLU neuron: support vectors, norm growth, Vardi-Shamir (``relu1.*``).

Papers (spec ``shared/claims/relu_single_neuron.md``; **we did not have the full text** of the two
Lee-Sim-Ye papers, so every statement below is our reconstruction, checked numerically here):

* S. Lee, B. Sim, J. C. Ye. *Support Vectors and Gradient Dynamics of Single-Neuron ReLU Networks*
  (v1: *... for Implicit Bias in ReLU Networks*), arXiv:2202.05510 (2022).
* G. Vardi, O. Shamir. *Implicit Regularization in ReLU Networks with the Square Loss*, COLT 2021,
  arXiv:2012.05156.
* S. Lee, B. Sim, J. C. Ye. *Magnitude and Angle Dynamics in Training Single ReLU Neurons*,
  arXiv:2209.13394 (population data).

Model: $f(x) = \sigma(w^\top x)$, $\sigma$ = ReLU with $\sigma'(0) = 0$, labels $y_i \ge 0$,
$L(w) = \frac1{2n}\sum_i(\sigma(z_i) - y_i)^2$, $z_i = x_i^\top w$, gradient flow
$\dot w = -\frac1n\sum_{i\in A(w)}(z_i - y_i)x_i$ with $A(w) = \{i : z_i > 0\}$.

The flow is integrated exactly across activation switches by :func:`sim.relu_flow.relu_flow_exact`
(piecewise closed form, switches located by ``brentq``), cross-checked against ``solve_ivp`` with
terminal events (:func:`sim.relu_flow.relu_flow_ivp`). Fixed-step Euler is never used: it invents
small norm dips at switches.

Public helpers: :func:`derivations` (sympy), :func:`kappa`, :func:`population_rate`,
:func:`population_grad`, :func:`orthogonal_solution`, the instance builders ``*_problem`` and
:func:`norm_dip` (the certified norm-decrease measurement).

Layout: :mod:`.formulas` (sympy derivations and closed forms; importing it registers no claim),
:mod:`.instances` (hypothesis strategies and the ``*_problem`` builders), :mod:`.simulations` (exact
flow paths and the measurements the claims share), :mod:`.claims` (the ``relu1.*`` claims and their
false variants, registered when discovery or ``theorems verify`` imports it) and :mod:`.figures`.

Not encoded: the d = 2 global-convergence theorem of 2202.05510 v2 (statement not retrieved; in the
spec's prototypes random 2-D teacher data sometimes stopped at positive-loss stationary points, so the
theorem rests on an assumption we do not know).
"""

from __future__ import annotations

from theorems import Citation
from theorems.relu_single_neuron.formulas import (
    derivations,
    derive_norm_identity,
    derive_orthogonal,
    derive_population,
    derive_vardi_shamir,
    kappa,
    orthogonal_solution,
    population_grad,
    population_rate,
    population_theta_rate,
)
from theorems.relu_single_neuron.instances import (
    generic_problem,
    integer_small_init_problems,
    nonpos_problem,
    orthogonal_problem,
    vs_problem,
)
from theorems.relu_single_neuron.simulations import (
    DROP_THRESHOLD,
    EXACT_RTOL,
    norm_dip,
    vardi_shamir_limit,
)

LSY = Citation(
    authors="S. Lee, B. Sim, J. C. Ye",
    year=2022,
    title="Support Vectors and Gradient Dynamics of Single-Neuron ReLU Networks",
    venue="arXiv",
    arxiv="2202.05510",
    where="(reconstructed; full text not read)",
)
LSY_POP = Citation(
    authors="S. Lee, B. Sim, J. C. Ye",
    year=2024,
    title="Magnitude and Angle Dynamics in Training Single ReLU Neurons",
    venue="Neural Networks",
    arxiv="2209.13394",
    where="one-layer Gaussian case (re-derived here)",
)
VS = Citation(
    authors="G. Vardi, O. Shamir",
    year=2021,
    title="Implicit Regularization in ReLU Networks with the Square Loss",
    venue="COLT",
    arxiv="2012.05156",
    where="3-D construction (from a public reproduction; re-checked numerically)",
)

__all__ = [
    "LSY",
    "LSY_POP",
    "VS",
    "derivations",
    "derive_norm_identity",
    "derive_orthogonal",
    "derive_population",
    "derive_vardi_shamir",
    "kappa",
    "orthogonal_solution",
    "population_grad",
    "population_rate",
    "population_theta_rate",
    "generic_problem",
    "integer_small_init_problems",
    "nonpos_problem",
    "orthogonal_problem",
    "vs_problem",
    "DROP_THRESHOLD",
    "EXACT_RTOL",
    "norm_dip",
    "vardi_shamir_limit",
]
