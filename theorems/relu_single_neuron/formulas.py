"""Sympy derivations and closed forms for a single ReLU neuron under gradient flow.

The norm identity d||w||^2/dt = (2/n) sum_{i in A} z_i (y_i - z_i), the orthogonal-input closed form, the
Gaussian-population rate (kappa(theta), the rates of ||w|| and theta, the population gradient), the
Vardi-Shamir construction's algebra, and the reduced (r, theta) population ODE. Importing this module
registers no claim.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp


@functools.cache
def derive_norm_identity() -> Any:
    r"""sympy: $2w^\top\dot w - \frac2n\sum_{i\in A} z_i(y_i - z_i)$ on a fixed pattern (two active points
    in $\mathbb R^3$, all symbolic), expanded. It is 0: the norm identity (N)."""
    import sympy as sp

    n = sp.Symbol("n", positive=True)
    w = sp.Matrix(sp.symbols("w1:4", real=True))
    xs = [sp.Matrix(sp.symbols(f"x{i}_1:4", real=True)) for i in (1, 2)]
    ys = sp.symbols("y1:3", real=True)
    zs = [(x.T * w)[0] for x in xs]
    wdot = -sum(((zs[i] - ys[i]) * xs[i] for i in range(2)), sp.zeros(3, 1)) / n
    lhs = 2 * (w.T * wdot)[0]
    rhs = 2 / n * sum(zs[i] * (ys[i] - zs[i]) for i in range(2))
    return sp.expand(lhs - rhs)


@functools.cache
def derive_orthogonal() -> dict[str, Any]:
    r"""sympy: one decoupled orthogonal coordinate $z = x^\top w$, $a = \|x\|^2$.

    ``z``: the solution of $\dot z = -\frac an(z - y)$, $z(0) = z_0$, by variation of constants:
    $z(t) = e^{-at/n}(z_0 + \int_0^t \frac an y e^{as/n}ds) = y + (z_0 - y)e^{-at/n}$; ``z_ode_residual``
    (0) re-checks the ODE; ``z_limit`` $= y$; ``norm_increment`` $= (z(t)^2 - z_0^2)/a$ and
    ``norm_increment_check`` (0): the same from $w(t) = w_0 + \frac{z(t) - z_0}a x$ with
    $w_0 = \frac{z_0}a x + w_\perp$.
    """
    import sympy as sp

    n, t, a, s = sp.symbols("n t a s", positive=True)
    y, z0, p = sp.symbols("y z0 p", real=True)
    k = a / n
    z = sp.expand(sp.exp(-k * t) * (z0 + sp.integrate(k * y * sp.exp(k * s), (s, 0, t))))
    inc = (z**2 - z0**2) / a
    # ||w(t)||^2 with w(t) = (z(t)/a) x + w_perp, ||x||^2 = a, ||w_perp||^2 = p
    norm_t = z**2 / a + p
    norm_0 = z0**2 / a + p
    return {
        "z": z,
        "z_ode_residual": sp.expand(sp.diff(z, t) + k * (z - y)),
        "z_initial": z.subs(t, 0),
        "z_limit": sp.limit(z, t, sp.oo),
        "norm_increment": inc,
        "norm_increment_check": sp.expand(norm_t - norm_0 - inc),
    }


@functools.cache
def derive_population() -> dict[str, Any]:
    r"""sympy: the degree-1 arc-cosine kernel and the population flow in polar coordinates.

    ``kappa_integral``: $\frac1\pi\int_{\theta-\pi/2}^{\pi/2}\cos\phi\cos(\phi-\theta)d\phi$ (the
    $(a, b)$-plane reduction; the radial integral $\int_0^\infty r^3e^{-r^2/2}dr = 2$ is ``radial``);
    ``kappa`` $= (\sin\theta + (\pi-\theta)\cos\theta)/(2\pi)$ with ``kappa_check`` (0, reduced modulo
    $\sin^2 + \cos^2 = 1$); ``dkappa`` $= -(\pi-\theta)\sin\theta/(2\pi)$; ``loss``
    $L = \frac12(\frac{r^2}2 - 2r\|v\|\kappa + \frac{\|v\|^2}2)$;
    ``rate_r`` $= -\partial_rL = \|v\|\kappa - r/2$;
    ``rate_theta`` $= -r^{-2}\partial_\theta L = \|v\|\kappa'(\theta)/r$.
    """
    import sympy as sp

    th, ph = sp.symbols("theta phi", real=True)
    rr = sp.Symbol("rho", positive=True)
    radial = sp.integrate(rr**3 * sp.exp(-(rr**2) / 2), (rr, 0, sp.oo))
    F = sp.integrate(sp.expand_trig(sp.cos(ph) * sp.cos(ph - th)), ph)
    kap_int = (F.subs(ph, sp.pi / 2) - F.subs(ph, th - sp.pi / 2)) / sp.pi
    kap = (sp.sin(th) + (sp.pi - th) * sp.cos(th)) / (2 * sp.pi)
    sn, cs = sp.symbols("s c", real=True)
    diff = sp.expand(sp.expand_trig(kap_int - kap)).subs({sp.sin(th): sn, sp.cos(th): cs})
    check = sp.rem(sp.Poly(sp.expand(diff), sn), sp.Poly(sn**2 + cs**2 - 1, sn)).as_expr()
    r, vn = sp.symbols("r v", positive=True)
    L = (r**2 / 2 - 2 * r * vn * kap + vn**2 / 2) / 2
    dk = sp.diff(kap, th)
    return {
        "radial": radial,
        "kappa_integral": kap_int,
        "kappa": kap,
        "kappa_check": sp.expand(check),
        "dkappa": sp.factor(sp.expand(dk)),
        "loss": L,
        "rate_r": sp.expand(-sp.diff(L, r)),
        "rate_theta": sp.expand(-sp.diff(L, th) / r**2),
        "rate_theta_check": sp.expand(-sp.diff(L, th) / r**2 - vn * dk / r),
    }


@functools.cache
def derive_vardi_shamir() -> dict[str, Any]:
    r"""sympy: the zero-loss set of the Vardi-Shamir construction for symbolic $\gamma > 0$.

    Points 1, 2 have positive labels, so they must be active and fitted: $3w_1 - w_2 = 16$,
    $4w_1 + 2w_2 = 18$; point 3 (label 0) is fitted iff $\sigma(\gamma(w_2 + w_3)) = 0$ iff
    $\gamma(w_2 + w_3) \le 0$. Returns ``{'w1': 5, 'w2': -1, 'w3_set': Interval(-oo, 1)}``.
    """
    import sympy as sp

    g = sp.Symbol("gamma", positive=True)
    w1, w2, w3 = sp.symbols("w1 w2 w3", real=True)
    fit = sp.solve([3 * w1 - w2 - 16, 4 * w1 + 2 * w2 - 18], [w1, w2], dict=True)[0]
    cond = sp.solve_univariate_inequality(g * (fit[w2] + w3) <= 0, w3, relational=False)
    return {"w1": fit[w1], "w2": fit[w2], "w3_set": cond}


def derivations() -> dict[str, Any]:
    """All sympy derivations of this module (see the ``derive_*`` functions), keyed by topic."""
    return {
        "norm_identity_residual": derive_norm_identity(),
        "orthogonal": derive_orthogonal(),
        "population": derive_population(),
        "vardi_shamir": derive_vardi_shamir(),
    }


@functools.cache
def _lambda_orth_z():
    import sympy as sp

    n, t, a = sp.symbols("n t a", positive=True)
    y, z0 = sp.symbols("y z0", real=True)
    return sp.lambdify((t, a, n, y, z0), derive_orthogonal()["z"], "numpy")


@functools.cache
def _lambda_kappa():
    import sympy as sp

    th = sp.Symbol("theta", real=True)
    D = derive_population()
    return sp.lambdify(th, D["kappa"], "numpy"), sp.lambdify(th, D["dkappa"], "numpy")


def kappa(theta):
    r"""Degree-1 arc-cosine kernel $\kappa(\theta) = (\sin\theta + (\pi-\theta)\cos\theta)/(2\pi)$, so that
    $E[\sigma(a^\top x)\sigma(b^\top x)] = \|a\|\|b\|\kappa(\angle(a,b))$ for $x\sim N(0,I)$ (Cho & Saul 2009;
    derived with sympy in :func:`derivations`)."""
    return _lambda_kappa()[0](np.asarray(theta, dtype=float))


def population_rate(w_norm, v_norm, theta):
    r"""$\frac{d\|w\|}{dt} = \|v\|\kappa(\theta) - \|w\|/2$ for the Gaussian-population teacher (derived)."""
    return v_norm * kappa(theta) - 0.5 * np.asarray(w_norm, dtype=float)


def population_theta_rate(w_norm, v_norm, theta):
    r"""$\dot\theta = \|v\|\kappa'(\theta)/\|w\| = -(\pi-\theta)\|v\|\sin\theta/(2\pi\|w\|)$ (derived)."""
    return v_norm * _lambda_kappa()[1](np.asarray(theta, dtype=float)) / w_norm


def population_grad(w: np.ndarray, v: np.ndarray) -> np.ndarray:
    r"""$\nabla L(w) = w/2 - [(\pi-\theta)v + \|v\|\sin\theta\,\hat w]/(2\pi)$ for
    $L = \frac12E(\sigma(w^\top x) - \sigma(v^\top x))^2$, $x\sim N(0, I)$ (derived)."""
    wn, vn = np.linalg.norm(w), np.linalg.norm(v)
    th = math.acos(float(np.clip(w @ v / (wn * vn), -1.0, 1.0)))
    return w / 2 - ((math.pi - th) * v + vn * math.sin(th) * w / wn) / (2 * math.pi)


def orthogonal_solution(X: np.ndarray, y: np.ndarray, w0: np.ndarray, t) -> np.ndarray:
    r"""Closed-form flow for pairwise orthogonal inputs (derived, spec section 4.1).

    Points active at $t=0$ decouple: $z_i(t) = y_i + (z_i(0) - y_i)e^{-\|x_i\|^2t/n}$ (sympy
    ``orth_z``); inactive points never move, so $w(t) = w_0 + \sum_{A_0}\frac{z_i(t) - z_i(0)}{\|x_i\|^2}x_i$.
    ``t`` may be ``inf`` (the limit). Returns ``w(t)``, shape (len(t), d) or (d,).
    """
    n = X.shape[0]
    z0 = X @ w0
    a = np.einsum("ij,ij->i", X, X)
    A0 = (z0 > 0) & (a > 0)
    tt = np.atleast_1d(np.asarray(t, dtype=float))
    f = _lambda_orth_z()
    out = np.repeat(w0[None], tt.size, axis=0)
    for i in np.flatnonzero(A0):
        if np.isinf(tt).any():
            zi = np.where(np.isinf(tt), y[i], f(np.where(np.isinf(tt), 0.0, tt), a[i], n, y[i], z0[i]))
        else:
            zi = f(tt, a[i], n, y[i], z0[i])
        out += ((zi - z0[i]) / a[i])[:, None] * X[i][None]
    return out[0] if np.ndim(t) == 0 else out


def _reduced_rhs(vn: float):
    def rhs(t, s):
        r, th = s
        return [float(population_rate(r, vn, th)), float(population_theta_rate(r, vn, th))]

    return rhs


def _solve_reduced(vn: float, r0: float, th: float, T: float, ts: np.ndarray):
    """The reduced (r, theta) population ODE from (r0, th) on [0, T], reported at ``ts``."""
    return solve_ivp(_reduced_rhs(vn), (0, T), [r0, th], t_eval=ts, rtol=1e-10, atol=1e-12, method="DOP853")
