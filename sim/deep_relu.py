r"""A deep fully connected ReLU network with a fixed output layer (Zou, Cao, Zhou, Gu 2018/2020).

Model (the setting of *Stochastic Gradient Descent Optimizes Over-parameterized Deep ReLU Networks*,
arXiv:1811.08888, as reconstructed in ``shared/claims/related_claims.md`` section 6):

.. math::

    f(x) = v^\top\sigma(W_L^\top\sigma(\cdots\sigma(W_1^\top x))),\qquad
    W_1\in\mathbb R^{d\times m},\ W_l\in\mathbb R^{m\times m}\ (l \ge 2),

with ``sigma`` the ReLU (``sigma'(0) = 0``), no biases, and the output weights ``v`` **fixed** (not
trained): the first ``m/2`` entries are +1, the last ``m/2`` are -1. Initialisation (He / NTK style):
every entry of every ``W_l`` is i.i.d. ``N(0, 2/m)``, so that ``||sigma(W_l^T h)||`` stays of the
order of ``||h||`` layer after layer and ``f(x) = O(1)`` at initialisation.

Loss: mean logistic loss ``L = (1/n) sum_i log(1 + exp(-y_i f(x_i)))``, labels in {-1, +1}.

Parameters are flat with a leading replica axis, ``theta`` of shape (R, p), ``p = d m + (L - 1) m^2``,
laid out as ``[vec(W_1), vec(W_2), ..., vec(W_L)]`` (row-major). The class is a
:class:`sim.problems.Problem`, so :func:`sim.dynamics.gd` and :func:`sim.dynamics.sgd` train it.
Gradients are computed by back-propagation (checked against finite differences in
``tests/test_sim_deep_relu.py``). In this parametrisation the step size must scale like ``1/m``:
a fixed step diverges at large width.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from sim._validate import as_matrix, as_vector, positive, positive_int, seed_like
from sim.noise import replica_generators
from sim.problems import Problem


class DeepReLUNetwork(Problem):
    """Deep ReLU network ``f(x) = v^T relu(W_L^T ... relu(W_1^T x))`` with ``v`` fixed; logistic loss.

    Parameters
    ----------
    X: inputs, shape (n, d), finite.
    y: labels in {-1, +1}, shape (n,).
    width: hidden width ``m`` (even, so that ``v`` is half +1, half -1).
    depth: number of trained hidden layers ``L >= 1``.
    """

    def __init__(self, X: object, y: object, width: int, depth: int) -> None:
        self._data(X, y)
        if not np.all(np.isin(self.y, (-1.0, 1.0))):
            raise ValueError("y must contain only the labels -1 and +1 for DeepReLUNetwork")
        self.width = positive_int(width, "width", minimum=2)
        if self.width % 2:
            raise ValueError(f"width must be even (v is half +1, half -1), got {self.width}")
        self.depth = positive_int(depth, "depth")
        m, d = self.width, self.n_features
        self.v = np.concatenate([np.ones(m // 2), -np.ones(m // 2)])
        self.shapes = [(d, m)] + [(m, m)] * (self.depth - 1)
        sizes = [a * b for a, b in self.shapes]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        self.n_params = int(self.offsets[-1])

    # ------------------------------------------------------------------ parameters
    def init(self, seed: int | np.random.SeedSequence, n_replicas: int = 1) -> np.ndarray:
        """He/NTK initialisation: every weight i.i.d. ``N(0, 2/m)``; shape (R, p).

        Replica ``r`` draws from its own stream (:func:`sim.noise.replica_generators`), so the first
        replicas of a larger run are the same networks.
        """
        seed = seed_like(seed)
        R = positive_int(n_replicas, "n_replicas")
        sd = np.sqrt(2.0 / self.width)
        out = np.empty((R, self.n_params))
        for r, g in enumerate(replica_generators(seed, R)):
            g.standard_normal(out=out[r])
        out *= sd
        return out

    def layers(self, theta: np.ndarray) -> list[np.ndarray]:
        """Views of the weight matrices: ``[W_1 (R, d, m), W_2 (R, m, m), ...]``."""
        theta = np.asarray(theta)
        R = theta.shape[0]
        return [
            theta[:, self.offsets[i] : self.offsets[i + 1]].reshape(R, *s) for i, s in enumerate(self.shapes)
        ]

    def relative_movement(self, theta: np.ndarray, theta0: np.ndarray) -> np.ndarray:
        """``max_l ||W_l - W_l^0||_F / ||W_l^0||_F`` per replica, shape (R,)."""
        theta = self.check_theta(theta)
        theta0 = self.check_theta(theta0)
        if theta0.shape != theta.shape:
            raise ValueError(f"theta0 must have shape {theta.shape}, got {theta0.shape}")
        out = np.zeros(theta.shape[0])
        for W, W0 in zip(self.layers(theta), self.layers(theta0), strict=True):
            num = np.sqrt(np.sum((W - W0) ** 2, axis=(1, 2)))
            den = np.sqrt(np.sum(W0**2, axis=(1, 2)))
            out = np.maximum(out, num / den)
        return out

    # ------------------------------------------------------------------ forward / backward
    def _forward(self, theta: np.ndarray, X: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        """Pre-activations ``z_l`` (R, n, m) of every layer and the outputs (R, n)."""
        Ws = self.layers(theta)
        zs = []
        h: np.ndarray = X  # (n, d) shared, or (R, b, d)
        for W in Ws:
            z = h @ W  # (R, n, m)
            zs.append(z)
            h = np.maximum(z, 0.0)
        return zs, h @ self.v

    def outputs(self, theta: np.ndarray) -> np.ndarray:
        """Network outputs ``f(x_i)`` for every replica, shape (R, n)."""
        theta = self.check_theta(theta)
        return self._forward(theta, self.X)[1]

    def margins(self, theta: np.ndarray) -> np.ndarray:
        """``y_i f(x_i)``, shape (R, n)."""
        return self.outputs(theta) * self.y

    def accuracy(self, theta: np.ndarray) -> np.ndarray:
        """Fraction of training points with ``y_i f(x_i) > 0``, shape (R,)."""
        return np.mean(self.margins(theta) > 0, axis=1)

    def loss(self, theta: np.ndarray) -> np.ndarray:
        f = self._forward(theta, self.X)[1]
        return np.mean(np.logaddexp(0.0, -f * self.y), axis=1)

    def _backward(
        self, theta: np.ndarray, X: np.ndarray, coef: np.ndarray
    ) -> tuple[list[np.ndarray], np.ndarray]:
        """Gradient of ``sum_i coef_i f(x_i)`` w.r.t. every ``W_l`` (shared or per-replica ``X``)."""
        Ws = self.layers(theta)
        zs, _ = self._forward(theta, X)
        delta = (coef[:, :, None] * self.v) * (zs[-1] > 0)  # d/dz_L, (R, n, m)
        grads: list[np.ndarray] = [None] * self.depth  # type: ignore[list-item]
        for li in range(self.depth - 1, -1, -1):
            if li > 0:
                h_prev = np.maximum(zs[li - 1], 0.0)
                grads[li] = np.swapaxes(h_prev, 1, 2) @ delta  # (R, m, m)
                delta = (delta @ np.swapaxes(Ws[li], 1, 2)) * (zs[li - 1] > 0)
            else:
                Xt = X.T if X.ndim == 2 else np.swapaxes(X, 1, 2)
                grads[0] = Xt @ delta  # (R, d, m)
        R = theta.shape[0]
        return grads, np.concatenate([g.reshape(R, -1) for g in grads], axis=1)

    def grad(self, theta: np.ndarray) -> np.ndarray:
        _, f = self._forward(theta, self.X)
        coef = -self.y * expit(-self.y * f) / self.n_samples  # dL/df_i
        return self._backward(theta, self.X, coef)[1]

    def minibatch_grad(self, theta: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Mean gradient over the minibatch ``idx`` of shape (R, b) (one batch per replica)."""
        idx = np.asarray(idx)
        if idx.ndim != 2 or idx.shape[0] != theta.shape[0]:
            raise ValueError(f"idx must have shape (R={theta.shape[0]}, b), got {idx.shape}")
        Xb, yb = self.X[idx], self.y[idx]  # (R, b, d), (R, b)
        _, f = self._forward(theta, Xb)
        coef = -yb * expit(-yb * f) / idx.shape[1]
        return self._backward(theta, Xb, coef)[1]

    def per_sample_grads(self, theta: np.ndarray) -> np.ndarray:
        """Gradients of every per-sample loss, shape (R, n, p) (memory R n p: small nets only)."""
        theta = self.check_theta(theta)
        R, n = theta.shape[0], self.n_samples
        out = np.empty((R, n, self.n_params))
        for i in range(n):
            out[:, i] = self.minibatch_grad(theta, np.full((R, 1), i))
        return out


def sphere_data_with_bias(
    n: int, d: int, mu: float, seed: int | np.random.SeedSequence
) -> tuple[np.ndarray, np.ndarray]:
    """Inputs ``x = [sqrt(1 - mu^2) u / ||u||, mu]`` (unit norm, last coordinate a bias ``mu``) with
    ``u ~ N(0, I_{d-1})``, and i.i.d. uniform labels in {-1, +1}; shapes (n, d) and (n,).

    Distinct points with opposite labels are a.s. at positive distance (the separation ``phi > 0`` of
    Zou et al.).
    """
    n = positive_int(n, "n")
    d = positive_int(d, "d", minimum=2)
    mu = positive(mu, "mu")
    if mu >= 1:
        raise ValueError(f"mu must be in (0, 1), got {mu}")
    g = np.random.default_rng(seed_like(seed))
    u = g.standard_normal((n, d - 1))
    X = np.empty((n, d))
    X[:, :-1] = np.sqrt(1 - mu * mu) * u / np.linalg.norm(u, axis=1, keepdims=True)
    X[:, -1] = mu
    y = g.choice(np.array([-1.0, 1.0]), size=n)
    return X, y


def min_opposite_label_distance(X: object, y: object) -> float:
    """``phi = min ||x_i - x_j||`` over pairs with ``y_i != y_j`` (``inf`` if one class only)."""
    X = as_matrix(X, "X")
    y = as_vector(y, "y", length=X.shape[0])
    pos, neg = X[y > 0], X[y <= 0]
    if not len(pos) or not len(neg):
        return float("inf")
    diff = pos[:, None, :] - neg[None, :, :]
    return float(np.sqrt(np.min(np.sum(diff * diff, axis=2))))
