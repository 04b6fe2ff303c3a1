r"""SGD noise in online versus offline learning: the "golden path" (Vyas et al., ICML 2024).

N. Vyas, D. Morwani, R. Zhao, G. Kaplun, S. Kakade, B. Barak. *Beyond Implicit Bias: The
Insignificance of SGD Noise in Online Learning.* ICML 2024, arXiv:2306.08590.

The paper's evidence is on large networks (ResNet-18 on CIFAR-5m, ConvNeXt on ImageNet, GPT-2 on C4).
Its hypothesis is qualitative: in **online** learning (a fresh sample every step) SGD takes noisy steps
along the path of the noiseless flow, so noise brings no implicit-bias advantage and its benefit is
strictly computational; in **offline** (multi-epoch) learning, noise changes the solution. This package
checks the same statements on models where they can be settled on a CPU (spec
``shared/claims/online_sgd_noise.md``; the operationalisation is ours, not the paper's):

* a two-layer diagonal linear network (DLN), where offline SGD noise *provably* changes the solution
  (Pesme et al. 2021: SGD acts like gradient flow from a smaller effective init, hence a sparser
  interpolant);
* least squares as a control, where the claims are derived exactly.

Conventions (P-convention of the diagonal-network spec, used end to end): $\beta = w_+^2 - w_-^2$,
per-sample loss $\frac14(x^\top\beta - y)^2$, step $w_\pm \leftarrow w_\pm\odot(1\mp\eta\hat g)$ with
$\hat g$ the minibatch mean of $r_i x_i$, $\eta = 0.04$. Data $x\sim\mathcal N(0,\Sigma)$,
$\Sigma_{ij} = 0.5^{|i-j|}$, $y = \beta^{\star\top}x$ with a $k$-sparse $\beta^\star$ (entries $\pm1$).
Losses are reported as MSE: online the exact population MSE
$m(\beta) = (\beta-\beta^\star)^\top\Sigma(\beta-\beta^\star)$, offline the train MSE
$\frac1n\|X\beta-y\|^2$. With the alternative normalisation $\frac1{2n}\|\cdot\|^2$ the same dynamics
needs $\eta/2$.

Matching at equal loss: for each run and loss level $\ell$ the first crossing $m_t\le\ell$ is found
and $\beta$ interpolated in log-loss between steps $t-1$ and $t$
(:func:`sim.online_training.train_online`). Two models at equal loss are compared through the
normalised function-space distance $\rho(\ell) = D/\ell$, $D = (\beta_1-\beta_2)^\top\Sigma
(\beta_1-\beta_2) = \mathbb E_x(f_1-f_2)^2$ ($\rho = 2$: equal-size uncorrelated errors).

Claims (``online_noise.*``; the replica is the statistical unit, family error 0.01 per claim):

* least squares (derived): ``ls_online_per_step_monotone`` (exact second-moment recursion, monotone
  in B, matched by Monte Carlo), ``ls_offline_no_fork`` (GD and SGD reach the same interpolant);
* offline DLN (positive control): ``dln_offline_noise_changes_solution``, ``dln_offline_fork``
  (rho grows like 1/l), ``dln_offline_switch`` (noise kept longer ends better);
* online DLN: ``dln_online_golden_path_flat`` (rho flat in l), ``dln_online_distance_scaling``
  (rho ~ 1/B), ``dln_online_fluctuation_dominated`` (bias^2 < var), ``dln_online_per_step_monotone``,
  ``dln_online_per_sample``, ``dln_online_switch_earlier_never_hurts``, ``dln_online_not_sparser``;
* control: ``gd_flow_proxy`` (GD at eta is on the flow's path at this resolution).

Measured beyond the claims (dev sizes, 34 draws): at matched loss the replica-*mean* online
iterate carries 15-27% less off-support mass than GD (an O(eta/B) drift that buys no loss), while
each replica carries 5-20% more at the first levels past the transient, fading to ~1 at the lowest
levels (on one draw of 34, 6% less: per-model sparsity at matched loss is draw-dependent, so it is
not asserted). Early in training (steps 20-50) the geometric-mean loss of large batches dips a few
percent below population GD's (not significant after Holm with 16 replicas).

Public API: :data:`PROFILES`, :func:`config`, :func:`online_sweep`, :func:`offline_sweep`,
:func:`matched_rho`, :func:`loglog_slope`, :func:`bootstrap_slopes`, :func:`holm`,
:func:`off_support_l1`, :func:`ls_online_expected_mse`; the claims are in :mod:`.claims`.

Layout: :mod:`.formulas` (the exact least-squares recursion and the statistics; importing it registers
no claim), :mod:`.instances` (hypothesis strategies and the least-squares problem builders),
:mod:`.simulations` (the memoised sweeps and the fits the claims share), :mod:`.claims` (registered
when discovery or ``theorems verify`` imports it; submodules ``claims_ls``, ``claims_dln_offline``,
``claims_dln_online``) and :mod:`.figures`.
"""

from __future__ import annotations

from theorems import Citation
from theorems.online_sgd_noise.formulas import (
    bootstrap_slopes,
    holm,
    loglog_slope,
    ls_online_expected_mse,
    matched_rho,
    off_support_l1,
)
from theorems.online_sgd_noise.simulations import (
    PROFILES,
    Sweep,
    SweepConfig,
    config,
    offline_sweep,
    online_sweep,
)

PAPER = Citation(
    authors="N. Vyas, D. Morwani, R. Zhao, G. Kaplun, S. Kakade, B. Barak",
    year=2024,
    title="Beyond Implicit Bias: The Insignificance of SGD Noise in Online Learning",
    venue="ICML",
    arxiv="2306.08590",
    where="hypotheses C1-C5 of the abstract; the diagonal-network and least-squares tests are our "
    "operationalisation (not from the paper)",
)
PESME = Citation(
    authors="S. Pesme, L. Pillaud-Vivien, N. Flammarion",
    year=2021,
    title="Implicit Bias of SGD for Diagonal Linear Networks: a Provable Benefit of Stochasticity",
    venue="NeurIPS",
    arxiv="2106.09524",
    where="offline effect used as the positive control (reconstructed)",
)

__all__ = [
    "PAPER",
    "PESME",
    "bootstrap_slopes",
    "holm",
    "loglog_slope",
    "ls_online_expected_mse",
    "matched_rho",
    "off_support_l1",
    "PROFILES",
    "Sweep",
    "SweepConfig",
    "config",
    "offline_sweep",
    "online_sweep",
]
