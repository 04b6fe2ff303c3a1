"""The claims of Gürbüzbalaban, Şimşekli & Zhu (ICML 2021) and their false variants, in the paper's order.

Importing this module registers the ``heavy_tail.*`` claims (discovery does it on first use of the
registry). The claims live in three submodules, imported here in order:

* :mod:`.claims_tail_index` - h and its even moments, eta_crit, the infinite-variance window, finite
  variance below eta_crit, monotonicity of alpha in eta, b and d;
* :mod:`.claims_stationary` - coupling, Goldie's constant, the two-chi-square reduction, the official
  grid, the block estimator, the multivariate Kesten tail;
* :mod:`.claims_moments` - the second-moment recursion, the shape of h, metamorphic relations, the
  moment bound and the generalised-CLT scaling;

and :mod:`.figures` attaches the figures to their claims.
"""

from __future__ import annotations

# Registration follows the paper's order.
# isort: off
from theorems.heavy_tail import claims_tail_index
from theorems.heavy_tail import claims_stationary
from theorems.heavy_tail import claims_moments
from theorems.heavy_tail import figures

# isort: on

__all__ = ["claims_tail_index", "claims_stationary", "claims_moments", "figures"]
