r"""Exact pieces and estimators for the effective noise of SGD (Mignacco & Urbani 2022).

Importing this module registers no claim.

* :func:`derive_psgd` (sympy): the persistent-SGD selection chain, its stationary fraction ``b`` and
  its lag-one correlation ``1 - eta/(b tau)``, which vanishes exactly at ``tau = eta/b`` (p-SGD is
  SGD there).
* :func:`fdt_temperature`: the fluctuation-dissipation estimator of the effective temperature,
  ``T_eff = -Delta C / Delta chi`` per time window, with a delta-method confidence interval over
  independent reference replicas; :func:`langevin_temperature` runs it on full-batch projected GD plus
  Langevin noise at a known temperature (the calibration, claim ``effective_noise.langevin_calibration``).
* :func:`sat_sweep` / :func:`psgd_sweep`: replica distances and gap statistics of converged SAT runs.
* Small statistics: :class:`Estimate` (value, standard error, dof), :func:`interval_test`,
  :func:`ratio_of_means`, :func:`log_replica_distance` (jackknife over replicas).

All sizes come from :data:`CONFIG` (per profile); sweeps are cached by their full argument list.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from sim.perceptron import SphericalPerceptron, projected_descent
from sim.selection import BernoulliSelection, PersistentSelection

# Sizes per profile; ci/thorough: the spec's N = 200. dev (3+ instances per claim at about the cost
# one instance had at N = 100): N = 60 (a third of the cost) with the same 16 replicas; the SAT
# sweep's replica count sets the power of its jackknife and t intervals (8 replicas at N = 100 leave a
# third of the instances inconclusive, 16 at N = 60 none in our draws). Windows are in steps of the
# dynamics (time = steps * eta).
CONFIG: dict[str, dict[str, Any]] = {
    "dev": {
        "N": 60,
        "sat_N": 60,
        "sat_replicas": 16,
        "sat_steps": 3000,
        "psgd_steps": 4000,
        "psgd_taus": (0.5, 2.0),
        "replicas": 16,
        "refs": 8,
        "calib_refs": 16,
        "fields": 2,
        "warmup": 2000,
    },
    "ci": {
        "N": 200,
        "sat_N": 200,
        "sat_replicas": 16,
        "sat_steps": 4000,
        "psgd_steps": 6000,
        "psgd_taus": (0.5, 1.0, 2.0),
        "replicas": 16,
        "refs": 12,
        "calib_refs": 16,
        "fields": 2,
        "warmup": 2000,
    },
}
CONFIG["thorough"] = dict(CONFIG["ci"], refs=16, calib_refs=24)
WINDOWS = (0, 50, 200, 400)  # T_eff windows [0, 50), [50, 200), [200, 400) in steps
FIELD_EPS = 0.02
SAT_ALPHA = 1.0
UNSAT_ALPHA = 3.0
CONVERGED = 1e-10  # a SAT run counts only if its final energy is below this


def config(profile: str) -> dict[str, Any]:
    return CONFIG.get(profile, CONFIG["dev"])


# ============================================================================ sympy
@functools.cache
def derive_psgd() -> dict[str, Any]:
    r"""sympy: the two-state chain with ``p01 = eta/tau``, ``p10 = (1-b) eta/(b tau)``.

    Returns ``stationary`` (the solution ``pi_1`` of ``pi P = pi``; simplifies to ``b``),
    ``stationary_minus_b`` (0), ``eigenvalue`` (``1 - p01 - p10 = 1 - eta/(b tau)``),
    ``tau_iid`` (the solutions of ``eigenvalue = 0``: ``[eta/b]``), ``P_at_tau_iid`` (the transition
    matrix there: both rows ``(1-b, b)``, so the next state ignores the current one: i.i.d.
    Bernoulli(b) = SGD), ``rows_equal`` (0 matrix), and ``tau_min_p10`` / ``tau_min_p01`` (the
    ``tau`` where ``p10`` / ``p01`` reach 1: both decrease in ``tau``, so the chain is valid iff
    ``tau >= max(eta, (1-b) eta/b)``; at ``tau = eta`` and ``b < 1/2``, ``p10 > 1``).
    """
    import sympy as sp

    b, eta, tau = sp.symbols("b eta tau", positive=True)
    p01 = eta / tau
    p10 = (1 - b) * eta / (b * tau)
    P = sp.Matrix([[1 - p01, p01], [p10, 1 - p10]])
    pi1 = sp.Symbol("pi1")
    sol = sp.solve(sp.Eq((sp.Matrix([[1 - pi1, pi1]]) * P)[1], pi1), pi1)[0]
    lam = sp.together(P.trace() - 1)  # eigenvalues of a stochastic 2x2: 1 and trace - 1
    tau_iid = sp.solve(sp.numer(lam), tau)  # the numerator is linear in tau
    P_iid = P.subs(tau, tau_iid[0]).applyfunc(sp.simplify)
    return {
        "P": P,
        "stationary": sp.simplify(sol),
        "stationary_minus_b": sp.simplify(sol - b),
        "eigenvalue": sp.simplify(lam),
        "eigenvalue_check": sp.simplify(lam - (1 - eta / (b * tau))),
        "tau_iid": tau_iid,
        "P_at_tau_iid": P_iid,
        "rows_equal": sp.simplify(P_iid.row(0) - P_iid.row(1)),
        "tau_min_p10": sp.solve(sp.Eq(p10, 1), tau),
        "tau_min_p01": sp.solve(sp.Eq(p01, 1), tau),
    }


# ============================================================================ statistics
@dataclass(frozen=True)
class Estimate:
    """A point estimate with a standard error and Student-t degrees of freedom."""

    value: float
    se: float
    dof: float

    def ci(self, level: float) -> tuple[float, float]:
        """Two-sided ``1 - level`` t-interval."""
        h = float(stats.t.ppf(1 - level / 2, self.dof)) * self.se
        return self.value - h, self.value + h

    def __sub__(self, other: Estimate) -> Estimate:
        """Difference of independent estimates (Welch-Satterthwaite degrees of freedom)."""
        va, vb = self.se**2, other.se**2
        se = math.sqrt(va + vb)
        dof = (va + vb) ** 2 / (va**2 / self.dof + vb**2 / other.dof) if se > 0 else 1.0
        return Estimate(self.value - other.value, se, dof)


def interval_test(est: Estimate, lo: float, hi: float, level: float) -> dict[str, Any]:
    """Test "the true value lies in ``[lo, hi]``" at ``level``.

    ``reject``: the ``1 - level`` interval misses ``[lo, hi]``; ``supports``: it lies inside;
    ``p_value``: two-sided t p-value of the distance from the estimate to ``[lo, hi]``.
    """
    a, b = est.ci(level)
    dist = max(lo - est.value, est.value - hi, 0.0)
    p = float(2 * stats.t.sf(dist / est.se, est.dof)) if est.se > 0 else float(dist == 0)
    return {
        "reject": bool(b < lo or a > hi),
        "supports": bool(lo <= a and b <= hi),
        "p_value": min(1.0, p),
        "ci": (a, b),
        "estimate": est.value,
    }


def ratio_of_means(num: np.ndarray, den: np.ndarray) -> Estimate:
    """``mean(num)/mean(den)`` over paired samples, delta-method standard error, ``n - 1`` dof."""
    num, den = np.asarray(num, float), np.asarray(den, float)
    n = num.size
    r = float(num.mean() / den.mean())
    se = float(np.std(num - r * den, ddof=1) / (math.sqrt(n) * abs(den.mean())))
    return Estimate(r, se, n - 1)


def log_ratio_of_means(num: np.ndarray, den: np.ndarray) -> Estimate:
    """``log(mean(num)/mean(den))`` with the delta-method standard error (``nan`` if not positive)."""
    e = ratio_of_means(num, den)
    if e.value <= 0:
        return Estimate(float("nan"), float("inf"), e.dof)
    return Estimate(math.log(e.value), e.se / e.value, e.dof)


def log_replica_distance(w: np.ndarray) -> Estimate:
    """``log Delta`` (all pairs) with the leave-one-replica-out jackknife standard error, ``R - 1`` dof."""
    w = np.asarray(w, float)
    R, N = w.shape
    q = w @ w.T / N
    iu = np.triu_indices(R, 1)
    full = math.log(1.0 - q[iu].mean())
    loo = np.empty(R)
    iu2 = np.triu_indices(R - 1, 1)
    for r in range(R):
        keep = np.arange(R) != r
        loo[r] = math.log(1.0 - q[np.ix_(keep, keep)][iu2].mean())
    se = math.sqrt((R - 1) / R * np.sum((loo - loo.mean()) ** 2))
    return Estimate(full, se, R - 1)


def mean_estimate(x: np.ndarray) -> Estimate:
    x = np.asarray(x, float)
    return Estimate(float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size)), x.size - 1)


# ============================================================================ T_eff
@dataclass
class FDTResult:
    """Per-window FDT data: ``dC`` and ``dchi`` have shape (n_windows, n_refs)."""

    dC: np.ndarray
    dchi: np.ndarray
    windows: tuple[int, ...]

    def estimate(self, window: int = 0) -> Estimate:
        """``T_eff`` in a window: ratio of the reference means of ``dC`` and ``dchi`` (delta method)."""
        return ratio_of_means(self.dC[window], self.dchi[window])

    def log_estimate(self, window: int = 0) -> Estimate:
        return log_ratio_of_means(self.dC[window], self.dchi[window])


def fdt_temperature(
    problem: SphericalPerceptron,
    seed: int,
    lr: float,
    *,
    selections: tuple[BernoulliSelection | PersistentSelection | None, ...] = (None,),
    temperature: float = 0.0,
    n_refs: int = 8,
    n_fields: int = 2,
    warmup: int = 2000,
    windows: tuple[int, ...] = WINDOWS,
    eps: float = FIELD_EPS,
    shared_noise: bool = True,
) -> list[FDTResult]:
    r"""FDT data of projected (stochastic/Langevin) descent after ``warmup`` steps, one
    :class:`FDTResult` per entry of ``selections`` (``None``: full batch); all settings advance
    together in one vectorised run.

    For each setting, ``n_refs`` independent reference runs start from independent random points. At
    the waiting time ``t_w`` each reference is copied ``n_fields`` times; copy ``k`` feels the extra
    force ``eps r_k`` (a field ``-eps r_k . w``, ``r_k`` random +-1) and is driven by **the same**
    minibatch masks and Langevin noise as its reference (``shared_noise=False`` gives each copy its
    own Langevin noise: the estimator then drowns, a documented pitfall). With
    ``C(tau) = w(t_w + tau) . w(t_w)/N`` and ``chi(tau) = mean_k r_k . (w^k - w)(t_w + tau)/(N eps)``,
    per window ``[tau_1, tau_2)``: ``dC = C(tau_1) - C(tau_2)``, ``dchi = chi(tau_2) - chi(tau_1)``
    and ``T_eff = dC/dchi`` (FDT: ``chi(tau) = (C(0) - C(tau))/T`` in equilibrium at temperature T).
    """
    N, R0, K, S = problem.N, n_refs, n_fields, len(selections)
    L = int(windows[-1])
    w0 = problem.random_point(np.random.SeedSequence([seed, 1]), R0)
    masks, fr = [], []
    for i, sel in enumerate(selections):
        if sel is None:
            masks.append(np.ones((warmup + L, R0, problem.n_samples), dtype=bool))
            fr.append(1.0)
        else:
            masks.append(sel.masks(np.random.SeedSequence([seed, 2, i]), warmup + L, R0))
            fr.append(sel.stationary_fraction)
    M = np.concatenate(masks, axis=1)  # (steps, S R0, P)
    warm = projected_descent(
        problem,
        np.tile(w0, (S, 1)),
        lr,
        warmup,
        masks=M[:warmup],
        fraction=np.repeat(fr, R0),
        temperature=temperature,
        noise_seed=np.random.SeedSequence([seed, 3]),
    )
    ww = warm.w  # (S R0, N)
    rs = np.random.default_rng(np.random.SeedSequence([seed, 4])).choice([-1.0, 1.0], (S * R0, K, N))
    W = np.repeat(ww, K + 1, axis=0)
    F = np.concatenate([np.zeros((S * R0, 1, N)), eps * rs], axis=1).reshape(-1, N)
    ref_of = np.repeat(np.arange(S * R0), K + 1)
    noise_of = ref_of if shared_noise else np.arange(S * R0 * (K + 1))
    run = projected_descent(
        problem,
        W,
        lr,
        L,
        masks=M[warmup:],
        fraction=np.repeat(fr, R0 * (K + 1)),
        stream_of=ref_of,
        temperature=temperature,
        noise_seed=np.random.SeedSequence([seed, 5]),
        noise_stream_of=noise_of,
        force=F,
        record_steps=tuple(windows),
    )
    St = {t: run.states[t].reshape(S * R0, K + 1, N) for t in windows}
    C = np.array([np.sum(St[t][:, 0] * ww, axis=1) / N for t in windows])
    chi = np.array(
        [np.mean(np.sum(rs * (St[t][:, 1:] - St[t][:, :1]), axis=2), axis=1) / (N * eps) for t in windows]
    )
    dC, dchi = -np.diff(C, axis=0), np.diff(chi, axis=0)  # (n_windows, S R0)
    return [
        FDTResult(dC[:, i * R0 : (i + 1) * R0], dchi[:, i * R0 : (i + 1) * R0], tuple(windows))
        for i in range(S)
    ]


@functools.lru_cache(maxsize=32)
def langevin_temperature(
    seed: int, temperature: float, profile: str, noise_factor: float = 2.0, lr: float = 0.05
) -> FDTResult:
    """FDT data of full-batch projected GD plus Langevin noise ``sqrt(noise_factor T eta) zeta``
    (``noise_factor = 2`` is the Langevin convention at temperature ``T``) in the UNSAT phase
    ``alpha = 3``; sizes from :data:`CONFIG`."""
    c = config(profile)
    pr = SphericalPerceptron.random(c["N"], UNSAT_ALPHA, np.random.SeedSequence([seed, 0]))
    return fdt_temperature(
        pr,
        seed,
        lr,
        temperature=temperature * noise_factor / 2.0,
        n_refs=c["calib_refs"],
        n_fields=c["fields"],
        warmup=c["warmup"],
    )[0]


@functools.lru_cache(maxsize=32)
def teff_sweep(
    seed: int, profile: str, fractions: tuple[float, ...] = (1.0, 0.5, 0.2, 0.1), lr: float = 0.05
) -> dict[float, FDTResult]:
    """FDT data of SGD (Bernoulli selection, fraction b; b = 1 is GD) in the UNSAT phase."""
    c = config(profile)
    pr = SphericalPerceptron.random(c["N"], UNSAT_ALPHA, np.random.SeedSequence([seed, 0]))
    sels = tuple(None if b == 1.0 else BernoulliSelection(b, pr.n_samples) for b in fractions)
    res = fdt_temperature(
        pr, seed, lr, selections=sels, n_refs=c["refs"], n_fields=c["fields"], warmup=c["warmup"]
    )
    out = dict(zip(fractions, res, strict=True))
    return out


# ============================================================================ replica distance
def pair_distances(w: np.ndarray) -> np.ndarray:
    """``1 - q`` for the disjoint pairs (0, 1), (2, 3), ... of replicas ``w`` (R, N): independent."""
    w = np.asarray(w, float)
    a, b = w[0::2][: w.shape[0] // 2], w[1::2][: w.shape[0] // 2]
    return 1.0 - np.sum(a * b, axis=1) / w.shape[1]


@dataclass
class SatRun:
    """One SAT setting: final states of R replicas from the same start, different noise."""

    w: np.ndarray
    final_loss: np.ndarray
    near_boundary: np.ndarray  # f_{0.1} per replica
    mean_gap: np.ndarray  # per replica

    @property
    def converged(self) -> bool:
        return bool(np.all(self.final_loss < CONVERGED))

    @property
    def pairs(self) -> np.ndarray:
        return pair_distances(self.w)

    @property
    def delta(self) -> float:
        """``1 - mean_{r<s} q_rs`` over all pairs."""
        from sim.perceptron import replica_distance

        return replica_distance(self.w)


def _sat_runs(
    pr: SphericalPerceptron,
    w0: np.ndarray,
    lr: float,
    n_steps: int,
    selections: list[BernoulliSelection | PersistentSelection | None],
    R: int,
    seed: int,
) -> list[SatRun]:
    """All settings advance together in one vectorised run (R rows per setting)."""
    masks, fr = [], []
    for i, sel in enumerate(selections):
        if sel is None:
            masks.append(np.ones((n_steps, R, pr.n_samples), dtype=bool))
            fr.append(1.0)
        else:
            masks.append(sel.masks(np.random.SeedSequence([seed, 10 + i]), n_steps, R))
            fr.append(sel.stationary_fraction)
    run = projected_descent(
        pr,
        np.repeat(w0, R * len(selections), axis=0),
        lr,
        n_steps,
        masks=np.concatenate(masks, axis=1),
        fraction=np.repeat(fr, R),
    )
    out = []
    for i in range(len(selections)):
        w = run.w[i * R : (i + 1) * R]
        out.append(SatRun(w, pr.loss(w), pr.fraction_near_boundary(w, 0.1), pr.mean_gap(w)))
    return out


@functools.lru_cache(maxsize=32)
def sat_sweep(
    seed: int,
    lr: float,
    profile: str,
    fractions: tuple[float, ...] = (1.0, 0.5, 0.2, 0.1),
    n: int | None = None,
    replicas: int | None = None,
) -> dict[float, SatRun]:
    """SGD at each batch fraction (b = 1: GD) in the SAT phase alpha = 1, kappa = 0: replicas share
    the start ``w0`` and differ only by their minibatch streams. ``n`` and ``replicas`` override the
    profile's sizes."""
    c = config(profile)
    pr = SphericalPerceptron.random(n or c["sat_N"], SAT_ALPHA, np.random.SeedSequence([seed, 0]))
    w0 = pr.random_point(np.random.SeedSequence([seed, 1]), 1)
    sels = [None if b == 1.0 else BernoulliSelection(b, pr.n_samples) for b in fractions]
    runs = _sat_runs(pr, w0, lr, c["sat_steps"], sels, replicas or c["sat_replicas"], seed)
    return dict(zip(fractions, runs, strict=True))


@functools.lru_cache(maxsize=32)
def psgd_sweep(
    seed: int,
    profile: str,
    taus: tuple[float, ...] = (0.5, 1.0, 2.0),
    fraction: float = 0.2,
    lr: float = 0.05,
) -> dict[float, SatRun]:
    """Persistent SGD at each persistence time ``tau`` (SAT phase, as :func:`sat_sweep`)."""
    c = config(profile)
    pr = SphericalPerceptron.random(c["N"], SAT_ALPHA, np.random.SeedSequence([seed, 0]))
    w0 = pr.random_point(np.random.SeedSequence([seed, 1]), 1)
    sels = [PersistentSelection(fraction, lr, t, pr.n_samples) for t in taus]
    runs = _sat_runs(pr, w0, lr, c["psgd_steps"], sels, c["replicas"], seed)
    return dict(zip(taus, runs, strict=True))
