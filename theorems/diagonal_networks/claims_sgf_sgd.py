r"""SGF against discrete SGD (Pesme, Pillaud-Vivien, Flammarion 2021): the weak approximation
(``pesme2021.sgf.matches_sgd``) and its false variants. Registered when
:mod:`theorems.diagonal_networks.claims` is imported.
"""

from __future__ import annotations

import math

import numpy as np

from theorems import Check, claim
from theorems.diagonal_networks import PAPER
from theorems.diagonal_networks import instances as strat
from theorems.diagonal_networks.instances import _P_CONV, setup
from theorems.diagonal_networks.simulations import _noise_seed, sgd_runs, sgf_runs

# ------------------------------------------------------------------------------ SGF vs SGD
_MATCH_STRATEGY = strat.sparse_instance(n=(6, 10), a=(0.3, 1.0), f=(0.5, 1.0), spread=(0.0, 0.3))


_MATCH_LOG_MARGIN = math.log(2.0)
_MATCH_SPREAD_MARGIN = math.log(3.0)


def _log_sd_ratio(
    a: np.ndarray, b: np.ndarray, seed: np.random.SeedSequence, B: int = 400
) -> tuple[float, float]:
    """``ln(sd(b) / sd(a))`` and its bootstrap standard error (``B`` resamples of each sample)."""
    rng = np.random.default_rng(seed)
    est = math.log(b.std(ddof=1) / a.std(ddof=1))
    ia = rng.integers(0, a.size, (B, a.size))
    ib = rng.integers(0, b.size, (B, b.size))
    boot = np.log(b[ib].std(axis=1, ddof=1) / np.maximum(a[ia].std(axis=1, ddof=1), 1e-300))
    return est, float(boot.std(ddof=1))


def _match_samples(inst: dict, ctx, noise: str, R: int | None, h_div: float):
    """SGD and SGF (Milstein) runs of one instance: ``(R, (J_sgd, J_sgf), (T_sgd, T_sgf))``, the loss
    integrals and test errors of the converged replicas; a Check if too many replicas diverged."""
    data, _, _ = setup(inst)
    R = R or ctx.pick(dev=24, ci=32, thorough=128)
    sgd = sgd_runs(inst, R, tol=1e-10, t_max=3000.0)
    sgf = sgf_runs(inst, R, h_div=h_div, scheme="milstein", noise=noise, tol=1e-10, t_max=3000.0)
    a_ok, b_ok = ~sgd.diverged, ~sgf.diverged
    if a_ok.sum() < R // 2 or b_ok.sum() < R // 2:
        return Check.inconclusive("too many diverged replicas")
    J = (sgd.loss_integral[a_ok], sgf.loss_integral[b_ok])
    T = (data.test_error(sgd.beta[a_ok]), data.test_error(sgf.beta[b_ok]))
    return R, J, T


def _loss_integral_stats(inst: dict, Ja: np.ndarray, Jb: np.ndarray, q: float) -> dict:
    """int L of SGF against SGD: geometric means within a factor 2 (TOST on the mean of ln int L,
    Welch, normal approx.) and the dispersion of ln int L: SGF's at least a third of SGD's
    (one-sided, bootstrap normal approx.). ``q`` is the normal quantile of the test level."""
    from scipy import stats

    la, lb = np.log(Ja), np.log(Jb)
    dlog = float(lb.mean() - la.mean())
    se_log = math.sqrt(la.var(ddof=1) / la.size + lb.var(ddof=1) / lb.size)
    llo, lhi = dlog - q * se_log, dlog + q * se_log
    rho, se_rho = _log_sd_ratio(la, lb, _noise_seed(inst, 7))
    return {
        "dlog": dlog,
        "llo": llo,
        "lhi": lhi,
        "rho": rho,
        "se_rho": se_rho,
        "j_reject": llo > _MATCH_LOG_MARGIN or lhi < -_MATCH_LOG_MARGIN,
        "j_support": -_MATCH_LOG_MARGIN <= llo and lhi <= _MATCH_LOG_MARGIN,
        "p_Jt": float(stats.norm.sf((abs(dlog) - _MATCH_LOG_MARGIN) / max(se_log, 1e-300))),
        "s_reject": rho + q * se_rho < -_MATCH_SPREAD_MARGIN,
        "s_support": rho - q * se_rho >= -_MATCH_SPREAD_MARGIN,
        "p_S": float(stats.norm.cdf((rho + _MATCH_SPREAD_MARGIN) / max(se_rho, 1e-300))),
    }


def _match_details(R: int, J: tuple, T: tuple, js: dict, q: float, lo: float, hi: float) -> dict:
    """The numbers reported by ``sgf.matches_sgd`` (loss integral and test error of both)."""
    from scipy import stats

    (Ja, Jb), (Ta, Tb) = J, T
    rho, se_rho = js["rho"], js["se_rho"]
    return {
        "R": R,
        "loss_integral": {
            "sgd": [float(Ja.mean()), float(Ja.std())],
            "sgf": [float(Jb.mean()), float(Jb.std())],
            "median_ratio": float(np.median(Jb) / np.median(Ja)),
            "geo_mean_ratio": math.exp(js["dlog"]),
            "log_ratio_ci": [js["llo"], js["lhi"]],
            "ks_p": float(stats.ks_2samp(Ja, Jb).pvalue),
            "log_sd_ratio": [rho, rho - q * se_rho, rho + q * se_rho],
        },
        "test_error": {
            "sgd": [float(Ta.mean()), float(Ta.std())],
            "sgf": [float(Tb.mean()), float(Tb.std())],
            "rel_mean_diff_ci": [lo, hi],
            "ks_p": float(stats.ks_2samp(Ta, Tb).pvalue),
        },
    }


def _match_check(
    inst: dict,
    ctx,
    noise: str = "paper",
    ks_test_error: bool = False,
    R: int | None = None,
    h_div: float = 2.0,
    ks_loss_integral: bool = False,
) -> Check:
    from scipy import stats

    samples = _match_samples(inst, ctx, noise, R, h_div)
    if isinstance(samples, Check):
        return samples
    R, (Ja, Jb), (Ta, Tb) = samples
    level = ctx.level / 3  # Bonferroni over the three statistics
    q = float(stats.norm.ppf(1 - level))
    js = _loss_integral_stats(inst, Ja, Jb, q)
    # test error: equal means within 5% (two one-sided Welch tests, TOST); or KS for the variant.
    diff = float(Tb.mean() - Ta.mean())
    se = math.sqrt(Ta.var(ddof=1) / Ta.size + Tb.var(ddof=1) / Tb.size)
    lo, hi = (diff - q * se) / Ta.mean(), (diff + q * se) / Ta.mean()
    details = _match_details(R, (Ja, Jb), (Ta, Tb), js, q, lo, hi)
    measured = {"int_L": float(Jb.mean()), "test_error": float(Tb.mean())}
    predicted = {"int_L": float(Ja.mean()), "test_error": float(Ta.mean())}
    if ks_test_error or ks_loss_integral:  # the falsified "equal in distribution" forms
        p_J = details["loss_integral"]["ks_p"]
        p_T = details["test_error"]["ks_p"] if ks_test_error else 1.0
        return Check.test(
            reject=min(p_J, p_T) < level,
            p_value=min(1.0, 2 * min(p_J, p_T)),
            level=ctx.level,
            supports=True,
            measured=measured,
            predicted=predicted,
            **details,
        )
    t_stat = (abs(diff) / Ta.mean() - 0.05) * Ta.mean() / max(se, 1e-300)
    return Check.test(
        reject=js["j_reject"] or lo > 0.05 or hi < -0.05 or js["s_reject"],
        p_value=min(1.0, 3 * min(js["p_Jt"], float(stats.norm.sf(t_stat)), js["p_S"])),
        level=ctx.level,
        supports=-0.05 <= lo and hi <= 0.05 and js["j_support"] and js["s_support"],
        measured=measured,
        predicted=predicted,
        margin=min(
            _MATCH_LOG_MARGIN - max(abs(js["llo"]), abs(js["lhi"])),
            0.05 - max(abs(lo), abs(hi)),
            js["rho"] - q * js["se_rho"] + _MATCH_SPREAD_MARGIN,
        ),
        rel_mean_diff_int_L=float(abs(Jb.mean() - Ja.mean()) / Ja.mean()),
        **details,
    )


@claim(
    id="pesme2021.sgf.matches_sgd",
    statistical=True,
    paper=PAPER,
    status="empirical",
    kind="distributional",
    statement=r"At the same step $\gamma$ (here $\le\gamma_0$, about a fifth of the edge), the paper's SGF "
    r"and batch-1 SGD agree on the loss integral $\int L$ to within a factor 2 in geometric "
    r"mean ($|E\ln\int L_{SGF}-E\ln\int L_{SGD}|\le\ln2$) with a comparable spread (the "
    r"standard deviation of $\ln\int L$ at least a third of SGD's), and in mean (within 5%) on "
    r"the final test error $\|\beta_T-\beta^\star\|^2$. They are NOT equal in "
    r"distribution: SGF is a weak $O(\gamma)$ approximation, and at $\gamma\sim\gamma_0$ its "
    r"$\int L$ has a heavier right tail and a median up to ~30% lower than SGD's (false "
    r"variants loss_integral_in_distribution, test_error_in_distribution).",
    strategy=_MATCH_STRATEGY,
    tolerance="R = 24 (dev), 32 (ci), 128 (thorough) paths of each; Bonferroni over three "
    "statistics at the claim's level (family error 0.01): two two-one-sided Welch tests "
    "(normal approximation): the mean of ln int L differs by < ln 2, the test-error means "
    "by < 5%; and a one-sided test (bootstrap s.e., 400 resamples seeded by the instance) "
    "that sd(ln int L_SGF) / sd(ln int L_SGD) >= 1/3 (measured 0.71-1.77 over 7 instances "
    "at R = 64; the gamma-amplitude SGF gives 0.05-0.25, which the location test alone "
    "cannot tell from SGD: its geometric-mean ratio is 0.33-0.92). "
    "The factor-2 margin is an equivalence margin for a weak O(gamma) approximation at "
    "gamma up to gamma_0 (gamma lambda_max up to ~0.4, no small-step regime): measured "
    "geometric-mean / median ratios SGF/SGD 0.70-1.09 over 13 instances of this family at "
    "R = 128 (seed-0 thorough counterexample of the old KS form: median ratio 0.70, KS "
    "p = 1e-12). ln int L is used because SGF's int L is heavy-tailed (a few paths 3-50x "
    "the SGD maximum), which makes the arithmetic mean unstable. Rejection -> falsified; "
    "no decision -> inconclusive.",
    assumptions=_P_CONV + " f in [0.5, 1]; SGF by Milstein at h = gamma/2, SGD with replacement.",
    examples={"dev": 3, "ci": 4, "thorough": 20},
)
def sgf_matches_sgd(inst: dict, ctx) -> Check:
    """Two-sample comparison of SGD and SGF paths: TOST on E ln int L (factor 2) and on the
    test-error mean (5%)."""
    return _match_check(inst, ctx)


@sgf_matches_sgd.false_variant(
    "loss_integral_in_distribution",
    "SGF and SGD loss integrals are equal in distribution (two-sample KS "
    "at R = 128; the form this claim had before the thorough run falsified it).",
    strategy=strat.fixed_family(n=6, d=9, s=1, a=1.0, f=1.0, seeds=1),
    examples={"dev": 1, "ci": 1},
)
def _(inst, ctx):
    return _match_check(inst, ctx, ks_loss_integral=True, R=128)


@sgf_matches_sgd.false_variant(
    "gamma_amplitude",
    "The SGF with noise amplitude ~ gamma instead of sqrt(gamma) also matches SGD.",
    examples={"dev": 1, "ci": 2},
)
def _(inst, ctx):
    return _match_check(inst, ctx, noise="gamma_amplitude", R=48, h_div=1.0)


@sgf_matches_sgd.false_variant(
    "test_error_in_distribution",
    "SGF and SGD test errors are equal in distribution (KS), not only in mean.",
    examples={"dev": 1, "ci": 2},
)
def _(inst, ctx):
    return _match_check(inst, ctx, ks_test_error=True)
