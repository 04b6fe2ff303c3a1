"""The SGD-noise claims (``online_noise.*``, Vyas et al. ICML 2024) and their false variants, in order.

Importing this module registers the claims (discovery does it on first use of the registry). They live
in three submodules, imported here in order:

* :mod:`.claims_ls` - least squares (derived control): per-step monotonicity in B online, no fork
  offline;
* :mod:`.claims_dln_offline` - the offline diagonal network (positive control): noise changes the
  solution, the fork, switching;
* :mod:`.claims_dln_online` - the online diagonal network: the golden path and the paper's other
  hypotheses, and the gradient-flow proxy control;

and :mod:`.figures` attaches the figures to their claims.
"""

from __future__ import annotations

# Registration follows the order of the original module.
# isort: off
from theorems.online_sgd_noise import claims_ls
from theorems.online_sgd_noise import claims_dln_offline
from theorems.online_sgd_noise import claims_dln_online
from theorems.online_sgd_noise import figures

# isort: on

__all__ = ["claims_ls", "claims_dln_offline", "claims_dln_online", "figures"]
