"""Gradient-flow paths and the measurements the ReLU claims share.

Paths come from the exact piecewise integrator :func:`sim.relu_flow.relu_flow_exact` (cross-checked
against ``solve_ivp``); the measurements are the norm-identity residual, the certified norm dip
(:func:`norm_dip`), monotonicity checks, the invariant-set violation, the Gaussian-population Monte Carlo
and the Vardi-Shamir limits with their integration-error estimates.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.relu_flow import ReLUFlowPath, relu_flow_exact, relu_flow_ivp
from theorems import Check, Context
from theorems.relu_single_neuron.instances import _population_setup, _vs_eps, vs_problem

# Relative accuracy of the exact piecewise integrator (closed-form exponentials, brentq switch times):
# round-off only. Measured against solve_ivp at rtol 1e-13: agreement to ~1e-9 relative, limited by
# solve_ivp; the exact path is ~1e-13 relative self-consistent.
EXACT_RTOL = 1e-10
# Relative norm drop that counts as a certified counterexample to monotonicity (1e6 x round-off).
DROP_THRESHOLD = 1e-7


def _rate_scale(X: np.ndarray) -> float:
    """Largest eigenvalue of X^T X / n: the fastest rate of the flow (1/time)."""
    return float(np.linalg.eigvalsh(X.T @ X / X.shape[0]).max())


def _horizon(path: ReLUFlowPath) -> float:
    """A time covering every switch and most of the convergence (for sampling and ODE runs)."""
    lam = _rate_scale(path.X)
    last = float(path.event_times.max()) if path.event_times.size else 0.0
    return float(min(path.t_settle, 2.0 * last + 60.0 / max(lam, 1e-300))) or 1.0 / lam


def _gauss_legendre_integral(f, t0: float, t1: float, pieces: int, order: int = 10) -> float:
    """Composite Gauss-Legendre quadrature of a smooth f on [t0, t1] (f vectorised over times)."""
    x, wts = np.polynomial.legendre.leggauss(order)
    edges = np.linspace(t0, t1, pieces + 1)
    h = np.diff(edges)[:, None] / 2
    mid = (edges[:-1] + edges[1:])[:, None] / 2
    tt = (mid + h * x[None]).ravel()
    return float(np.sum((h * wts[None]).ravel() * f(tt)))


def _norm_identity_residual(
    path, t_end: float, coeff: float = 2.0, all_points: bool = False, w_of=None
) -> tuple[float, float, float]:
    """Return (||w(T)||^2 - ||w(0)||^2, int_0^T RHS ds, scale) with RHS = (coeff/n) sum z(y - z).

    The integral is taken segment by segment between switches (the integrand is smooth inside).
    ``all_points`` uses every point instead of the active ones (the linear-regression form).
    ``w_of(t)`` evaluates the path (the exact path by default; a solve_ivp path otherwise).
    """
    X, y = path.X, path.y
    n = X.shape[0]
    w_of = w_of or path.w
    lam = _rate_scale(X)
    bounds = [0.0] + [float(t) for t in path.event_times if t < t_end] + [t_end]
    total, absint = 0.0, 0.0
    for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        if b <= a:
            continue
        act = path.active_at(0.5 * (a + b)) if not all_points else np.ones(n, dtype=bool)
        del k

        def rhs(tt, act=act):
            z = w_of(tt) @ X.T
            return coeff / n * np.sum(np.where(act, z * (y - z), 0.0), axis=1)

        pieces = int(min(400, max(4, math.ceil((b - a) * lam))))
        total += _gauss_legendre_integral(rhs, a, b, pieces)
        absint += _gauss_legendre_integral(lambda tt, f=rhs: np.abs(f(tt)), a, b, pieces)
    w0, wT = w_of(np.array([0.0]))[0], w_of(np.array([t_end]))[0]
    delta = float(wT @ wT - w0 @ w0)
    return delta, total, float(w0 @ w0 + wT @ wT + absint)


def norm_dip(path: ReLUFlowPath, num: int = 80) -> dict[str, float]:
    """The largest relative decrease of ``||w(t)||`` along the path and the most negative
    ``d log||w|| / dt`` (per unit of the fastest rate ``lambda_max(X^T X/n)``), on a grid that resolves
    every piece; the drop is then refined on the exact path around the worst grid point."""
    ts = path.sample_times(num)
    nr = np.sqrt(path.norm2(ts))
    rate = path.norm_rate(ts) / (2 * np.maximum(nr**2, 1e-300))
    peak = np.maximum.accumulate(nr)
    drop = (peak - nr) / np.maximum(peak, 1e-300)
    k = int(np.argmax(drop))
    kp = int(np.argmax(nr[: k + 1]))
    t_peak, t_dip, n_peak, n_dip = float(ts[kp]), float(ts[k]), float(nr[kp]), float(nr[k])
    if drop[k] > 0:
        # refine the peak and the dip on the exact path (the grid only brackets them)
        from scipy.optimize import minimize_scalar

        def nrm(t):
            return float(np.sqrt(path.norm2(float(t))))

        for idx, sgn in ((kp, -1.0), (k, 1.0)):
            lo, hi = ts[max(idx - 1, 0)], ts[min(idx + 1, ts.size - 1)]
            if hi > lo:
                res = minimize_scalar(
                    lambda t, s=sgn: s * nrm(t),
                    bounds=(lo, hi),
                    method="bounded",
                    options={"xatol": 1e-10 * max(hi, 1.0)},
                )
                if sgn < 0 and -res.fun > n_peak:
                    t_peak, n_peak = float(res.x), -float(res.fun)
                if sgn > 0 and res.fun < n_dip:
                    t_dip, n_dip = float(res.x), float(res.fun)
    lam = _rate_scale(path.X)
    return {
        "rel_drop": float((n_peak - n_dip) / max(n_peak, 1e-300)) if drop[k] > 0 else 0.0,
        "t_peak": t_peak,
        "t_dip": t_dip,
        "norm_peak": n_peak,
        "norm_dip": n_dip,
        "min_log_rate": float(rate.min() / lam),
        "t_min_rate": float(ts[int(np.argmin(rate))]),
        "norm0": float(nr[0]),
    }


def _problem_path(build, inst: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, ReLUFlowPath]:
    """``(X, y, w0, path)``: the problem ``build(inst)`` and its exact gradient-flow path."""
    X, y, w0 = build(inst)
    return X, y, w0, relu_flow_exact(X, y, w0)


def _error_check(err: float, tol: float, measured: Any, predicted: Any, **details: Any) -> Check:
    """Holds iff ``err <= tol`` (margin ``tol - err``, tolerance ``tol``)."""
    return Check(
        err <= tol, measured=measured, predicted=predicted, margin=tol - err, tolerance=tol, details=details
    )


def _monotone_check(path: ReLUFlowPath, sign: int, num: int = 60) -> dict[str, float]:
    """Worst violation of sign * d||w||^2/dt >= 0 before convergence, and the error scale delta.

    ``delta`` propagates the state error (EXACT_RTOL * ||w|| in each z_i) through (N):
    |d rate| <= (2/n) sum |y_i - 2 z_i| |dz_i|. Times after the norm is within 1e-9 of its limit are
    excluded (the rate is ~0 there and only round-off is left).
    """
    X, y = path.X, path.y
    n = X.shape[0]
    ts = path.sample_times(num, _horizon(path))
    W = path.w(ts)
    Z = W @ X.T
    A = path.active_at(ts)
    rate = 2.0 / n * np.sum(np.where(A, Z * (y - Z), 0.0), axis=1)
    dz = EXACT_RTOL * np.linalg.norm(X, axis=1)[None] * np.linalg.norm(W, axis=1)[:, None]
    delta = 2.0 / n * np.sum(np.where(A, np.abs(y - 2 * Z) * dz + dz**2, 0.0), axis=1)
    n2 = np.sum(W * W, axis=1)
    n2_inf = float(path.w_inf @ path.w_inf)
    live = np.abs(n2 - n2_inf) > 1e-9 * max(n2_inf, float(n2[0]))
    viol = sign * rate + delta  # >= 0 where the claim holds (within error)
    margin = float(viol[live].min()) if live.any() else 0.0
    strict = (
        float((sign * rate)[live & (np.abs(rate) > 100 * delta)].min())
        if (live & (np.abs(rate) > 100 * delta)).any()
        else 0.0
    )
    return {
        "margin": margin,
        "strict_min": strict,
        "rate_min": float(rate[live].min()) if live.any() else 0.0,
        "rate_max": float(rate[live].max()) if live.any() else 0.0,
    }


def _in_U_violation(path: ReLUFlowPath) -> float:
    """max_t max_i (sigma(z_i) - y_i)_+ along the path, on 40 sample times up to the horizon (0 inside U)."""
    Z = path.z(path.sample_times(40, _horizon(path)))
    return float(np.max(np.maximum(np.maximum(Z, 0.0) - path.y, 0.0)))


def _certified_dip(X, y, w0) -> dict[str, Any]:
    """Norm drop on the exact path, re-measured with 100x tighter settings (rtol 1e-14, grid 1.002)."""
    d1 = norm_dip(relu_flow_exact(X, y, w0))
    d2 = norm_dip(relu_flow_exact(X, y, w0, rtol=1e-14, grid_ratio=1.002), num=200)
    return {"coarse": d1, "fine": d2}


def _population_sample(inst: dict, N: int):
    """``(w, v, theta, q, g, w_hat, e_perp)``: the instance's population setup and N Monte Carlo draws
    from :func:`_population_mc` on the seed stream ``[seed, 1]``."""
    w, v, th = _population_setup(inst)
    return (w, v, th, *_population_mc(w, v, N, np.random.default_rng([inst["seed"], 1])))


def _population_rate_mc(inst: dict, ctx: Context) -> tuple:
    """``(w, v, theta, mean, s.e.)`` of the Monte Carlo d||w||/dt at the false variants' sample size."""
    N = ctx.pick(dev=20_000, ci=50_000, thorough=1_000_000)
    w, v, th, q, _, _, _ = _population_sample(inst, N)
    return w, v, th, float(q.mean()), float(q.std(ddof=1)) / math.sqrt(N)


def _population_mc(w: np.ndarray, v: np.ndarray, N: int, rng: np.random.Generator):
    """Monte Carlo draws of q(x) = -(sigma(w.x) - sigma(v.x)) sigma(w_hat.x) and of the gradient
    integrand g(x) = (sigma(w.x) - sigma(v.x)) 1[w.x > 0] x, projected on (w_hat, e_perp)."""
    d = w.size
    wn = np.linalg.norm(w)
    wh = w / wn
    vperp = v - (v @ wh) * wh
    ep = vperp / np.linalg.norm(vperp)
    X = rng.standard_normal((N, d))
    zw, zv = X @ w, X @ v
    r = np.maximum(zw, 0.0) - np.maximum(zv, 0.0)
    q = -r * np.maximum(X @ wh, 0.0)
    g = (r * (zw > 0))[:, None] * np.stack([X @ wh, X @ ep], axis=1)
    return q, g, wh, ep


def vardi_shamir_limit(gamma: float, eps: float, rtol: float = 1e-12) -> ReLUFlowPath:
    """The exact gradient-flow path of the Vardi-Shamir construction."""
    X, y, w0 = vs_problem(gamma, eps)
    return relu_flow_exact(X, y, w0, rtol=rtol)


def _vs_limits(inst: dict):
    eps = _vs_eps(inst)
    out = []
    for g in (inst["gamma1"], inst["gamma2"]):
        p = vardi_shamir_limit(g, eps)
        X, y, w0 = vs_problem(g, eps)
        # integration error estimate: exact path at two settings and solve_ivp at two tolerances
        p2 = relu_flow_exact(X, y, w0, rtol=1e-14, grid_ratio=1.002)
        T = _horizon(p)
        q1 = relu_flow_ivp(X, y, w0, T, rtol=1e-9, atol=1e-12).w(T)
        q2 = relu_flow_ivp(X, y, w0, T, rtol=1e-11, atol=1e-14).w(T)
        err = max(
            float(np.abs(p.w_inf - p2.w_inf).max()),
            float(np.abs(q1 - q2).max()),
            float(np.abs(q2 - p.w(T)).max()),
        )
        out.append((g, p, err))
    return eps, out
