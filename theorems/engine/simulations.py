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
from theorems.engine.formulas import gbm_exact

# Order fits: the slope of log(error) against log(h) over a dyadic ladder on the *same* Brownian
# paths. The band +-0.15 around the textbook order is wide enough for the Monte-Carlo noise of 2000
# paths (the fitted slope's standard error is about 0.03 here) and narrow enough to separate 0.5 from 1.
ORDER_BAND = 0.15
LADDER = [2**k for k in range(2, 8)]  # strides over the finest grid of 2^10 steps
N_FINE = 2**10


def strong_order_slope(inst: dict, scheme: str, calculus: str, paths: int = 2000) -> tuple[float, list]:
    """Fitted slope of the mean strong error at T = 1 of ``scheme`` on GBM against the exact solution in
    ``calculus``, over h = 2^-8..2^-3 on ``paths`` shared paths; returns (slope, errors)."""
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
        errs.append(float(np.mean(np.abs(res.theta - exact))))
    slope = float(np.polyfit(np.log(hs), np.log(errs), 1)[0])
    return slope, errs


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
