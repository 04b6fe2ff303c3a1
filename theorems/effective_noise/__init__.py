r"""The effective noise of SGD: replica distance, effective temperature, persistent SGD.

F. Mignacco, P. Urbani. *The effective noise of Stochastic Gradient Descent.* J. Stat. Mech. (2022)
083405, arXiv:2112.10852. Persistent SGD: F. Mignacco, F. Krzakala, P. Urbani, L. Zdeborova,
*Dynamical mean-field theory for stochastic gradient descent in Gaussian mixture classification*,
NeurIPS 2020, arXiv:2006.06098.

Summary. On a spherical perceptron (a constraint-satisfaction problem), SGD and persistent SGD
(p-SGD, where each sample's membership of the minibatch is a two-state Markov chain with persistence
time ``tau``) are compared by two noise measures: in the over-parametrised (SAT) phase, the distance
``Delta`` between replicas started at the same point and driven by different minibatch noise; in the
under-parametrised (UNSAT) phase, the effective temperature ``T_eff`` read off the
fluctuation-dissipation relation. Both grow as the batch fraction ``b`` falls and as ``tau`` grows; GD
has none; noisier runs end deeper inside the solution space. The model, loss and normalisation are
**reconstructed** from the abstract (spec ``shared/claims/related_claims.md`` section 7), every trend
is checked at finite N, and the ``T_eff`` estimator is calibrated on Langevin dynamics at a known
temperature first (claim ``effective_noise.langevin_calibration``).

Public functions (from :mod:`theorems.effective_noise.formulas`): :func:`derive_psgd` (sympy),
:func:`fdt_temperature`, :func:`langevin_temperature`, :func:`teff_sweep`, :func:`sat_sweep`,
:func:`psgd_sweep`, :func:`log_replica_distance`, :func:`interval_test`. The models live in ``sim``:
:class:`sim.perceptron.SphericalPerceptron`, :func:`sim.perceptron.projected_descent`,
:class:`sim.selection.BernoulliSelection`, :class:`sim.selection.PersistentSelection`.
"""

from theorems.effective_noise.formulas import (
    CONFIG,
    Estimate,
    FDTResult,
    derive_psgd,
    fdt_temperature,
    interval_test,
    langevin_temperature,
    log_replica_distance,
    psgd_sweep,
    sat_sweep,
    teff_sweep,
)

__all__ = [
    "CONFIG",
    "Estimate",
    "FDTResult",
    "derive_psgd",
    "fdt_temperature",
    "interval_test",
    "langevin_temperature",
    "log_replica_distance",
    "psgd_sweep",
    "sat_sweep",
    "teff_sweep",
]
