"""Stochastic differential equations: terms (drift and diffusion) and the schemes that step them.

An SDE ``dX = f(X) dt + G(X) dW`` on a state with a leading replica axis, ``X`` of shape (R, p) and
``W`` an m-dimensional Brownian motion per replica, is an :class:`SDETerm`. A scheme is data (its
strong and weak orders and the calculus it approximates) plus a step rule; the same term serves
every scheme, and gradient flow is the zero-noise case.

Schemes (``SCHEMES``):

========================  =========  ============  ===========  ====================================
name                      calculus   strong order  weak order   notes
========================  =========  ============  ===========  ====================================
``euler_maruyama``        Itô        0.5           1.0          1.0 strong for additive noise
``log_euler_maruyama``    Itô        0.5           1.0          EM on log X with the Itô drift;
                                                                keeps X > 0 (multiplicative noise)
``milstein``              Itô        1.0           1.0          diagonal / commutative noise
``heun``                  Stratonovich 1.0         1.0          commutative noise; *not* Itô
========================  =========  ============  ===========  ====================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class SDETerm:
    """Drift and diffusion of an SDE on states of shape (R, dim), noise of shape (R, noise_dim).

    Subclasses implement :meth:`drift` and :meth:`diffusion` (the product ``G(x) dW``). Schemes that
    need more use the optional methods, which have finite-difference defaults:

    * :meth:`diffusion_jvp` -- the derivative of ``x -> G(x) dW`` in direction ``v`` (Milstein);
    * :meth:`ito_correction` -- ``1/2 sum_j Dg_j[g_j]``, the Itô-to-Stratonovich drift difference;
    * :meth:`diffusion_sq` -- ``sum_j G_ij(x)^2``, the diagonal of ``G G^T`` (log-coordinate EM).
    """

    dim: int
    noise_dim: int

    def drift(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def diffusion(self, x: np.ndarray, dW: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def diffusion_jvp(self, x: np.ndarray, dW: np.ndarray, v: np.ndarray) -> np.ndarray:
        # Central difference, step scaled per replica: error O(eps^2) relative.
        scale = np.maximum(np.abs(x).max(axis=1, keepdims=True), 1.0)
        vnorm = np.maximum(np.abs(v).max(axis=1, keepdims=True), 1e-300)
        eps = 6e-6 * scale / vnorm
        return (self.diffusion(x + eps * v, dW) - self.diffusion(x - eps * v, dW)) / (2 * eps)

    def ito_correction(self, x: np.ndarray) -> np.ndarray:
        out = np.zeros_like(x)
        for j in range(self.noise_dim):
            e = np.zeros((x.shape[0], self.noise_dim))
            e[:, j] = 1.0
            out += self.diffusion_jvp(x, e, self.diffusion(x, e))
        return 0.5 * out

    def diffusion_sq(self, x: np.ndarray) -> np.ndarray:
        out = np.zeros_like(x)
        for j in range(self.noise_dim):
            e = np.zeros((x.shape[0], self.noise_dim))
            e[:, j] = 1.0
            out += self.diffusion(x, e) ** 2
        return out

    def loss(self, x: np.ndarray) -> np.ndarray | None:
        """Optional: the training loss at ``x`` (for the running loss integral); None if undefined."""
        return None


@dataclass(frozen=True)
class Scheme:
    """A step rule for an :class:`SDETerm`, with its orders and calculus as data."""

    name: str
    calculus: str  # "ito" or "stratonovich"
    strong_order: float
    weak_order: float
    requires_positive: bool = False
    description: str = ""

    def step(self, term: SDETerm, x: np.ndarray, h: float, dW: np.ndarray) -> np.ndarray:
        return _STEPS[self.name](term, x, h, dW)


def _euler_maruyama(term: SDETerm, x: np.ndarray, h: float, dW: np.ndarray) -> np.ndarray:
    return x + term.drift(x) * h + term.diffusion(x, dW)


def _log_euler_maruyama(term: SDETerm, x: np.ndarray, h: float, dW: np.ndarray) -> np.ndarray:
    # Itô's formula for log X_i: d log X = (f/X - 1/2 sum_j g_ij^2 / X^2) dt + (G dW)/X.
    inv = 1.0 / x
    drift = term.drift(x) * inv - 0.5 * term.diffusion_sq(x) * inv * inv
    return x * np.exp(drift * h + term.diffusion(x, dW) * inv)


def _milstein(term: SDETerm, x: np.ndarray, h: float, dW: np.ndarray) -> np.ndarray:
    # Commutative noise: X + f h + G dW + 1/2 sum_jk L^j g_k dW_j dW_k - h/2 sum_j L^j g_j,
    # where sum_jk L^j g_k dW_j dW_k = D(G(.) dW)[G dW] with dW held fixed.
    g_dw = term.diffusion(x, dW)
    return x + term.drift(x) * h + g_dw + 0.5 * term.diffusion_jvp(x, dW, g_dw) - h * term.ito_correction(x)


def _heun(term: SDETerm, x: np.ndarray, h: float, dW: np.ndarray) -> np.ndarray:
    # Stratonovich Heun: trapezoidal in both drift and diffusion.
    f0 = term.drift(x)
    g0 = term.diffusion(x, dW)
    xp = x + f0 * h + g0
    return x + 0.5 * (f0 + term.drift(xp)) * h + 0.5 * (g0 + term.diffusion(xp, dW))


_STEPS = {
    "euler_maruyama": _euler_maruyama,
    "log_euler_maruyama": _log_euler_maruyama,
    "milstein": _milstein,
    "heun": _heun,
}

SCHEMES: dict[str, Scheme] = {
    "euler_maruyama": Scheme("euler_maruyama", "ito", 0.5, 1.0, description="Euler-Maruyama (Itô)."),
    "log_euler_maruyama": Scheme(
        "log_euler_maruyama",
        "ito",
        0.5,
        1.0,
        requires_positive=True,
        description="Euler-Maruyama on log X with the Itô drift; positivity-preserving.",
    ),
    "milstein": Scheme(
        "milstein", "ito", 1.0, 1.0, description="Milstein for diagonal or commutative noise (Itô)."
    ),
    "heun": Scheme(
        "heun",
        "stratonovich",
        1.0,
        1.0,
        description="Stochastic Heun; converges to the Stratonovich solution.",
    ),
}


def get_scheme(scheme: str | Scheme) -> Scheme:
    """Look up a scheme by name; a clear error lists the known names."""
    if isinstance(scheme, Scheme):
        return scheme
    if not isinstance(scheme, str):
        raise TypeError(f"scheme must be a name or a Scheme, got {type(scheme).__name__}")
    try:
        return SCHEMES[scheme]
    except KeyError:
        raise ValueError(f"unknown scheme {scheme!r}; expected one of {', '.join(sorted(SCHEMES))}") from None


# --------------------------------------------------------------------------- reference SDEs
class GeometricBrownianMotion(SDETerm):
    """dX = mu X dt + sigma X dW, componentwise (diagonal noise); exact solutions for tests.

    Itô: X_t = X_0 exp((mu - sigma^2/2) t + sigma W_t). Stratonovich (same coefficients):
    X_t = X_0 exp(mu t + sigma W_t).
    """

    def __init__(self, mu: float, sigma: float, dim: int = 1) -> None:
        self.mu, self.sigma, self.dim, self.noise_dim = float(mu), float(sigma), dim, dim

    def drift(self, x: np.ndarray) -> np.ndarray:
        return self.mu * x

    def diffusion(self, x: np.ndarray, dW: np.ndarray) -> np.ndarray:
        return self.sigma * x * dW

    def diffusion_jvp(self, x: np.ndarray, dW: np.ndarray, v: np.ndarray) -> np.ndarray:
        return self.sigma * v * dW

    def ito_correction(self, x: np.ndarray) -> np.ndarray:
        return 0.5 * self.sigma**2 * x

    def diffusion_sq(self, x: np.ndarray) -> np.ndarray:
        return (self.sigma * x) ** 2

    def exact(self, x0: np.ndarray, t: float, w_t: np.ndarray, calculus: str = "ito") -> np.ndarray:
        corr = 0.5 * self.sigma**2 if calculus == "ito" else 0.0
        return x0 * np.exp((self.mu - corr) * t + self.sigma * w_t)


class OrnsteinUhlenbeck(SDETerm):
    """dX = -theta (X - mu) dt + sigma dW (additive noise); exact Gaussian marginals for tests."""

    def __init__(self, theta: float, mu: float, sigma: float, dim: int = 1) -> None:
        self.theta, self.mu, self.sigma = float(theta), float(mu), float(sigma)
        self.dim = self.noise_dim = dim

    def drift(self, x: np.ndarray) -> np.ndarray:
        return -self.theta * (x - self.mu)

    def diffusion(self, x: np.ndarray, dW: np.ndarray) -> np.ndarray:
        return self.sigma * dW

    def diffusion_jvp(self, x: np.ndarray, dW: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.zeros_like(x)

    def ito_correction(self, x: np.ndarray) -> np.ndarray:
        return np.zeros_like(x)

    def exact_mean_var(self, x0: float, t: float) -> tuple[float, float]:
        e = np.exp(-self.theta * t)
        return self.mu + (x0 - self.mu) * e, self.sigma**2 * (1 - e * e) / (2 * self.theta)
