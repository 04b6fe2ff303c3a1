r"""Claims of Mignacco & Urbani 2022 (``effective_noise.*``), in the order of the spec (section 7).

The model is **reconstructed** (spec ``shared/claims/related_claims.md`` section 7): we had the
abstract only. Every trend claim is ``empirical`` at finite N (the paper's statements are DMFT,
N -> infinity). Statistical decisions use Student-t intervals at the per-instance level ``ctx.level``
(family error 0.01 per claim, Bonferroni over instances and over the comparisons inside an instance).
"""

from __future__ import annotations

import math
from typing import Any

from scipy import stats

from sim.selection import PersistentSelection, transition_counts
from theorems import Check, Citation, Context, claim
from theorems.effective_noise import formulas as F
from theorems.effective_noise import instances as I
from theorems.effective_noise.figures import noise_against_batch_fraction

MU = Citation(
    authors="F. Mignacco, P. Urbani",
    year=2022,
    title="The effective noise of Stochastic Gradient Descent",
    venue="J. Stat. Mech. 083405",
    arxiv="2112.10852",
    where="abstract; model, loss and normalisation reconstructed (spec section 7)",
)
MKUZ = Citation(
    authors="F. Mignacco, F. Krzakala, P. Urbani, L. Zdeborova",
    year=2020,
    title="Dynamical mean-field theory for stochastic gradient descent in Gaussian mixture classification",
    venue="NeurIPS",
    arxiv="2006.06098",
    where="persistent SGD (reconstructed)",
)
HEAVY = {"dev": 3, "ci": 3, "thorough": 8}


def _combine(tests: list[dict[str, Any]], level: float, **details: Any) -> Check:
    """All sub-claims must hold: reject if one interval misses its band, support if all lie inside."""
    return Check.test(
        reject=any(t["reject"] for t in tests),
        p_value=min(1.0, len(tests) * min(t["p_value"] for t in tests)),
        level=level,
        supports=all(t["supports"] for t in tests),
        measured=[round(t["estimate"], 6) for t in tests],
        intervals=[t["ci"] for t in tests],
        **details,
    )


# =================================================================== p-SGD selection chain
def _chain(inst: dict) -> tuple[float, float, float]:
    b, eta = inst["b"], inst["eta"]
    return b, eta, inst["tau_factor"] * max(eta, (1 - b) * eta / b)


def _binom_p(k: int, n: int, p: float) -> float:
    return float(stats.binomtest(int(k), int(n), p).pvalue)


@claim(
    id="effective_noise.psgd_stationary_fraction",
    statistical=True,
    paper=MKUZ,
    status="derived",
    kind="equality",
    statement=r"[reconstructed chain; derived here] "
    r"The p-SGD selection chain $P(0\to1) = \eta/\tau$, $P(1\to0) = (1-b)\eta/(b\tau)$ has "
    r"stationary fraction $b$ and lag-one correlation $1 - \eta/(b\tau)$; at $\tau = \eta/b$ both rows "
    r"of its transition matrix are $(1-b, b)$: p-SGD **is** SGD (i.i.d. Bernoulli($b$)). Valid iff "
    r"$\tau \ge \max(\eta, (1-b)\eta/b)$.",
    strategy=I.psgd_chains,
    closed_form=r"$\pi_1 = b$, $\lambda = 1 - \eta/(b\tau)$, $\lambda = 0 \iff \tau = \eta/b$ (sympy)",
    tolerance="sympy identities exactly; sim.selection's empirical transition frequencies "
    "(200 chains x 2000 steps) by exact binomial tests at ctx.level (Bonferroni over 3 tests).",
    examples={"dev": 4, "ci": 10, "thorough": 50},
)
def psgd_stationary_fraction(inst: dict, ctx: Context) -> Check:
    """sympy derives the stationary law and the second eigenvalue; then the chain of
    ``sim.selection.PersistentSelection`` is simulated and its transition frequencies are tested against
    ``p_on``/``p_off``, and the chain at ``tau = eta/b`` is tested for independence of the current state."""
    import sympy as sp

    D = F.derive_psgd()
    exact = (
        D["stationary_minus_b"] == 0
        and D["eigenvalue_check"] == 0
        and sp.simplify(D["tau_iid"][0] - sp.Symbol("eta", positive=True) / sp.Symbol("b", positive=True))
        == 0
        and D["rows_equal"].is_zero_matrix
    )
    if not exact:
        return Check(False, details={"reason": "sympy identities failed", "derivation": str(D)})
    b, eta, tau = _chain(inst)
    sel = PersistentSelection(b, eta, tau, 200)
    c = transition_counts(sel.masks(inst["seed"], ctx.pick(2000, 4000), 1))
    iid = transition_counts(PersistentSelection(b, eta, eta / b, 200).masks(inst["seed"] + 1, 2000, 1))
    ps = [
        _binom_p(c[0, 1], c[0].sum(), sel.p_on),
        _binom_p(c[1, 0], c[1].sum(), sel.p_off),
        _binom_p(iid[0, 1], iid[0].sum(), b),
    ]
    p = min(1.0, 3 * min(ps))
    return Check.test(
        reject=p < ctx.level,
        p_value=p,
        level=ctx.level,
        measured=c[0, 1] / c[0].sum(),
        predicted=sel.p_on,
        p_values=ps,
        counts=c.tolist(),
        tau=tau,
        stationary_fraction=sel.stationary_fraction,
    )


@psgd_stationary_fraction.false_variant(
    "equals_sgd_at_tau_eta",
    "p-SGD with persistence time tau = eta (the step size) is SGD. For b < 1/2 the 'probability' "
    "P(1->0) = (1-b)/b exceeds 1 (sharp as b -> 1/2); for b >= 1/2 the chain is valid but "
    "anti-correlated, lag-one correlation 1 - 1/b: evaluated at b' = 0.85 + (b - 1/2)/4.5 in "
    "[0.85, 0.95], where it is smallest (-0.18 to -0.05), not at b = 1/2 (-1, a deterministic alternation).",
)
def _(inst: dict, ctx: Context) -> Check:
    b, eta = inst["b"], inst["eta"]
    if b < 0.5:
        try:
            PersistentSelection(b, eta, eta, 200)
        except ValueError as exc:
            return Check.upper((1 - b) / b, 1.0, reason=str(exc))
        return Check(True, measured=(1 - b) / b, predicted=1.0, details={"reason": "chain was valid"})
    b = 0.85 + (b - 0.5) / 4.5
    c = transition_counts(PersistentSelection(b, eta, eta, 200).masks(inst["seed"], 2000, 1))
    # SGD: P(1 | 0) = P(1 | 1); two-proportion z-test
    n0, n1 = c[0].sum(), c[1].sum()
    p0, p1 = c[0, 1] / n0, c[1, 1] / n1
    pp = (c[0, 1] + c[1, 1]) / (n0 + n1)
    return _z_test(p1 - p0, math.sqrt(pp * (1 - pp) * (1 / n0 + 1 / n1)), 0.0, ctx.level, b_eval=b)


def _z_test(d: float, se: float, predicted: float, level: float, **details: Any) -> Check:
    """Two-sided z-test of ``d = 0`` (``d`` = measured - predicted); the margin is in units of the
    critical half-width ``z * se`` (the tolerance), so the sharpness is reported even when ``p``
    underflows."""
    tol = float(stats.norm.isf(level / 2)) * se
    p = float(2 * stats.norm.sf(abs(d) / se)) if se > 0 else float(d == 0)
    chk = Check.test(
        reject=p < level,
        p_value=p,
        level=level,
        measured=predicted + d,
        predicted=predicted,
        margin=tol - abs(d),
        **details,
    )
    chk.tolerance = tol if tol > 0 else None
    return chk


@psgd_stationary_fraction.false_variant(
    "swapped_rates",
    "The chain with the rates swapped, P(0->1) = (1-b)eta/(b tau) and P(1->0) = eta/tau, also has "
    "stationary fraction b (it has 1 - b). Evaluated at b' = 1/2 + (b - 1/2)/20 in [0.4775, 0.5225], "
    "where the two differ least (|1 - 2b'| <= 0.045).",
)
def _(inst: dict, ctx: Context) -> Check:
    b = 0.5 + (inst["b"] - 0.5) / 20
    b, eta, tau = _chain({**inst, "b": b})
    # the swapped chain is PersistentSelection(1 - b, eta, b tau/(1 - b)) (same two rates)
    sel = PersistentSelection(1 - b, eta, b * tau / (1 - b), 200)
    m = sel.masks(inst["seed"], 2000, 1)
    lam = sel.lag_one_correlation
    n = m.size
    se = math.sqrt(b * (1 - b) / n * (1 + lam) / (1 - lam))  # AR(1) variance inflation
    if not math.isfinite(se):
        return Check.inconclusive("degenerate chain: no variance estimate", lag_one=lam)
    return _z_test(float(m.mean()) - b, se, b, ctx.level, b_eval=b)


# =================================================================== the instrument
def _calibration(fdt: F.FDTResult, T: float, level: float) -> Check:
    est = fdt.estimate(0)
    t = F.interval_test(est, 0.85 * T, 1.15 * T, level)
    lo, hi = t["ci"]
    point_ok = abs(est.value / T - 1) <= 0.15
    powered = (hi - lo) / 2 <= 0.3 * T
    later = [fdt.estimate(k) for k in range(1, fdt.dC.shape[0])]
    return Check.test(
        reject=t["reject"],
        p_value=t["p_value"],
        level=level,
        supports=point_ok and powered,
        measured=est.value,
        predicted=T,
        margin=0.15 * T - abs(est.value - T),
        ci=t["ci"],
        relative_error=est.value / T - 1,
        later_windows={"T_eff": [e.value for e in later], "ci": [e.ci(level) for e in later]},
    )


@claim(
    id="effective_noise.langevin_calibration",
    statistical=True,
    paper=MU,
    status="derived",
    kind="equality",
    statement=r"[design] "
    r"Instrument check (run before any $T_{\rm eff}$ claim). For full-batch projected descent "
    r"plus Langevin noise $\sqrt{2T\eta}\,\zeta$ on the UNSAT perceptron ($\alpha = 3$, $\eta = 0.05$, "
    r"2000 warm-up steps), the FDT estimator $T_{\rm eff} = -\Delta C/\Delta\chi$ over the window "
    r"$[0, 50)$ recovers $T \in \{0.01, 0.05\}$ within 15%. (Later windows are unbiased in our runs but "
    r"their intervals are several times wider at these sizes: they are reported, not asserted.)",
    strategy=I.calibration_instances,
    closed_form=r"FDT in equilibrium: $\chi(\tau) = (C(0) - C(\tau))/T$",
    tolerance="15% (spec T6) on the point estimate, and the (1 - ctx.level) delta-method interval over "
    "independent reference runs (16; N = 60 at dev, N = 200 at ci) must meet "
    "[0.85T, 1.15T] (else falsified); an interval wider than "
    "+-30% of T has no power and is inconclusive.",
    examples={"dev": 3, "ci": 4, "thorough": 10},
)
def langevin_calibration(inst: dict, ctx: Context) -> Check:
    """``formulas.langevin_temperature``: references and field-perturbed copies share the Langevin
    noise; T_eff is the ratio of reference means of -dC and dchi in the first window."""
    return _calibration(F.langevin_temperature(inst["seed"], inst["T"], ctx.profile), inst["T"], ctx.level)


@langevin_calibration.false_variant(
    "half_variance_convention",
    "Langevin noise sqrt(T eta) zeta (no factor 2) realises temperature T: the estimator finds T/2.",
)
def _(inst: dict, ctx: Context) -> Check:
    fdt = F.langevin_temperature(inst["seed"], inst["T"], ctx.profile, noise_factor=1.0)
    return _calibration(fdt, inst["T"], ctx.level)


# =================================================================== replica distance (SAT)
def _sat(
    inst: dict,
    ctx: Context,
    fractions: tuple[float, ...] = (1.0, 0.5, 0.2, 0.1),
    n: int | None = None,
    replicas: int | None = None,
) -> dict[float, F.SatRun] | Check:
    sw = F.sat_sweep(inst["seed"], inst["eta"], ctx.profile, fractions, n, replicas)
    bad = [b for b, r in sw.items() if not r.converged]
    if bad:
        return Check.vacuous_instance(f"not SAT-converged (energy >= 1e-10) at b = {bad}")
    return sw


@claim(
    id="effective_noise.gd_zero_replica_distance",
    statistical=True,
    paper=MU,
    status="derived",
    kind="equality",
    statement=r"[design] "
    r"GD ($b = 1$) is deterministic: replicas from the same start end at the same point, "
    r"$\Delta = 1 - \overline{q_{rs}} = 0$ (to $10^{-12}$), in the SAT phase ($\alpha = 1$, $\kappa = 0$).",
    strategy=I.sat_instances,
    tolerance="1e-12 absolute (round-off of 1 - q on the sphere is ~1e-15).",
    examples=HEAVY,
)
def gd_zero_replica_distance(inst: dict, ctx: Context) -> Check:
    """The b = 1 setting of ``formulas.sat_sweep`` with 4 replicas (GD is deterministic: a replica
    count adds no power here)."""
    sw = _sat(inst, ctx, (1.0,), replicas=4)
    if isinstance(sw, Check):
        return sw
    return Check.close(sw[1.0].delta, 0.0, atol=1e-12)


@gd_zero_replica_distance.false_variant(
    "half_batch_agrees",
    "SGD with b = 1/2 (half the patterns each step) ends where GD does: its replica distance is below "
    "1e-4 (measured: 2e-4 to 2e-3).",
)
def _(inst: dict, ctx: Context) -> Check:
    sw = _sat(inst, ctx, (1.0, 0.5))
    if isinstance(sw, Check):
        return sw
    t = F.interval_test(F.log_replica_distance(sw[0.5].w), -math.inf, math.log(1e-4), ctx.level)
    return _combine([t], ctx.level, delta=sw[0.5].delta)


def _batch_ratios(inst: dict, ctx: Context, lo: float, hi: float) -> Check:
    """Test ``Delta(b2)/Delta(b1) in [lo, hi]`` for (0.5, 0.2) and (0.2, 0.1) (log scale, jackknife)."""
    sw = _sat(inst, ctx)
    if isinstance(sw, Check):
        return sw
    est = {b: F.log_replica_distance(sw[b].w) for b in (0.5, 0.2, 0.1)}
    lv = ctx.level / 2
    tests = [
        F.interval_test(est[b2] - est[b1], math.log(lo), math.log(hi), lv)
        for b1, b2 in ((0.5, 0.2), (0.2, 0.1))
    ]
    return _combine(
        tests, ctx.level, delta={b: sw[b].delta for b in sw}, ratios=[math.exp(t["estimate"]) for t in tests]
    )


@claim(
    id="effective_noise.replica_distance_grows_as_batch_shrinks",
    statistical=True,
    paper=MU,
    status="empirical",
    kind="monotone",
    statement=r"[abstract] "
    r"trend in a [reconstructed] model. "
    r"SAT phase ($\alpha = 1$, $N = 200$; $N = 60$ at dev), same start, independent minibatch "
    r"streams: the replica distance $\Delta$ increases strictly as the batch fraction falls "
    r"$b = 0.5 \to 0.2 \to 0.1$, at $\eta \in \{0.05, 0.2\}$. (The spec's stronger 'by a factor >= 1.5 "
    r"at each step' matches every point estimate, 2.3x-14x, but at $\eta = 0.05$ the 0.2 -> 0.1 "
    r"interval reaches down to ~1.4 at N = 100 with 16 replicas (it clears 1.5 at N = 200, ci; dev "
    r"uses N = 60), so the factor is not asserted.)",
    strategy=I.sat_instances,
    tolerance="log-ratio intervals (jackknife over 16 replicas) at ctx.level/2 each must lie above 0.",
    examples=HEAVY,
)
def replica_distance_grows_as_batch_shrinks(inst: dict, ctx: Context) -> Check:
    """Jackknife (leave one replica out) standard errors of log Delta; Welch-Satterthwaite dof."""
    return _batch_ratios(inst, ctx, 1.0, math.inf)


@replica_distance_grows_as_batch_shrinks.false_variant(
    "batch_independent",
    "SGD noise does not depend on the batch size: Delta changes by less than 1.5x "
    "between b = 0.5, 0.2 and 0.1.",
)
def _(inst: dict, ctx: Context) -> Check:
    return _batch_ratios(inst, ctx, 1 / 1.5, 1.5)


@replica_distance_grows_as_batch_shrinks.false_variant(
    "proportional_to_inverse_b",
    "Delta is proportional to 1/b: the ratios are 2.5 (0.5 -> 0.2) and 2 (0.2 -> 0.1), within a factor 1.25.",
)
def _(inst: dict, ctx: Context) -> Check:
    sw = _sat(inst, ctx)
    if isinstance(sw, Check):
        return sw
    est = {b: F.log_replica_distance(sw[b].w) for b in (0.5, 0.2, 0.1)}
    lv = ctx.level / 2
    tests = [
        F.interval_test(est[b2] - est[b1], math.log(r / 1.25), math.log(r * 1.25), lv)
        for b1, b2, r in ((0.5, 0.2, 2.5), (0.2, 0.1, 2.0))
    ]
    return _combine(tests, ctx.level)


def _tau_ratios(inst: dict, ctx: Context, lo: float, hi: float) -> Check:
    taus = F.config(ctx.profile)["psgd_taus"]
    sw = F.psgd_sweep(inst["seed"], ctx.profile, taus)
    bad = [t for t, r in sw.items() if not r.converged]
    if bad:
        return Check.vacuous_instance(f"not SAT-converged at tau = {bad}")
    est = {t: F.log_replica_distance(r.w) for t, r in sw.items()}
    lv = ctx.level / (len(taus) - 1)
    tests = [
        F.interval_test(est[t2] - est[0.5], math.log(lo) if lo > 0 else -math.inf, math.log(hi), lv)
        for t2 in taus[1:]
    ]
    extra = {}
    if 1.0 in est:
        r12 = est[2.0] - est[1.0]
        extra["ratio_1_to_2"] = {"estimate": math.exp(r12.value), "ci": [math.exp(x) for x in r12.ci(lv)]}
    return _combine(tests, ctx.level, delta={t: r.delta for t, r in sw.items()}, **extra)


@claim(
    id="effective_noise.replica_distance_grows_with_persistence",
    statistical=True,
    paper=MU,
    status="empirical",
    kind="monotone",
    statement=r"[abstract] "
    r"trend in a [reconstructed] model. "
    r"Persistent SGD ($b = 0.2$, $\eta = 0.05$, SAT phase $\alpha = 1$): a longer persistence "
    r"time gives a larger replica distance: $\Delta(\tau = 1)$ and $\Delta(\tau = 2)$ both exceed "
    r"$\Delta(\tau = 0.5)$ (at dev, N = 60: only $\Delta(2) > \Delta(0.5)$, the comparison 16 "
    r"replicas resolve there; the 0.5 -> 1 interval reaches below 0 on a third of the seeds at N = 60 "
    r"and is asserted at ci/thorough, N = 200). (The spec's 'strictly increasing over 0.5, 1, 2' "
    r"holds in every point estimate, but the step 1 -> 2 (ratio 1.1-1.4 at N = 100) is not resolved "
    r"by 16 replicas (at N = 200: 1.6, interval [1.16, 2.19]); it is reported, not asserted.)",
    strategy=I.seeds,
    tolerance="log-ratio intervals (jackknife over 16 replicas) at ctx.level/(number of comparisons) "
    "each must lie above 0.",
    examples=HEAVY,
)
def replica_distance_grows_with_persistence(inst: dict, ctx: Context) -> Check:
    """``formulas.psgd_sweep``: all tau advance together, one stream per replica."""
    return _tau_ratios(inst, ctx, 1.0, math.inf)


@replica_distance_grows_with_persistence.false_variant(
    "persistence_reduces_noise",
    "A longer persistence time reduces the noise: Delta at tau = 1 and at tau = 2 is at most Delta at "
    "tau = 0.5 (at dev: tau = 2 only).",
)
def _(inst: dict, ctx: Context) -> Check:
    return _tau_ratios(inst, ctx, 0.0, 1.0)


# =================================================================== effective temperature (UNSAT)
def _teff_tests(
    inst: dict, ctx: Context, gd_band: tuple[float, float], step_band: tuple[float, float]
) -> Check:
    sw = F.teff_sweep(inst["seed"], ctx.profile)
    est = {b: r.log_estimate(0) for b, r in sw.items()}
    if not all(math.isfinite(e.value) for b, e in est.items() if b < 1):
        return Check.inconclusive(
            "a non-positive SGD T_eff estimate (noise-dominated)",
            T_eff={b: r.estimate(0).value for b, r in sw.items()},
        )
    lv = ctx.level / 3
    tests = [
        F.interval_test(est[b2] - est[b1], math.log(step_band[0]), math.log(step_band[1]), lv)
        for b1, b2 in ((0.5, 0.2), (0.2, 0.1))
    ]
    # GD: T_eff(1)/T_eff(0.1) on the linear scale (T_eff(GD) may be ~0 or slightly negative)
    g, s = sw[1.0].estimate(0), sw[0.1].estimate(0)
    r = g.value / s.value
    se = abs(r) * math.sqrt((g.se / g.value) ** 2 + (s.se / s.value) ** 2) if g.value else g.se / s.value
    tests.append(F.interval_test(F.Estimate(r, se, min(g.dof, s.dof)), *gd_band, lv))
    return _combine(
        tests,
        ctx.level,
        T_eff={b: sw[b].estimate(0).value for b in sw},
        later_windows={b: [sw[b].estimate(k).value for k in (1, 2)] for b in sw},
    )


@claim(
    id="effective_noise.teff_grows_as_batch_shrinks",
    statistical=True,
    paper=MU,
    status="empirical",
    kind="monotone",
    statement=r"[abstract] "
    r"trend in a [reconstructed] model. "
    r"UNSAT phase ($\alpha = 3$, $\eta = 0.05$, 2000 warm-up steps), window $[0, 50)$: "
    r"$T_{\rm eff}$ of SGD increases strictly at each step $b = 0.5 \to 0.2 \to 0.1$, and GD's is below "
    r"a tenth of $T_{\rm eff}(b = 0.1)$. (Measured factors 2.3x-4.4x, matching the spec's '>= 1.5' "
    r"in every point estimate; the 0.2 -> 0.1 interval can reach below 1.5 at N = 100 (and N = 60, dev) "
    r"with 8 references (it clears 1.5 at N = 200 with 12), so the factor is not asserted.) Only the first "
    r"window is asserted: in the later "
    r"windows GD's own slow relaxation (aging after 2000 steps) gives $-\Delta C/\Delta\chi$ of the same "
    r"order as SGD's, so the spec's 'per window' version is not supported at this waiting time.",
    strategy=I.seeds,
    tolerance="delta-method intervals over independent references (calibrated by "
    "effective_noise.langevin_calibration), ctx.level/3 per comparison.",
    examples=HEAVY,
)
def teff_grows_as_batch_shrinks(inst: dict, ctx: Context) -> Check:
    """``formulas.teff_sweep``: GD and SGD at b = 0.5, 0.2, 0.1 advance together; each reference
    and its field-perturbed copies share their minibatches."""
    return _teff_tests(inst, ctx, (-math.inf, 0.1), (1.0, math.inf))


@teff_grows_as_batch_shrinks.false_variant(
    "gd_positive_temperature",
    "GD has a positive effective temperature: at least a tenth of "
    "T_eff(b = 0.1) (and SGD's grows as b falls, as claimed).",
)
def _(inst: dict, ctx: Context) -> Check:
    return _teff_tests(inst, ctx, (0.1, math.inf), (1.0, math.inf))


@teff_grows_as_batch_shrinks.false_variant(
    "batch_independent",
    "SGD noise does not depend on the batch size: T_eff changes by less than 1.5x "
    "between b = 0.5, 0.2 and 0.1.",
)
def _(inst: dict, ctx: Context) -> Check:
    return _teff_tests(inst, ctx, (-math.inf, 0.1), (1 / 1.5, 1.5))


# =================================================================== wider boundaries
def _gap_test(inst: dict, ctx: Context, stat: str, sign: int, n: int | None = None) -> Check:
    """``sign * (stat(b = 0.1) - stat(GD)) > 0`` with a one-sample t-interval over SGD replicas."""
    sw = _sat(inst, ctx, n=n)
    if isinstance(sw, Check):
        return sw
    x = getattr(sw[0.1], stat)
    ref = float(getattr(sw[1.0], stat)[0])
    t = F.interval_test(F.mean_estimate(sign * (x - ref)), 0.0, math.inf, ctx.level)
    return _combine(
        [t],
        ctx.level,
        gd=ref,
        by_batch={b: float(getattr(r, stat).mean()) for b, r in sw.items()},
        delta={b: r.delta for b, r in sw.items()},
    )


@claim(
    id="effective_noise.wider_margins_with_noise",
    statistical=True,
    paper=MU,
    status="empirical",
    kind="comparison",
    statement=r"[abstract] "
    r"'Noisier algorithms give wider decision boundaries', **in spirit only** (what 'wider' "
    r"measures is reconstructed): in the SAT phase the converged mean gap $\overline{h_\mu - \kappa}$ of "
    r"SGD at $b = 0.1$ (the noisiest run, largest $\Delta$) exceeds GD's, from the same start, at "
    r"$\eta \in \{0.05, 0.2\}$. The spec's other reading, fewer constraints within 0.1 of the "
    r"boundary, is false at $\eta = 0.05$ (false variant ``fewer_near_boundary``).",
    strategy=I.sat_instances,
    tolerance="one-sample t-interval over 16 SGD replicas at ctx.level (GD is one deterministic point).",
    examples=HEAVY,
)
def wider_margins_with_noise(inst: dict, ctx: Context) -> Check:
    """Mean gap per replica from ``formulas.sat_sweep``; the same runs as the replica-distance claims."""
    return _gap_test(inst, ctx, "mean_gap", +1)


@wider_margins_with_noise.false_variant(
    "fewer_near_boundary",
    "Spec T5 as written: the noisier run leaves fewer constraints near the "
    "boundary, f_0.1(b = 0.1) < f_0.1(GD). At eta = 0.05 it leaves more (evaluated at eta = 0.05 on "
    "every instance: at eta = 0.2 this reading holds; at N >= 100, since at dev's N = 60 the fraction "
    "near the boundary is too coarse to decide it).",
)
def _(inst: dict, ctx: Context) -> Check:
    return _gap_test(
        {**inst, "eta": 0.05}, ctx, "near_boundary", -1, n=max(100, F.config(ctx.profile)["sat_N"])
    )


replica_distance_grows_as_batch_shrinks.add_figures(noise_against_batch_fraction)
