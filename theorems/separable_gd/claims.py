r"""Claims of Soudry et al. (2018), in the paper's order (spec ``related_claims.md`` §2).

Every run is GD itself (the theorem is about discrete GD with a fixed step), from $w(0) = 0$ on the sum
logistic loss, at $\eta$ and $\eta/4$ (two replicas of one fused run, :func:`sim.linear_adaptive_path`),
recorded at log-spaced checkpoints up to $T$ (dev 2e4, ci 1e5, thorough 1e6 steps).
"""

from __future__ import annotations

import numpy as np

from theorems import Check, Citation, Context, claim
from theorems.separable_gd import figures
from theorems.separable_gd import instances as I
from theorems.separable_gd.formulas import designed_closed_forms, direction_constant, svm

PAPER = Citation(
    authors="D. Soudry, E. Hoffer, M. S. Nacson, S. Gunasekar, N. Srebro",
    year=2018,
    title="The Implicit Bias of Gradient Descent on Separable Data",
    venue="JMLR 19(70)",
    arxiv="1710.10345",
    where="Theorems 3-4 and Section 3 (expansion reconstructed; theorem numbers unchecked)",
)
EXAMPLES = {"dev": 3, "ci": 8, "thorough": 40}
ASSUME = (
    "Separable data through the origin: the spec's designed instance (seed 0) or the spec's "
    "constructive generator (SVs on z^T w_hat = 1 with alpha > 0, lambda_min(M) >= 0.6, non-SV margins "
    "in [2, 4], c* >= 0.1); eta = min(0.2, 0.6 * 8/sigma_max^2) and eta/4; w(0) = 0; sum logistic loss."
)


def _run(inst: dict, ctx: Context) -> I.Run:
    return I.run(I.data_index(inst, ctx.profile), ctx.pick(dev=20_000, ci=100_000, thorough=1_000_000))


def _at(r: I.Run, t: float) -> int:
    return int(np.argmin(np.abs(r.times - t)))


def _rho(r: I.Run, k: int | slice) -> np.ndarray:
    """rho = w - w_hat log t at checkpoint(s) k: (2, d), or (n_cp, 2, d) for a slice."""
    return r.w[k] - np.log(r.times[k])[..., None, None] * r.w_hat


def _err(r: I.Run) -> np.ndarray:
    """Direction error ||w/||w|| - u|| per checkpoint and replica, (n_cp, 2)."""
    u = r.w_hat / np.linalg.norm(r.w_hat)
    return np.linalg.norm(r.w / np.linalg.norm(r.w, axis=2, keepdims=True) - u, axis=2)


@claim(
    id="separable_gd.svm_certified",
    paper=PAPER,
    status="derived",
    kind="equality",
    statement=r"`svm(Z)` returns the hard-margin SVM $\hat w = \arg\min\|w\|^2$ s.t. $Zw \ge 1$ and its dual "
    r"$\alpha$ ($\hat w = Z^\top\alpha$); on the designed instance, sympy gives $\hat w = (1, \frac12)$, "
    r"$\alpha = (1, \frac14, 0, 0, 0, 0)$, $M = I$.",
    strategy=I.seeds(),
    assumptions=ASSUME,
    examples=EXAMPLES,
    closed_form="KKT: Z_S w_hat = 1, w_hat = Z_S^T alpha_S, alpha_S > 0, non-SV margins >= 2",
    tolerance="1e-9 absolute on w_hat and alpha: the refined dual is exact up to round-off (~1e-15).",
)
def svm_certified(inst: dict, ctx: Context) -> Check:
    """Compare the L-BFGS-B dual (refined on its support set) with the certificate built into the
    instance (support vectors placed on the margin, alpha solved, KKT by construction); on seed 0 also
    with the sympy closed forms."""
    Z, w, a = I.dataset(I.data_index(inst, ctx.profile))
    s = svm(Z)
    err = max(np.abs(s.w - w).max(), np.abs(s.alpha - a).max())
    if I.data_index(inst, ctx.profile) == 0:
        cf = designed_closed_forms()
        err = max(err, np.abs(np.array(cf["w_hat"], float).ravel() - w).max())
    return Check.close(err, 0.0, atol=1e-9, kkt=s.kkt, support=s.support.tolist())


@svm_certified.false_variant(
    "uniform_dual", "The SVM direction is that of sum_S z_n (equal duals on the support vectors)."
)
def _(inst: dict, ctx: Context) -> Check:
    Z, w, a = I.dataset(I.data_index(inst, ctx.profile))
    v = Z[a > 0].sum(axis=0)
    return Check.close(v / np.linalg.norm(v), w / np.linalg.norm(w), atol=1e-6)


def _offset_check(r: I.Run, wt: np.ndarray, T: int) -> Check:
    """||rho(T) - w_tilde|| within tolerance, and shrunk >= 3x from its largest value over the last two
    decades [T/100, T] (a sup, not the value at T/10: the component along w_hat changes sign, see the
    claim's tolerance)."""
    e = np.linalg.norm(_rho(r, slice(None)) - wt, axis=2)  # (n_cp, 2)
    eT = e[_at(r, T)]
    window = (r.times >= T // 100) & (r.times <= T)
    shrink = e[window].max(axis=0) / eT
    tol = 0.02 * (1 + np.linalg.norm(wt, axis=1))
    ok = bool(np.all(eT <= tol) and np.all(shrink >= 3))
    return Check(
        ok,
        eT.tolist(),
        0.0,
        float(np.min(tol - eT)),
        float(tol.min()),
        {"shrink_last_two_decades": shrink.tolist(), "eta": r.etas.tolist(), "T": T},
    )


@claim(
    id="separable_gd.offset_limit",
    paper=PAPER,
    status="theorem",
    kind="equality",
    statement=r"GD with $\eta < 2\beta^{-1}\sigma_{\max}^{-2}$ on the sum logistic loss of separable data: "
    r"$w(t) - \hat w\log t \to \tilde w$ with $\eta e^{-z_n^\top\tilde w} = \alpha_n$ on the support "
    r"vectors ($t$ the step count).",
    strategy=I.seeds(),
    assumptions=ASSUME,
    examples=EXAMPLES,
    closed_form="Z_S w_tilde = log(eta / alpha_S) (theorems.separable_gd.offset)",
    tolerance="||rho(T) - w_tilde|| <= 0.02 (1 + ||w_tilde||) at T (measured 3e-6 to 4e-3), and it is >= 3x "
    "below the largest error over the last two decades [T/100, T], for both step sizes. Derived: "
    "linearising around w_tilde gives rho - w_tilde ~ t^{-M} on the support-vector span, but M w_hat = "
    "w_hat (z^T w_hat = 1 on the SVs), so the eigenvalue 1 resonates with the O(1/t^2) forcing of the "
    "discrete step and the logistic tail: along w_hat the error is (a + b log t) log t / t + c/t, which "
    "can change sign late (seed 14 at T = 1e6: at t ~ 7e4, so err(T/10)/err(T) = 1.23 although err(T) = "
    "5e-6; the old pointwise 'shrinks 3x over the last decade' failed there). A sup over two decades is "
    "robust: for that form the worst case (sign change at T/100) still gives 5.1x (T = 2e4) to 5.9x "
    "(T = 1e6), and the other modes t^{-lambda}, lambda >= 0.6, give >= 10^1.2 = 16x; a wrong offset "
    "plateaus (1.0x).",
)
def offset_limit(inst: dict, ctx: Context) -> Check:
    """rho(t) = w(t) - w_hat log t over [T/100, T] against w_tilde from `offset` (SVM dual + the SV
    equations)."""
    r = _run(inst, ctx)
    return _offset_check(r, r.w_tilde, int(r.times[-1]))


@offset_limit.false_variant(
    "flow_offset",
    "The gradient-flow offset used with the step count: e^{-z_n^T w_tilde} = alpha_n (eta dropped).",
)
def _(inst: dict, ctx: Context) -> Check:
    r = _run(inst, ctx)
    ZS = r.Z[r.alpha > 0]
    wt = np.array([np.linalg.lstsq(ZS, np.log(1.0 / r.alpha[r.alpha > 0]), rcond=None)[0]] * 2)
    return _offset_check(r, wt, int(r.times[-1]))


@offset_limit.false_variant("mean_offset", "The mean-loss offset (eta/N in place of eta) for the sum loss.")
def _(inst: dict, ctx: Context) -> Check:
    r = _run(inst, ctx)
    shift = np.log(r.Z.shape[0]) * r.w_hat  # eta -> eta/N shifts w_tilde by -w_hat log N (SVs span)
    return _offset_check(r, r.w_tilde - shift, int(r.times[-1]))


def _ratio(r: I.Run) -> tuple[float, float, float]:
    """err(T)/err(t0) for the larger step (replica 0, the spec's eta = 0.2 setting), t0 = max(1e3, T/100)
    (before 1e3 the offset has not settled), and t0, T."""
    T = int(r.times[-1])
    k0 = _at(r, max(1000, T // 100))
    e = _err(r)
    return float(e[-1, 0] / e[k0, 0]), float(r.times[k0]), float(T)


def _rate_check(r: I.Run, lo: float, hi: float) -> Check:
    e = _err(r)
    ratio, t0, T = _ratio(r)
    pure = np.log(t0) / np.log(T)  # the ratio of a pure 1/log t law
    decreasing = bool(np.all(np.diff(e[r.times >= 1000], axis=0) < 0))  # both step sizes
    ok = bool(lo * pure <= ratio <= hi * pure and decreasing)
    return Check(
        ok,
        ratio,
        pure,
        float(min(ratio - lo * pure, hi * pure - ratio)),
        None,
        {"band": [lo * pure, hi * pure], "t0": t0, "decreasing_after_1e3": decreasing, "T": T},
    )


@claim(
    id="separable_gd.direction_rate",
    paper=PAPER,
    status="theorem",
    kind="rate",
    statement=r"$\|w(t)/\|w(t)\| - \hat w/\|\hat w\|\| = \Theta(1/\log t)$.",
    strategy=I.seeds(),
    assumptions=ASSUME,
    examples=EXAMPLES,
    closed_form="err(T)/err(t0) ~ log t0/log T, t0 = max(1e3, T/100)",
    tolerance="For the larger step: err(T)/err(t0) within [0.75, 1.17] x log t0/log T (the spec's [0.45, "
    "0.70] at t0 = 1e3, T = 1e5; measured 0.79-0.98 x: err ~ c*/(log t + a) with a < 0 lowers it). For "
    "eta/4 the transient lasts ~4x longer (flow time eta t) and the ratio falls to 0.6 x at T = 1e5, so "
    "that run is only required to decrease. err decreasing from t = 1e3 for both.",
)
def direction_rate(inst: dict, ctx: Context) -> Check:
    """Ratio of direction errors at T and t0 against the pure 1/log t law (t^{-1/2} gives sqrt(t0/T))."""
    return _rate_check(_run(inst, ctx), 0.75, 1.17)


@direction_rate.false_variant("power_rate", "err = O(t^{-1/2}): err(T)/err(t0) <= 1.5 sqrt(t0/T).")
def _(inst: dict, ctx: Context) -> Check:
    ratio, t0, T = _ratio(_run(inst, ctx))
    return Check.upper(ratio, 1.5 * np.sqrt(t0 / T))


@direction_rate.false_variant(
    "log_squared_rate", "err = O(1/log^2 t): err(T)/err(t0) <= 1.17 (log t0/log T)^2."
)
def _(inst: dict, ctx: Context) -> Check:
    ratio, t0, T = _ratio(_run(inst, ctx))
    return Check.upper(ratio, 1.17 * (np.log(t0) / np.log(T)) ** 2)


def _fit_constant(L: np.ndarray, e: np.ndarray) -> tuple[float, float]:
    """(c, a) of cot(phi) = (log t + a)/c, phi = 2 arcsin(err/2) the angle to w_hat: exact for
    w = w_hat log t + w_tilde (c = c*, a = u.w_tilde/||w_hat||), so only the transient of rho biases it."""
    slope, icpt = np.polyfit(L, 1.0 / np.tan(2.0 * np.arcsin(e / 2.0)), 1)
    return float(1.0 / slope), float(icpt / slope)


def _constant_check(r: I.Run, cstar: np.ndarray) -> Check:
    """Fit c on the checkpoints in [t0, T], t0 = max(1e3, T/100), and compare it with the derived c*.
    The fit is redone on the later half [sqrt(t0 T), T] (in log t): if c moves by more than 5% the
    transient of rho (~ t^{-lambda}, lambda >= 0.6) still dominates the window and the instance is
    inconclusive at this horizon. The spec's fit err log t = a + b/log t is kept as evidence."""
    e = _err(r)
    T = int(r.times[-1])
    t0 = max(1000, T // 100)
    sel = (r.times >= t0) & (r.times <= T)
    late = sel & (r.times >= np.sqrt(t0 * T))
    L = np.log(r.times)
    c_fit, a_fit, shift, spec_fit = [], [], [], []
    for j in range(2):
        c, a = _fit_constant(L[sel], e[sel, j])
        c_late, _ = _fit_constant(L[late], e[late, j])
        c_fit.append(c)
        a_fit.append(a)
        shift.append(abs(c_late / c - 1.0))
        spec_fit.append(
            float(
                np.linalg.lstsq(np.c_[np.ones(sel.sum()), 1.0 / L[sel]], e[sel, j] * L[sel], rcond=None)[0][0]
            )
        )
    details = {
        "fitted": c_fit,
        "derived": cstar.tolist(),
        "fitted_shift": a_fit,
        "late_half_change": shift,
        "window": [t0, T],
        "spec_fit_a_plus_b_over_log_t": spec_fit,
        "T": T,
    }
    if max(shift) > 0.05:
        return Check.inconclusive(
            "the fit has not settled: the transient of rho dominates [t0, T]", **details
        )
    rel = np.abs(np.array(c_fit) - cstar) / cstar
    return Check.upper(float(rel.max()), 0.15, **details)


@claim(
    id="separable_gd.direction_constant",
    paper=PAPER,
    status="derived",
    kind="equality",
    statement=r"$\lim_t \log t\,\|w/\|w\| - \hat w/\|\hat w\|\| = c^* = \|P_{\hat w^\perp}\tilde "
    r"w\|/\|\hat w\|$ "
    r"(from the expansion; nonzero unless $\tilde w \parallel \hat w$). "
    r"On the designed instance sympy gives $c^* = \frac45\log 2$ for every $\eta$.",
    strategy=I.seeds(),
    assumptions=ASSUME,
    examples=EXAMPLES,
    closed_form="c* = ||P_perp w_tilde|| / ||w_hat|| (theorems.separable_gd.direction_constant)",
    tolerance="Fit cot(phi) = (log t + a)/c (phi = 2 arcsin(err/2), exact for w = w_hat log t + w_tilde) on "
    "checkpoints in [t0, T], t0 = max(1e3, T/100); |c - c*| <= 0.15 c*. The only bias is the transient "
    "of rho (~ t^{-lambda}, lambda >= 0.6), amplified ~(log t0 + a)/log(T/t0) by the two-parameter fit: "
    "from t0 = 1e3 at T = 1e6 it was 18% (thorough seed 21, lambda = 0.60). Diagnostic from the data: "
    "refit on the later half of the window; over 11 data sets x 3 horizons the error against c* was "
    "<= 2.7x that change, so a change <= 5% (else inconclusive: the transient dominates) bounds the "
    "error by ~0.14 (measured 0.2-12%). The spec's fit a + b/log t of err log t is biased by 6-25% at "
    "T <= 1e5 (kept as evidence).",
)
def direction_constant_claim(inst: dict, ctx: Context) -> Check:
    """Least-squares fit of cot(angle to w_hat) against log t (exactly (log t + u.w_tilde/||w_hat||)/c*
    for w = w_hat log t + w_tilde); fitted c vs the derived c*."""
    r = _run(inst, ctx)
    return _constant_check(r, np.array([direction_constant(r.w_hat, wt) for wt in r.w_tilde]))


@direction_constant_claim.false_variant(
    "full_offset", "c* = ||w_tilde|| / ||w_hat|| (the whole offset, not its part orthogonal to w_hat)."
)
def _(inst: dict, ctx: Context) -> Check:
    r = _run(inst, ctx)
    return _constant_check(r, np.linalg.norm(r.w_tilde, axis=1) / np.linalg.norm(r.w_hat))


def _loss_check(r: I.Run, predicted: np.ndarray) -> Check:
    T = int(r.times[-1])
    ks = [_at(r, T // 2), len(r.times) - 1]
    tl = np.array([r.times[k] * np.exp(r.log_loss[k]) for k in ks])  # (2 times, 2 replicas)
    rel = np.abs(tl / predicted - 1.0)
    return Check.upper(float(rel.max()), 0.01, tL=tl.tolist(), predicted=predicted.tolist(), T=T)


@claim(
    id="separable_gd.loss_rate",
    paper=PAPER,
    status="derived",
    kind="equality",
    statement=r"$t\,L(w(t)) \to \sum_n\alpha_n/\eta$ (sum loss): the support-vector terms give "
    r"$L \approx \sum_S e^{-\log t - z_n^\top\tilde w} = \sum_S\alpha_n/(\eta t)$.",
    strategy=I.seeds(),
    assumptions=ASSUME,
    examples=EXAMPLES,
    closed_form="lim t L(t) = sum(alpha) / eta",
    tolerance="relative 1% at T/2 and T (the spec's; measured 0.01-0.3%).",
)
def loss_rate(inst: dict, ctx: Context) -> Check:
    """t L(t) from the stable log-loss at the last checkpoints against sum(alpha)/eta, both step sizes."""
    r = _run(inst, ctx)
    return _loss_check(r, r.alpha.sum() / r.etas)


@loss_rate.false_variant("no_eta", "t L(t) -> sum(alpha) (the step size forgotten).")
def _(inst: dict, ctx: Context) -> Check:
    r = _run(inst, ctx)
    return _loss_check(r, np.full(2, r.alpha.sum()))


@loss_rate.false_variant(
    "faster_than_1_over_t", "The loss decays faster than 1/t: T^2 L(T) <= (T/2)^2 L(T/2)."
)
def _(inst: dict, ctx: Context) -> Check:
    r = _run(inst, ctx)
    T = r.times[-1]
    k = _at(r, T // 2)
    lhs = 2 * np.log(T) + r.log_loss[-1]
    rhs = 2 * np.log(r.times[k]) + r.log_loss[k]
    return Check.upper(float(np.max(lhs - rhs)), 0.0)


def _eta_check(r: I.Run, shift_allowed: bool) -> Check:
    d = _rho(r, len(r.times) - 1)
    diff = d[0] - d[1]
    u = r.w_hat / np.linalg.norm(r.w_hat)
    perp = diff - (diff @ u) * u if shift_allowed else diff
    tol = 1e-2 * (1 + np.linalg.norm(r.w_tilde, axis=1).max())
    along = float(np.linalg.norm(diff - np.log(4.0) * r.w_hat))
    ok = bool(np.linalg.norm(perp) <= tol and (not shift_allowed or along <= 2 * tol))
    return Check(
        ok,
        float(np.linalg.norm(perp)),
        0.0,
        float(tol - np.linalg.norm(perp)),
        tol,
        {"rho_eta_minus_rho_eta4": diff.tolist(), "minus_w_hat_log4": along},
    )


@claim(
    id="separable_gd.eta_independence",
    paper=PAPER,
    status="theorem",
    kind="equality",
    statement=r"The limit direction does not depend on $\eta$: with support vectors spanning $\mathbb R^d$, "
    r"$\tilde w(\eta') - \tilde w(\eta) = \hat w\log(\eta'/\eta)$ (sympy on the designed instance), "
    r"so $P_{\hat w^\perp}\rho(t)$ has the same limit for every $\eta$.",
    strategy=I.seeds(),
    assumptions=ASSUME,
    examples=EXAMPLES,
    closed_form="rho_eta(T) - rho_{eta/4}(T) -> w_hat log 4",
    tolerance="1e-2 (1 + ||w_tilde||) on the orthogonal part (the spec's 1e-2), twice that on the shift.",
)
def eta_independence(inst: dict, ctx: Context) -> Check:
    """Compare rho(T) at eta and eta/4: orthogonal parts equal, difference along w_hat = w_hat log 4."""
    if designed_closed_forms()["shift"].is_zero_matrix is not True:
        return Check(False, details={"reason": "sympy: the shift is not w_hat log(eta'/eta)"})
    return _eta_check(_run(inst, ctx), True)


@eta_independence.false_variant("offset_eta_free", "The offset, like the direction, is independent of eta.")
def _(inst: dict, ctx: Context) -> Check:
    return _eta_check(_run(inst, ctx), False)


direction_constant_claim.add_figures(figures.direction_and_margin)
