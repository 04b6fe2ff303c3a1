r"""Binary classification on separable data: linear models and a homogeneous two-layer network.

Labels $y_i \in \{-1, +1\}$ are absorbed into the data, $z_i = y_i x_i$, and everything is a function of
the margins $q_i = y_i f(\theta; x_i)$ (for a linear model $q_i = z_i^\top\theta$). Losses:

* ``"logistic"``: $\ell(q) = \log(1 + e^{-q})$, computed as ``logaddexp(0, -q)``,
  $-\ell'(q) = e^{-\mathrm{logaddexp}(0, q)}$;
* ``"exponential"``: $\ell(q) = e^{-q}$;

with ``reduction="sum"`` ($L = \sum_i\ell(q_i)$, the convention of Soudry et al. 2018) or ``"mean"``
($L = \frac1n\sum_i\ell(q_i)$). Unlike :class:`sim.problems.Problem`'s default, the sum reduction is not an
average: the minibatch gradient is then $n$ times the batch average (an unbiased estimate of $\nabla L$).

**Large margins.** $L$ and $\nabla L$ underflow once $\min_i q_i \gtrsim 745$, long before the direction
has converged. :meth:`scaled_loss_grad` returns them multiplied by $e^{s}$, $s = \max(0, \min_i q_i)$
(the factor $e^{-\min q}$ factored out), and :meth:`log_loss` returns $\log L$ without underflow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim._validate import as_matrix, positive_int
from sim.problems import Problem

_LOSSES = ("logistic", "exponential")
_REDUCTIONS = ("sum", "mean")


def _log_ell(q: np.ndarray, loss: str) -> np.ndarray:
    """log l(q) without underflow (logistic: log log1p(e^{-q}), equal to -q + log1p(-e^{-q}/2 + ...)
    for large q)."""
    if loss == "exponential":
        return -q
    big = q > 30.0
    out = np.empty_like(q)
    qb = q[big]
    e = np.exp(-qb)
    out[big] = -qb + np.log1p(-0.5 * e + e * e / 3.0)  # log(log1p(e)/e), series to O(e^3)
    qs = q[~big]
    out[~big] = np.log(np.logaddexp(0.0, -qs))
    return out


def _neg_dell(q: np.ndarray, loss: str, shift: np.ndarray) -> np.ndarray:
    """-l'(q) * e^{shift} (shift broadcast per replica)."""
    if loss == "exponential":
        return np.exp(shift - q)
    return np.exp(shift - np.logaddexp(0.0, q))


def _ell_scaled(q: np.ndarray, loss: str, shift: np.ndarray) -> np.ndarray:
    if loss == "exponential":
        return np.exp(shift - q)
    return np.exp(shift + _log_ell(q, loss))


class _MarginLoss(Problem):
    """Shared loss machinery: subclasses define ``margins`` and ``margin_jacobian_t`` (the map from
    per-sample weights (R, n) to a gradient (R, p))."""

    loss_name: str
    reduction: str

    def _setup(self, X: object, y: object, loss: str, reduction: str) -> None:
        self._data(X, y)
        if not np.all(np.isin(self.y, (-1.0, 1.0))):
            raise ValueError("labels y must be -1 or +1")
        if loss not in _LOSSES:
            raise ValueError(f"loss must be one of {_LOSSES}, got {loss!r}")
        if reduction not in _REDUCTIONS:
            raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
        self.loss_name, self.reduction = loss, reduction
        self.Z = self.y[:, None] * self.X
        self._red = 1.0 if reduction == "sum" else 1.0 / self.n_samples

    def margins(self, theta: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _pull(self, theta: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """sum_i weights_i * d q_i / d theta, shape (R, p)."""
        raise NotImplementedError

    def loss(self, theta: np.ndarray) -> np.ndarray:
        q = self.margins(theta)
        ell = np.exp(-q) if self.loss_name == "exponential" else np.logaddexp(0.0, -q)
        return self._red * ell.sum(axis=1)

    def log_loss(self, theta: np.ndarray) -> np.ndarray:
        """log L(theta), finite at any margin (logsumexp of log l(q_i))."""
        from scipy.special import logsumexp

        return logsumexp(_log_ell(self.margins(theta), self.loss_name), axis=1) + np.log(self._red)

    def grad(self, theta: np.ndarray) -> np.ndarray:
        q = self.margins(theta)
        return -self._red * self._pull(theta, _neg_dell(q, self.loss_name, 0.0))

    def scaled_loss_grad(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(s, L e^{s}, grad L e^{s})`` with ``s = max(0, min_i q_i)`` per replica: no underflow."""
        q = self.margins(theta)
        s = np.maximum(0.0, q.min(axis=1))
        sc = s[:, None]
        L = self._red * _ell_scaled(q, self.loss_name, sc).sum(axis=1)
        g = -self._red * self._pull(theta, _neg_dell(q, self.loss_name, sc))
        return s, L, g

    def per_sample_grads(self, theta: np.ndarray) -> np.ndarray:
        q = self.margins(theta)
        w = _neg_dell(q, self.loss_name, 0.0)
        R, n = q.shape
        out = np.empty((R, n, self.n_params))
        for i in range(n):
            e = np.zeros_like(w)
            e[:, i] = w[:, i]
            out[:, i] = -self._pull(theta, e)
        return out

    def minibatch_grad(self, theta: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Average of the per-sample gradients over the batch, times n for the sum reduction."""
        q = self.margins(theta)
        w = _neg_dell(q, self.loss_name, 0.0)
        counts = np.zeros_like(w)
        rows = np.repeat(np.arange(idx.shape[0]), idx.shape[1])
        np.add.at(counts, (rows, idx.ravel()), 1.0)
        scale = (self.n_samples if self.reduction == "sum" else 1.0) / idx.shape[1]
        return -scale * self._pull(theta, w * counts)

    def normalized_margin(self, theta: np.ndarray, norm: float = 2) -> np.ndarray:
        """``min_i q_i / ||theta||^H`` with H the homogeneity degree (1 linear, 2 two-layer)."""
        nrm = np.linalg.norm(theta, ord=norm, axis=1)
        return self.margins(theta).min(axis=1) / nrm**self.homogeneity


class LinearClassifier(_MarginLoss):
    """Linear predictor $f(w; x) = w^\\top x$ (homogeneous of degree 1), margins $q = Zw$."""

    homogeneity = 1

    def __init__(self, X: object, y: object, loss: str = "logistic", reduction: str = "sum") -> None:
        self._setup(X, y, loss, reduction)
        self.n_params = self.n_features

    @classmethod
    def from_margins_data(cls, Z: object, loss: str = "logistic", reduction: str = "sum") -> LinearClassifier:
        """From label-absorbed data ``z_i = y_i x_i`` (all labels +1)."""
        Z = as_matrix(Z, "Z")
        return cls(Z, np.ones(Z.shape[0]), loss, reduction)

    def margins(self, theta: np.ndarray) -> np.ndarray:
        return theta @ self.Z.T

    def _pull(self, theta: np.ndarray, weights: np.ndarray) -> np.ndarray:
        return weights @ self.Z

    def is_separable(self) -> bool:
        """Linear separability by an LP feasibility problem (``Z w >= 1``)."""
        from scipy.optimize import linprog

        res = linprog(
            np.zeros(self.n_params),
            A_ub=-self.Z,
            b_ub=-np.ones(self.n_samples),
            bounds=[(None, None)] * self.n_params,
            method="highs",
        )
        return bool(res.status == 0)


class TwoLayerClassifier(_MarginLoss):
    r"""Two-layer network $f(\theta; x) = \sum_j a_j\,\sigma(w_j^\top x)$, $\sigma(u) = \max(u, \alpha u)$
    (ReLU at $\alpha = 0$, leaky for $0 < \alpha < 1$, with $\sigma'(0) = \alpha$), homogeneous of degree 2
    in $\theta = [W \text{ (width} \times d\text{, row-major)}, a]$."""

    homogeneity = 2

    def __init__(
        self,
        X: object,
        y: object,
        width: int,
        loss: str = "logistic",
        reduction: str = "sum",
        leak: float = 0.0,
    ) -> None:
        self._setup(X, y, loss, reduction)
        self.width = positive_int(width, "width")
        if not 0.0 <= leak < 1.0:
            raise ValueError(f"leak must be in [0, 1), got {leak}")
        self.leak = float(leak)
        self.d = self.n_features
        self.n_params = self.width * (self.d + 1)

    def split(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        R = theta.shape[0]
        return theta[:, : self.width * self.d].reshape(R, self.width, self.d), theta[:, -self.width :]

    def outputs(self, theta: np.ndarray, X: np.ndarray | None = None) -> np.ndarray:
        W, a = self.split(theta)
        pre = np.einsum("rjd,nd->rnj", W, self.X if X is None else as_matrix(X, "X"))
        act = np.where(pre > 0, pre, self.leak * pre)
        return np.einsum("rnj,rj->rn", act, a)

    def margins(self, theta: np.ndarray) -> np.ndarray:
        return self.outputs(theta) * self.y

    def _pull(self, theta: np.ndarray, weights: np.ndarray) -> np.ndarray:
        W, a = self.split(theta)
        pre = np.einsum("rjd,nd->rnj", W, self.X)
        act = np.where(pre > 0, pre, self.leak * pre)
        dact = np.where(pre > 0, 1.0, self.leak)
        wy = weights * self.y  # dq_i/df_i = y_i
        ga = np.einsum("rn,rnj->rj", wy, act)
        gW = np.einsum("rn,rnj,rj,nd->rjd", wy, dact, a, self.X)
        return np.concatenate([gW.reshape(theta.shape[0], -1), ga], axis=1)


@dataclass
class LinearPath:
    r"""Output of :func:`linear_adaptive_path`: ``times`` (n_cp,), ``w`` (n_cp, R, d), ``log_loss``
    (n_cp, R), ``max_sqrt_v`` (n_cp, R) (the largest $\sqrt{v}$ coordinate, 0 for GD), ``v`` the final
    accumulator (R, d) and ``finite`` (R,) (False if a replica overflowed; its rows are NaN after that)."""

    times: np.ndarray
    w: np.ndarray
    log_loss: np.ndarray
    max_sqrt_v: np.ndarray
    v: np.ndarray
    finite: np.ndarray


def linear_adaptive_path(
    problem: LinearClassifier,
    w0: object,
    checkpoints: object,
    lr: object,
    *,
    beta1: object = 0.0,
    beta2: object = 0.0,
    eps: object = 1.0,
    kind: object = "gd",
    bias_correction: object = False,
) -> LinearPath:
    r"""A fused loop for long runs on a linear classifier: GD, RMSProp, Adam or AdaGrad, one per replica.

    The same update rules as :mod:`sim.optimizers` (torch convention, $\epsilon$ outside the root),
    with per-replica hyperparameters (arrays of length R or scalars), ``kind`` in {"gd", "rmsprop",
    "adam", "adagrad"} (RMSProp is Adam with ``beta1=0``). About 3x faster than :func:`sim.train`
    (one fused step, no per-step recording or divergence bookkeeping); tests check it against ``train``
    step for step. Records at ``checkpoints`` (increasing step numbers >= 1) only. ``w0`` of shape
    (d,) is repeated over the replicas that the hyperparameter arrays define.
    """
    w = problem.check_theta(w0)
    sizes = {np.size(x) for x in (lr, beta1, beta2, eps, kind, bias_correction)} - {1}
    if len(sizes) > 1 or (sizes and w.shape[0] not in (1, *sizes)):
        raise ValueError(f"per-replica hyperparameters and w0 disagree on R: {sorted(sizes)}")
    if sizes and w.shape[0] == 1:
        w = np.repeat(w, sizes.pop(), axis=0)
    R, d = w.shape
    cps = np.asarray(checkpoints)
    if cps.ndim != 1 or cps.size == 0 or cps.min() < 1 or np.any(np.diff(cps) <= 0):
        raise ValueError("checkpoints must be strictly increasing integers >= 1")
    kinds = np.broadcast_to(np.asarray(kind), (R,))
    if not np.all(np.isin(kinds, ("gd", "rmsprop", "adam", "adagrad"))):
        raise ValueError("kind must be 'gd', 'rmsprop', 'adam' or 'adagrad' (per replica)")

    def per(x: object, name: str) -> np.ndarray:
        a = np.broadcast_to(np.asarray(x, dtype=float), (R,)).copy()
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} must be finite")
        return a

    eta = per(lr, "lr")
    if np.any(eta <= 0):
        raise ValueError("lr must be > 0")
    b1 = np.where(kinds == "adam", per(beta1, "beta1"), 0.0)
    b2 = per(beta2, "beta2")
    ep = per(eps, "eps")
    bc = np.broadcast_to(np.asarray(bias_correction, dtype=bool), (R,))
    ada = kinds == "adagrad"
    pre = kinds != "gd"
    if np.any(pre & ((ep < 0) | (~ada & ((b2 < 0) | (b2 >= 1))))) or np.any((b1 < 0) | (b1 >= 1)):
        raise ValueError("need 0 <= beta1, beta2 < 1 and eps >= 0")
    # v <- a v + c g^2 (AdaGrad: a = c = 1; EMA: a = beta2, c = 1 - beta2; GD: unused)
    a_v = np.where(ada, 1.0, np.where(pre, b2, 0.0))[:, None]
    c_v = np.where(ada, 1.0, np.where(pre, 1.0 - b2, 0.0))[:, None]
    c_m = (1.0 - b1)[:, None]
    b1c = b1[:, None]
    use_bc = (bc & pre & ~ada)[:, None]
    epc = np.where(pre, ep, 1.0)[:, None]
    etac = eta[:, None]
    Z, ZT, red = problem.Z, problem.Z.T.copy(), problem._red
    expo = problem.loss_name == "exponential"
    m = np.zeros((R, d))
    v = np.zeros((R, d))
    all_gd = not pre.any()
    out_w, out_l, out_v, times = [], [], [], []
    k = 0
    with np.errstate(over="ignore", invalid="ignore", under="ignore", divide="ignore"):
        for c in cps:
            for _ in range(int(c) - k):
                k += 1
                q = w @ ZT
                s = np.exp(-q) if expo else np.exp(-np.logaddexp(0.0, q))
                g = (-red) * (s @ Z)
                if all_gd:
                    w = w - etac * g
                    continue
                m = b1c * m + c_m * g
                v = a_v * v + c_v * (g * g)
                if use_bc.any():
                    mh = np.where(use_bc, m / (1.0 - b1c**k), m)
                    vh = np.where(use_bc, v / (1.0 - a_v**k), v)
                    den = np.where(pre[:, None], np.sqrt(vh) + epc, 1.0)
                    w = w - etac * mh / den
                else:
                    den = np.where(pre[:, None], np.sqrt(v) + epc, 1.0)
                    w = w - etac * m / den
            times.append(k)
            out_w.append(w.copy())
            out_l.append(problem.log_loss(w))
            out_v.append(np.sqrt(v).max(axis=1))
    W = np.asarray(out_w)
    finite = np.all(np.isfinite(W), axis=(0, 2))
    return LinearPath(np.asarray(times), W, np.asarray(out_l), np.asarray(out_v), v, finite)
