"""The claims of Pesme, Pillaud-Vivien, Flammarion (2021), ``pesme2021.*``, in the paper's order.

Importing this module registers them (discovery imports ``theorems.<paper>.claims`` for every paper
package); importing :mod:`theorems.diagonal_networks` or its ``formulas`` does not. The claims live in
five modules by the paper's sections, each claim followed by its false variants:

1. :mod:`~theorems.diagonal_networks.claims_gf` -- gradient flow: ``gf.closed_form``,
   ``gf.implicit_bias``, ``potential.asymptotics``, ``gf.loss_integral``, ``gf.monotone_in_alpha``;
2. :mod:`~theorems.diagonal_networks.claims_sgf` -- stochastic gradient flow: ``sgf.ito_product``,
   ``sgf.stratonovich_is_gf``, ``sgf.implicit_bias`` (the main theorem), ``sgf.benefit``,
   ``sgf.matches_sgd`` (in :mod:`~theorems.diagonal_networks.claims_sgf_sgd`);
3. :mod:`~theorems.diagonal_networks.claims_sgd` -- discrete SGD and the consequences:
   ``sgd.limit_exact``, ``sgd.shrink_mean_matches_sgf``, ``sgd.batch_scaling``,
   ``bias.slower_is_stronger``, ``generalisation.*`` (two of them refuted), ``conj.l1_monotone*``
   (two refuted; in :mod:`~theorems.diagonal_networks.claims_conj`),
   ``convergence``.

The figures (:mod:`~theorems.diagonal_networks.figures`) are attached to their claims here.
"""

from __future__ import annotations

from theorems.diagonal_networks import figures
from theorems.diagonal_networks.claims_conj import (
    conj_l1_monotone,
    conj_l1_monotone_overparametrised,
    conj_l1_monotone_restricted,
)
from theorems.diagonal_networks.claims_gf import (
    gf_closed_form,
    gf_implicit_bias,
    gf_loss_integral,
    gf_monotone_in_alpha,
    potential_asymptotics,
)
from theorems.diagonal_networks.claims_sgd import (
    bias_slower_is_stronger,
    convergence,
    generalisation_sgd_beats_gf,
    generalisation_sgf_beats_gf,
    generalisation_sgf_beats_gf_every_instance,
    sgd_batch_scaling,
    sgd_limit_exact,
    sgd_shrink_mean_matches_sgf,
)
from theorems.diagonal_networks.claims_sgf import (
    sgf_benefit,
    sgf_implicit_bias,
    sgf_ito_product,
    sgf_stratonovich_is_gf,
)
from theorems.diagonal_networks.claims_sgf_sgd import sgf_matches_sgd

generalisation_sgf_beats_gf.add_figures(figures.test_error_vs_step)
bias_slower_is_stronger.add_figures(figures.shrink_vs_loss_integral)
sgd_limit_exact.add_figures(figures.gd_from_alpha_inf)

# In the paper's order.
CLAIMS = (
    gf_closed_form,
    gf_implicit_bias,
    potential_asymptotics,
    gf_loss_integral,
    gf_monotone_in_alpha,
    sgf_ito_product,
    sgf_stratonovich_is_gf,
    sgf_implicit_bias,
    sgf_benefit,
    sgf_matches_sgd,
    sgd_limit_exact,
    sgd_shrink_mean_matches_sgf,
    sgd_batch_scaling,
    bias_slower_is_stronger,
    generalisation_sgf_beats_gf,
    generalisation_sgf_beats_gf_every_instance,
    generalisation_sgd_beats_gf,
    conj_l1_monotone,
    conj_l1_monotone_restricted,
    conj_l1_monotone_overparametrised,
    convergence,
)
