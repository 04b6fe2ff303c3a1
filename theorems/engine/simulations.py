"""The engine's self-check simulations: step-size ladders on shared Brownian paths, GD/SGD runs.

Each ladder integrates the *same* Brownian paths at every step size (increments drawn once at the
finest resolution and summed to coarsen), so the fitted error slopes are not swamped by Monte-Carlo
noise. Importing this module registers no claim.
"""

from __future__ import annotations

import numpy as np

from sim import (
    BrownianPath,
    GeometricBrownianMotion,
    LeastSquares,
    OrnsteinUhlenbeck,
    Recorder,
    coarsen,
    gd,
    sde_solve,
    sgd,
)
from theorems.engine.formulas import em_gbm_error_rate, gbm_exact

# Order fits: the slope of log(error) against log(h) over a dyadic ladder on the *same* Brownian
# paths. The band +-0.15 around the textbook order is wide enough for the Monte-Carlo noise of 2000
# paths (the fitted slope's standard error is about 0.03 here) and narrow enough to separate 0.5 from 1.
ORDER_BAND = 0.15
LADDER = [2**k for k in range(2, 8)]  # strides over the finest grid of 2^10 steps
N_FINE = 2**10


def ladder_errors(
    inst: dict, scheme: str, calculus: str, paths: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``scheme`` on GBM at T = 1 over h = 2^-8..2^-3 on ``paths`` shared paths: (h, signed errors
    ``X^h_T - X_T`` of shape (levels, paths), exact ``X_T`` in ``calculus`` of shape (paths,))."""
    gbm = GeometricBrownianMotion(inst["mu"], inst["sigma"])
    T = 1.0
    dW = BrownianPath(inst["seed"], paths, 1, T / N_FINE).fine(N_FINE)
    w_T = dW.sum(axis=0)
    x0 = np.ones((paths, 1))
    exact = gbm_exact(x0, T, w_T, inst["mu"], inst["sigma"], calculus)
    hs, errs = [], []
    for s in LADDER:
        n = N_FINE // s
        res = sde_solve(
            gbm,
            x0,
            T / n,
            n,
            scheme=scheme,
            increments=coarsen(dW, s),
            recorder=Recorder(every=n, loss=False, loss_integral=False),
        )
        hs.append(T / n)
        errs.append((res.theta - exact)[:, 0])
    return np.array(hs), np.array(errs), exact[:, 0]


def strong_order_slope(inst: dict, scheme: str, calculus: str, paths: int = 2000) -> tuple[float, list]:
    """Fitted slope of the mean strong error at T = 1 of ``scheme`` on GBM against the exact solution in
    ``calculus``, over h = 2^-8..2^-3 on ``paths`` shared paths; returns (slope, errors)."""
    hs, e, _ = ladder_errors(inst, scheme, calculus, paths)
    errs = [float(x) for x in np.mean(np.abs(e), axis=1)]
    slope = float(np.polyfit(np.log(hs), np.log(errs), 1)[0])
    return slope, errs


# Bound on the bias of the extrapolated EM error constant (em_error_constant), from the neglected
# O(h^3) term of E|e_h|^2/h: measured offline with 400000 paths (EM on GBM, this ladder) at the corners
# of gbm_instances: |ratio - 1| = 0.022 +- 0.005 at (mu, sigma) = (1, 0.3), 0.002 +- 0.003 at (-1, 0.3),
# 0.008..0.037 +- 0.03 at sigma = 1 (not resolved there; the Monte-Carlo half-width of the check at
# sigma = 1 is ~0.3, so an error of this bound by a few hundredths does not change a verdict).
EXTRAPOLATION_BIAS = 0.05


def em_error_constant(inst: dict, paths: int) -> dict:
    r"""Euler-Maruyama's mean-square error constant on GBM, extrapolated to h -> 0 and divided by its
    derived limit: ``ratio`` estimates $\lim_h \mathbb E|X_T - X^h_T|^2 / (h\,V T\,\mathbb E X_T^2)$
    with $V = \sigma^4/2$ (:func:`~theorems.engine.formulas.em_gbm_error_constant`), which is 1.

    Per level $q_k = \overline{e_k^2} / (h_k V T\,\overline{X_T^2})$ (a ratio estimator: the sample
    mean of $X_T^2$ in place of its expectation cancels most of the lognormal noise common to all
    levels); $q(h) = A + Bh + Ch^2 + O(h^3)$ (the expansion has integer powers of h), so the intercept of
    a quadratic least-squares fit over the 6 levels estimates the limit. It is linear in the per-path
    squares: ``ratio`` $= \bar Y / \overline{X_T^2}$ with $Y_i = \sum_k w_k e_{k,i}^2/(h_k V T)$, and its
    standard error is the delta-method one of a ratio of means, $\mathrm{sd}(Y - r X_T^2)/(\sqrt n\,
    \overline{X_T^2})$."""
    hs, e, exact = ladder_errors(inst, "euler_maruyama", "ito", paths)
    v, a_limit = em_gbm_error_rate(inst["mu"], inst["sigma"], 1.0)
    # intercept of the OLS fit of q on (1, h, h^2): the first row of the pseudo-inverse
    w = np.linalg.pinv(np.vander(hs, 3, increasing=True))[0]
    y = (w / (hs * v)) @ (e**2)
    x2 = exact**2
    ratio = float(y.mean() / x2.mean())
    se = float(np.std(y - ratio * x2, ddof=1) / (np.sqrt(paths) * x2.mean()))
    q = (e**2).mean(axis=1) / (hs * v * x2.mean())
    rms = np.sqrt((e**2).mean(axis=1))
    return {
        "ratio": ratio,
        "se": se,
        "ladder_h": hs.tolist(),
        "q": q.tolist(),
        "rms_slope": float(np.polyfit(np.log(hs), np.log(rms), 1)[0]),
        "mean_abs_slope": float(np.polyfit(np.log(hs), np.log(np.abs(e).mean(axis=1)), 1)[0]),
        "A_limit": a_limit,
    }


def weak_errors(inst: dict, paths: int) -> tuple[list, list, list]:
    """Euler-Maruyama on Ornstein-Uhlenbeck, h = 1/4..1/32 on shared paths: (h, |mean error|,
    |variance error|) at T = 1 against the exact Gaussian marginal."""
    T, x0, n_fine = 1.0, 10.0, 32
    # The OU is componentwise, so the paths are the components of one replica (one random stream).
    ou = OrnsteinUhlenbeck(inst["theta"], 0.0, inst["sigma"], dim=paths)
    dW = BrownianPath(inst["seed"], 1, paths, T / n_fine).fine(n_fine)
    m_ex, v_ex = ou.exact_mean_var(x0, T)
    hs, e_mean, e_var = [], [], []
    for s in (8, 4, 2, 1):  # h = 1/4 .. 1/32
        n = n_fine // s
        res = sde_solve(
            ou,
            np.full((1, paths), x0),
            T / n,
            n,
            scheme="euler_maruyama",
            increments=coarsen(dW, s),
            recorder=Recorder(every=n, loss=False, loss_integral=False),
        )
        x = res.theta[0]
        hs.append(T / n)
        e_mean.append(abs(float(x.mean()) - m_ex))
        e_var.append(abs(float(x.var()) - v_ex))
    return hs, e_mean, e_var


def ls_limit(prob: LeastSquares, theta0: np.ndarray, use_sgd: bool) -> tuple[np.ndarray, float]:
    """GD (step 1/lambda_max) or SGD (batch 1, step 0.5 / max |x_i|^2) from ``theta0`` with a budget
    sized by the conditioning: (final iterate, final loss)."""
    H = prob.X.T @ prob.X / prob.n_samples
    lr = 1.0 / np.linalg.eigvalsh(H).max() if not use_sgd else 0.5 / np.max(np.sum(prob.X**2, 1))
    lam_min = np.linalg.eigvalsh(prob.X @ prob.X.T / prob.n_samples).min()
    # GD contracts the error in range(X^T) by (1 - lr lam_min) per step: 60/(lr lam_min) steps
    # bring a unit error below e^-60 ~ 1e-26 (capped; an unconverged run is reported inconclusive).
    # SGD (batch 1) contracts by (1 - lr lam_min) per step in expectation as well (E[x x^T] = H), with
    # more fluctuation: twice the budget, at least 20000 steps (a thorough run found 1 of 100
    # instances short at a fixed 20000).
    steps = (
        int(min(50_000, 60 / (lr * lam_min)))
        if not use_sgd
        else int(min(100_000, max(20_000, 120 / (lr * lam_min))))
    )
    rec = Recorder(every=steps, loss_integral=False)
    res = (
        sgd(prob, theta0, lr, steps, seed=1, recorder=rec)
        if use_sgd
        else gd(prob, theta0, lr, steps, recorder=rec)
    )
    return res.theta[0], float(res.final_loss[0])
