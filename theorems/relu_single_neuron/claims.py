"""The single-ReLU-neuron claims (``relu1.*``) and their false variants, in the papers' order.

Importing this module registers the claims (discovery does it on first use of the registry). They live
in two submodules, imported here in order:

* :mod:`.claims_flow` - finite data (Lee, Sim & Ye 2022): the norm identity, support vectors, inactive
  points, orthogonal inputs, non-positively correlated inputs;
* :mod:`.claims_population` - Gaussian-population data (Lee, Sim & Ye 2024) and the Vardi-Shamir
  construction (COLT 2021);

and :mod:`.figures` attaches the figures to their claims.
"""

from __future__ import annotations

# Registration follows the papers' order.
# isort: off
from theorems.relu_single_neuron import claims_flow
from theorems.relu_single_neuron import claims_population
from theorems.relu_single_neuron import figures

# isort: on

__all__ = ["claims_flow", "claims_population", "figures"]
