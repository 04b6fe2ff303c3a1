"""Training problems: loss, full gradient, minibatch and per-sample gradients, and SGF noise.

Every method takes parameters with a leading replica axis, ``theta`` of shape (R, p), and returns
per-replica values: ``loss -> (R,)``, ``grad -> (R, p)``. The loss is an average of per-sample losses,
``L = (1/n) sum_i l_i``, and the minibatch gradient is the average of ``grad l_i`` over the batch.

Problems
--------
* :class:`LeastSquares`: ``l_i = 1/2 (x_i . theta - y_i)^2``.
* :class:`DiagonalNetwork`: two-layer diagonal linear network, ``beta = w+^2 - w-^2``,
  ``l_i = 1/4 (x_i . beta - y_i)^2``, ``theta = [w+, w-]`` (the P-convention of Pesme et al. 2021).
* :class:`ReLUNeuron`: ``l_i = 1/2 (relu(w . x_i) - y_i)^2`` with ``relu'(0) = 0``.
* :class:`LogisticRegression`: ``l_i = log(1 + exp(-y_i x_i . theta))``, labels in {-1, +1}.

Stochastic gradient flow (SGF): ``dtheta = -grad L dt + sqrt(gamma / b) Sigma^{1/2} dB`` with
``Sigma`` the covariance of the per-sample gradients. :meth:`Problem.sgf_term` factors
``Sigma = G G^T`` with ``G = [g_1 - gbar, ..., g_n - gbar] / sqrt(n)`` and an n-dimensional Brownian
motion, so no matrix square root is needed. :meth:`DiagonalNetwork.sgf_term` is the paper's model.
"""

from __future__ import annotations

import numpy as np

from sim._validate import as_matrix, as_replicas, as_vector, positive, positive_int
from sim.sde import SDETerm


class Problem:
    """Base class. Subclasses set ``X``, ``y``, ``n_samples``, ``n_params`` and implement the maths."""

    X: np.ndarray
    y: np.ndarray
    n_samples: int
    n_params: int

    def _data(self, X: object, y: object) -> None:
        self.X = as_matrix(X, "X")
        self.y = as_vector(y, "y", length=self.X.shape[0])
        self.n_samples, self.n_features = self.X.shape

    def check_theta(self, theta: object) -> np.ndarray:
        return as_replicas(theta, self.n_params)

    def loss(self, theta: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def grad(self, theta: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def per_sample_grads(self, theta: np.ndarray) -> np.ndarray:
        """Gradients of every per-sample loss, shape (R, n, p)."""
        raise NotImplementedError

    def minibatch_grad(self, theta: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Average gradient over the minibatch ``idx`` of shape (R, b) (one batch per replica)."""
        raise NotImplementedError

    def sgf_term(self, gamma: float, batch_size: int = 1) -> SDETerm:
        """SGF with the exact minibatch-noise covariance (generic; see the module docstring)."""
        return _ExactCovarianceSGF(self, positive(gamma, "gamma"), positive_int(batch_size, "batch_size"))

    def gradient_field(self) -> SDETerm:
        """Gradient flow as a noise-free term (drift ``-grad L``)."""
        return _GradientFlowTerm(self)


class _GradientFlowTerm(SDETerm):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.dim = problem.n_params
        self.noise_dim = 1

    def drift(self, x: np.ndarray) -> np.ndarray:
        return -self.problem.grad(x)

    def diffusion(self, x: np.ndarray, dW: np.ndarray) -> np.ndarray:
        return np.zeros_like(x)

    def loss(self, x: np.ndarray) -> np.ndarray:
        return self.problem.loss(x)


class _ExactCovarianceSGF(SDETerm):
    def __init__(self, problem: Problem, gamma: float, batch_size: int) -> None:
        self.problem = problem
        self.scale = np.sqrt(gamma / batch_size / problem.n_samples)
        self.dim = problem.n_params
        self.noise_dim = problem.n_samples

    def drift(self, x: np.ndarray) -> np.ndarray:
        return -self.problem.grad(x)

    def diffusion(self, x: np.ndarray, dW: np.ndarray) -> np.ndarray:
        g = self.problem.per_sample_grads(x)  # (R, n, p)
        g = g - g.mean(axis=1, keepdims=True)
        return self.scale * np.einsum("rnp,rn->rp", g, dW)

    def loss(self, x: np.ndarray) -> np.ndarray:
        return self.problem.loss(x)


# --------------------------------------------------------------------------- least squares
class LeastSquares(Problem):
    """Linear regression, ``L(theta) = 1/(2n) ||X theta - y||^2``."""

    def __init__(self, X: object, y: object) -> None:
        self._data(X, y)
        self.n_params = self.n_features

    def residual(self, theta: np.ndarray) -> np.ndarray:
        return theta @ self.X.T - self.y  # (R, n)

    def loss(self, theta: np.ndarray) -> np.ndarray:
        r = self.residual(theta)
        return 0.5 * np.mean(r * r, axis=1)

    def grad(self, theta: np.ndarray) -> np.ndarray:
        return self.residual(theta) @ self.X / self.n_samples

    def per_sample_grads(self, theta: np.ndarray) -> np.ndarray:
        return self.residual(theta)[:, :, None] * self.X[None, :, :]

    def minibatch_grad(self, theta: np.ndarray, idx: np.ndarray) -> np.ndarray:
        Xb = self.X[idx]  # (R, b, d)
        r = np.einsum("rbd,rd->rb", Xb, theta) - self.y[idx]
        return np.einsum("rbd,rb->rd", Xb, r) / idx.shape[1]

    def min_norm_solution(self) -> np.ndarray:
        """The minimum-norm least-squares solution ``X^+ y`` (the interpolant when n < d)."""
        return np.linalg.pinv(self.X) @ self.y

    def flow_exact(self, theta0: np.ndarray, t: float) -> np.ndarray:
        """Exact gradient flow: ``theta(t) = theta0 - phi(H, t) (H theta0 - b)``,
        ``H = X^T X / n``, ``b = X^T y / n``, ``phi(l, t) = (1 - e^{-l t}) / l`` (``= t`` at l = 0)."""
        theta0 = self.check_theta(theta0)
        H = self.X.T @ self.X / self.n_samples
        b = self.X.T @ self.y / self.n_samples
        lam, U = np.linalg.eigh(H)
        lam = np.clip(lam, 0.0, None)
        with np.errstate(divide="ignore", invalid="ignore"):
            phi = np.where(lam > 1e-14 * max(lam.max(), 1.0), -np.expm1(-lam * t) / lam, t)
        g = theta0 @ H - b  # (R, d)
        return theta0 - ((g @ U) * phi) @ U.T


# --------------------------------------------------------------------------- diagonal network
class DiagonalNetwork(Problem):
    """Two-layer diagonal linear network in the ``w+/w-`` parametrisation (P-convention).

    ``beta = w+^2 - w-^2``, ``L = 1/(4n) ||X beta - y||^2``, ``theta = [w+, w-]`` of length ``2d``.
    Gradients: ``grad_{w+-} L = +-(1/n) (X^T r) * w+-`` with ``r = X beta - y``.
    Reference: Pesme, Pillaud-Vivien, Flammarion (NeurIPS 2021), reconstructed conventions.
    """

    def __init__(self, X: object, y: object) -> None:
        self._data(X, y)
        self.d = self.n_features
        self.n_params = 2 * self.d
        self.col_sq = np.einsum("nd,nd->d", self.X, self.X)  # diag(X^T X)

    def init(self, alpha: object, n_replicas: int = 1) -> np.ndarray:
        """The initialisation ``w+ = w- = alpha`` (scalar or vector alpha > 0), shape (R, 2d)."""
        a = np.broadcast_to(np.asarray(alpha, dtype=float), (self.d,))
        if not np.all(np.isfinite(a)) or np.any(a <= 0):
            raise ValueError("alpha must be finite and > 0 (scalar or length-d vector)")
        return np.tile(np.concatenate([a, a]), (positive_int(n_replicas, "n_replicas"), 1))

    def split(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return theta[:, : self.d], theta[:, self.d :]

    def beta(self, theta: np.ndarray) -> np.ndarray:
        wp, wm = self.split(theta)
        return wp * wp - wm * wm

    def residual(self, theta: np.ndarray) -> np.ndarray:
        return self.beta(theta) @ self.X.T - self.y

    def loss(self, theta: np.ndarray) -> np.ndarray:
        r = self.residual(theta)
        return 0.25 * np.mean(r * r, axis=1)

    def grad(self, theta: np.ndarray) -> np.ndarray:
        g = self.residual(theta) @ self.X / self.n_samples  # (R, d) = X^T r / n
        wp, wm = self.split(theta)
        return np.concatenate([g * wp, -g * wm], axis=1)

    def per_sample_grads(self, theta: np.ndarray) -> np.ndarray:
        r = self.residual(theta)  # (R, n)
        wp, wm = self.split(theta)
        rx = r[:, :, None] * self.X[None]  # (R, n, d)
        return np.concatenate([rx * wp[:, None, :], -rx * wm[:, None, :]], axis=2)

    def minibatch_grad(self, theta: np.ndarray, idx: np.ndarray) -> np.ndarray:
        Xb = self.X[idx]
        beta = self.beta(theta)
        r = np.einsum("rbd,rd->rb", Xb, beta) - self.y[idx]
        g = np.einsum("rbd,rb->rd", Xb, r) / idx.shape[1]
        wp, wm = self.split(theta)
        return np.concatenate([g * wp, -g * wm], axis=1)

    def sgf_term(self, gamma: float, batch_size: int = 1) -> DiagonalSGF:
        """The paper's SGF (Itô): ``dw+- = -+(1/n)(X^T r) w+- dt +- 2 sqrt(gamma L / (b n)) w+- (X^T dB)``.

        One n-dimensional Brownian motion ``B`` shared by ``w+`` and ``w-``; the noise lies in the span
        of the per-sample gradients and scales as ``sqrt(L)``.
        """
        return DiagonalSGF(self, positive(gamma, "gamma"), positive_int(batch_size, "batch_size"))


class DiagonalSGF(SDETerm):
    """The stochastic gradient flow of a :class:`DiagonalNetwork` (Pesme et al. 2021, reconstructed)."""

    def __init__(self, problem: DiagonalNetwork, gamma: float, batch_size: int = 1) -> None:
        self.problem = problem
        self.gamma = gamma
        self.batch_size = batch_size
        self.dim = problem.n_params
        self.noise_dim = problem.n_samples
        self._c = gamma / (batch_size * problem.n_samples)

    def _amp(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r = self.problem.residual(x)
        L = 0.25 * np.mean(r * r, axis=1)
        return 2.0 * np.sqrt(self._c * L)[:, None], r

    def drift(self, x: np.ndarray) -> np.ndarray:
        return -self.problem.grad(x)

    def diffusion(self, x: np.ndarray, dW: np.ndarray) -> np.ndarray:
        s, _ = self._amp(x)
        xdb = dW @ self.problem.X  # (R, d) = X^T dB
        wp, wm = self.problem.split(x)
        return np.concatenate([s * wp * xdb, -s * wm * xdb], axis=1)

    def diffusion_sq(self, x: np.ndarray) -> np.ndarray:
        # sum_j g_ij^2 = s^2 w_i^2 (X^T X)_ii
        s, _ = self._amp(x)
        return (s * s) * (x * x) * np.concatenate([self.problem.col_sq, self.problem.col_sq])

    def diffusion_jvp(self, x: np.ndarray, dW: np.ndarray, v: np.ndarray) -> np.ndarray:
        # G(x) dW = s(x) * S w * (X^T dB); derivative = s * S v * X^T dB + (Ds . v) S w X^T dB,
        # with s = 2 sqrt(c L), Ds . v = 2 c (grad L . v) / s.
        s, r = self._amp(x)
        xdb = dW @ self.problem.X
        gL = self.problem.grad(x)
        ds = 2 * self._c * np.sum(gL * v, axis=1, keepdims=True) / np.maximum(s, 1e-300)
        wp, wm = self.problem.split(x)
        vp, vm = self.problem.split(v)
        return np.concatenate([(s * vp + ds * wp) * xdb, -(s * vm + ds * wm) * xdb], axis=1)

    def ito_correction(self, x: np.ndarray) -> np.ndarray:
        # 1/2 sum_j Dg_j[g_j] with g_j = s S w X_j (S = +-1 on w+-, X_j = [X[j], X[j]]):
        # Dg_j[g_j] = s^2 w X_j^2 + (Ds . g_j) S w X_j, and Ds . g_j = 2 c (grad L * S * w) . X_j.
        s, r = self._amp(x)
        X = self.problem.X
        wp, wm = self.problem.split(x)
        gL = self.problem.grad(x)  # (R, 2d)
        sq = np.concatenate([self.problem.col_sq, self.problem.col_sq])
        sign = np.concatenate([np.ones(self.problem.d), -np.ones(self.problem.d)])
        w = x
        # linear part: sum_j S D_j S D_j w s^2 = s^2 diag(X^T X) w   (S^2 = I)
        lin = (s * s) * sq * w
        gw = gL * sign * w  # (R, 2d)
        proj = gw[:, : self.problem.d] @ X.T + gw[:, self.problem.d :] @ X.T  # (R, n)
        xp = proj @ X  # (R, d): sum_j proj_j X[j]
        nonlin = 2 * self._c * sign * w * np.concatenate([xp, xp], axis=1)
        del wp, wm, r
        return 0.5 * (lin + nonlin)

    def loss(self, x: np.ndarray) -> np.ndarray:
        return self.problem.loss(x)

    def euler_maruyama_step(
        self,
        x: np.ndarray,
        h: float,
        dW: np.ndarray,
        out: np.ndarray | None = None,
        work: dict | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """One fused Euler-Maruyama step; returns ``(x + drift(x) h + diffusion(x, dW), loss(x))``.

        The generic step ``x + f(x) h + G(x) dW`` written in factored form:
        ``w+- <- w+- (1 +- u)`` with ``u = X^T (s dB - (h / n) r)``, ``r = X beta - y`` and
        ``s = 2 sqrt(gamma L / (b n))``. The same step in exact arithmetic, with two matrix
        products instead of five and about a quarter of the elementwise passes over (R, 2d)
        arrays; the rounding differs from the generic step by a few ulps per step (relative
        ~1e-16), so paths agree to ~1e-14 relative over hundreds of steps. The returned loss is
        bit-for-bit :meth:`loss` at ``x``. ``out`` (R, 2d, C-contiguous, not overlapping ``x``)
        receives the new state; ``work`` is a dict of scratch buffers reused across calls
        (created on first use), which saves the page faults of fresh temporaries.
        :func:`sim.dynamics.sde_solve` uses this step for ``scheme="euler_maruyama"``.
        """
        prob = self.problem
        R, d = x.shape[0], prob.d
        if out is None:
            out = np.empty(x.shape)
        elif out.shape != x.shape or not out.flags.c_contiguous or np.may_share_memory(out, x):
            raise ValueError(f"out must be a C-contiguous array of shape {x.shape} that does not overlap x")
        if work is None:
            work = {}
        if work.get("shape") != (R, d):
            work.clear()
            work["shape"] = (R, d)
            work["beta"] = np.empty((R, d))
            work["u"] = np.empty((R, d))
        beta, u = work["beta"], work["u"]
        # residual and loss exactly as DiagonalNetwork.residual / loss (same bits); out serves
        # as scratch for the squares until the new state is written
        np.multiply(x, x, out=out)
        np.subtract(out[:, :d], out[:, d:], out=beta)
        r = beta @ prob.X.T
        r -= prob.y
        L = 0.25 * np.mean(r * r, axis=1)
        s = 2.0 * np.sqrt(self._c * L)
        # drift and diffusion share X^T: u = X^T (s dB - (h/n) r), one (R, n) x (n, d) product
        v = dW * s[:, None]
        v -= r * (h / prob.n_samples)
        np.matmul(v, prob.X, out=u)
        o3 = out.reshape(R, 2, d)  # a view: out is C-contiguous
        np.add(1.0, u, out=o3[:, 0])
        np.subtract(1.0, u, out=o3[:, 1])
        out *= x
        return out, L


# --------------------------------------------------------------------------- ReLU neuron
class ReLUNeuron(Problem):
    """A single ReLU neuron with square loss, ``L = 1/(2n) sum_i (relu(w . x_i) - y_i)^2``.

    Uses ``relu'(0) = 0``: a point with ``w . x_i = 0`` is inactive. The vector field is only
    piecewise smooth; :meth:`switching_functions` gives the pre-activations whose sign changes are
    the kinks (used by event detection in :func:`sim.dynamics.gradient_flow`).
    """

    def __init__(self, X: object, y: object) -> None:
        self._data(X, y)
        self.n_params = self.n_features

    def preactivations(self, theta: np.ndarray) -> np.ndarray:
        return theta @ self.X.T  # (R, n)

    def switching_functions(self, theta: np.ndarray) -> np.ndarray:
        return self.preactivations(theta)

    def loss(self, theta: np.ndarray) -> np.ndarray:
        z = self.preactivations(theta)
        r = np.maximum(z, 0.0) - self.y
        return 0.5 * np.mean(r * r, axis=1)

    def _active_residual(self, theta: np.ndarray) -> np.ndarray:
        z = self.preactivations(theta)
        return np.where(z > 0, z - self.y, 0.0)

    def grad(self, theta: np.ndarray) -> np.ndarray:
        return self._active_residual(theta) @ self.X / self.n_samples

    def per_sample_grads(self, theta: np.ndarray) -> np.ndarray:
        return self._active_residual(theta)[:, :, None] * self.X[None]

    def minibatch_grad(self, theta: np.ndarray, idx: np.ndarray) -> np.ndarray:
        Xb = self.X[idx]
        z = np.einsum("rbd,rd->rb", Xb, theta)
        r = np.where(z > 0, z - self.y[idx], 0.0)
        return np.einsum("rbd,rb->rd", Xb, r) / idx.shape[1]


# --------------------------------------------------------------------------- logistic regression
class LogisticRegression(Problem):
    """Linear classifier with logistic loss, ``L = (1/n) sum_i log(1 + exp(-y_i x_i . theta))``.

    Labels must be in {-1, +1}. Evaluated stably with ``logaddexp`` and ``expit``.
    """

    def __init__(self, X: object, y: object) -> None:
        self._data(X, y)
        if not np.all(np.isin(self.y, (-1.0, 1.0))):
            raise ValueError("y must contain only the labels -1 and +1 for LogisticRegression")
        self.n_params = self.n_features

    def margins(self, theta: np.ndarray) -> np.ndarray:
        return (theta @ self.X.T) * self.y  # (R, n)

    def loss(self, theta: np.ndarray) -> np.ndarray:
        return np.mean(np.logaddexp(0.0, -self.margins(theta)), axis=1)

    def _coef(self, theta: np.ndarray) -> np.ndarray:
        from scipy.special import expit

        return -expit(-self.margins(theta)) * self.y  # d l_i / d (x_i . theta)

    def grad(self, theta: np.ndarray) -> np.ndarray:
        return self._coef(theta) @ self.X / self.n_samples

    def per_sample_grads(self, theta: np.ndarray) -> np.ndarray:
        return self._coef(theta)[:, :, None] * self.X[None]

    def minibatch_grad(self, theta: np.ndarray, idx: np.ndarray) -> np.ndarray:
        from scipy.special import expit

        Xb = self.X[idx]
        yb = self.y[idx]
        m = np.einsum("rbd,rd->rb", Xb, theta) * yb
        return np.einsum("rbd,rb->rd", Xb, -expit(-m) * yb) / idx.shape[1]
