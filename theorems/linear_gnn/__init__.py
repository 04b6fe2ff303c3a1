"""Xu, Zhang, Jegelka, Kawaguchi: optimization of linearized GNNs (``linear_gnn.*``).

K. Xu, M. Zhang, S. Jegelka, K. Kawaguchi. *Optimization of Graph Neural Networks: Implicit
Acceleration by Skip Connections and More Depth.* ICML 2021, PMLR 139:11592-11602. arXiv:2105.04550.

Linearized GNNs ``f = W B_H ... B_1 X S^H`` converge to a global minimum at a linear rate despite the
non-convexity: Theorem 1 bounds ``L_T - L*`` by ``(L_0 - L*) exp(-4 sigma_min^2 int lambda_min)``
(:func:`linear_rate_bound`, constants from :func:`rate_constants`); the same proof gives the
multiscale (skip-connection) form. The abstract says skip connections and depth accelerate training;
here the skip claim is a comparison over inits with a sign test, and the depth claim is a conjecture
the suite hunts counterexamples for. The package is named after the model (the paper's title is about
GNNs in general, but every statement here is about the linearized model :class:`sim.gnn.LinearGNN`).
Spec: ``shared/claims/related_claims.md`` section 4.
"""

from theorems.linear_gnn.formulas import (
    RateConstants,
    derive_gronwall,
    head_spectra,
    linear_rate_bound,
    rate_constants,
)

__all__ = ["RateConstants", "derive_gronwall", "head_spectra", "linear_rate_bound", "rate_constants"]
