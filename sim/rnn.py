"""A linear recurrent network with scalar input and output, as a training problem.

Model (hidden size ``d``, sequence length ``k``, ``h_0 = 0``)::

    h_t = A h_{t-1} + B x_t,     y_hat = C h_k,      A in R^{d x d}, B in R^{d x 1}, C in R^{1 x d}

so ``y_hat = sum_{j=0}^{k-1} (C A^j B) x_{k-j}``: the prediction is the input filtered by the *impulse
response* ``h_j = C A^j B`` (lag ``j``). A teacher with impulse response ``g`` (``g = e_0``, i.e.
``y = x_k``, is the memoryless teacher of Cohen-Karlik et al., AISTATS 2022) is fitted either

* on the **population** (default): i.i.d. N(0, 1) inputs give ``L = sum_{j<k} (h_j - g_j)^2``
  (no 1/2: the expected squared error), or
* on **data**: sequences ``X`` of shape (n, k) (column ``t-1`` holds ``x_t``) and targets ``y`` of
  shape (n,), ``L = (1/n) sum_i (y_hat_i - y_i)^2``; its expectation over N(0, 1) inputs is the
  population loss. Only this mode has per-sample and minibatch gradients (for SGD).

Parameters are flat with a leading replica axis, ``theta = [vec(A) (row-major), B, C]`` of shape
(R, d^2 + 2d), as every :class:`sim.problems.Problem`, so :func:`sim.dynamics.gd` drives it.

Gradients, with ``q_j = dL/dh_j``, ``u_m = A^m B`` and ``v_l = (C A^l)^T``::

    dL/dB = sum_j q_j v_j,   dL/dC = sum_j q_j u_j,   dL/dA = sum_{l,m} q_{l+m+1} v_l u_m^T

(the last is ``sum_j q_j sum_{l<j} (A^l)^T C^T B^T (A^{j-1-l})^T``, a Hankel contraction).
"""

from __future__ import annotations

import numpy as np

from sim._validate import as_matrix, as_replicas, as_vector, positive, positive_int, seed_like
from sim.problems import Problem


def impulse_response(A: object, B: object, C: object, K: int) -> np.ndarray:
    """``[C A^j B for j in range(K)]`` for one RNN (A (d, d), B (d,), C (d,)) or a batch with a
    leading replica axis (A (R, d, d), B (R, d), C (R, d)); shape (K,) or (R, K).

    Computed by repeated matrix-vector products (no matrix powers). Entries that overflow are inf.
    """
    A_, B_, C_, single = _abc(A, B, C)
    K = positive_int(K, "K")
    with np.errstate(over="ignore", invalid="ignore"):
        U = _forward(A_, B_, K)
        h = np.einsum("rd,rjd->rj", C_, U)
    return h[0] if single else h


def _abc(A: object, B: object, C: object) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    A_ = np.asarray(A, dtype=np.float64)
    B_ = np.asarray(B, dtype=np.float64)
    C_ = np.asarray(C, dtype=np.float64)
    single = A_.ndim == 2
    if single:
        A_, B_, C_ = A_[None], B_.reshape(1, -1), C_.reshape(1, -1)
    if A_.ndim != 3 or A_.shape[1] != A_.shape[2]:
        raise ValueError(f"A must be square, shape (d, d) or (R, d, d); got {np.shape(A)}")
    R, d = A_.shape[0], A_.shape[1]
    if B_.shape != (R, d) or C_.shape != (R, d):
        raise ValueError(
            f"B and C must hold d = {d} entries per replica (shape ({d},) or ({R}, {d})); "
            f"got B {np.shape(B)}, C {np.shape(C)}"
        )
    for name, arr in (("A", A_), ("B", B_), ("C", C_)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains non-finite values (NaN or inf)")
    return A_, B_, C_, single


def _forward(A: np.ndarray, B: np.ndarray, K: int) -> np.ndarray:
    """``U[:, j] = A^j B``, shape (R, K, d)."""
    R, d = B.shape
    U = np.empty((R, K, d))
    u = B
    for j in range(K):
        U[:, j] = u
        if j + 1 < K:
            u = np.matmul(A, u[:, :, None])[:, :, 0]
    return U


def _backward(A: np.ndarray, C: np.ndarray, K: int) -> np.ndarray:
    """``V[:, j] = (C A^j)^T``, shape (R, K, d)."""
    R, d = C.shape
    V = np.empty((R, K, d))
    v = C
    for j in range(K):
        V[:, j] = v
        if j + 1 < K:
            v = np.matmul(v[:, None, :], A)[:, 0, :]
    return V


class LinearRNN(Problem):
    """Linear RNN ``h_t = A h_{t-1} + B x_t``, ``y_hat = C h_k`` fitted at training length ``k``.

    Parameters
    ----------
    d: hidden size.
    k: training sequence length (number of fitted lags, ``k >= 1``).
    teacher: the teacher's impulse response ``g`` (any length; zero-padded). Default ``[1]``: the
        memoryless teacher ``y = x_k``. Population mode only.
    X, y: optional data, sequences of shape (n, k) and targets (n,) (data mode; see the module
        docstring). Without them the loss is the population loss.
    """

    def __init__(
        self,
        d: int,
        k: int,
        *,
        teacher: object = None,
        X: object = None,
        y: object = None,
    ) -> None:
        self.d = positive_int(d, "d")
        self.k = positive_int(k, "k")
        self.n_params = self.d * self.d + 2 * self.d
        if (X is None) != (y is None):
            raise ValueError("pass both X (sequences, shape (n, k)) and y (targets, shape (n,)), or neither")
        if X is not None:
            if teacher is not None:
                raise ValueError("teacher is for the population loss; with data, y is the target")
            self.X = as_matrix(X, "X")
            if self.X.shape[1] != self.k:
                raise ValueError(f"X must have k = {self.k} columns (x_1..x_k), got shape {self.X.shape}")
            self.y = as_vector(y, "y", length=self.X.shape[0])
            self.n_samples = self.X.shape[0]
            self._Xrev = self.X[:, ::-1].copy()  # column j holds x_{k-j}, the input at lag j
            self.teacher = None
        else:
            g = as_vector([1.0] if teacher is None else teacher, "teacher")
            if g.size == 0:
                raise ValueError("teacher must have at least one entry")
            self.teacher = g
            self.X = None  # type: ignore[assignment]
            self.y = None  # type: ignore[assignment]
            self.n_samples = 0

    # ------------------------------------------------------------------ parameters
    @property
    def population(self) -> bool:
        return self.teacher is not None

    def split(self, theta: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(A (R, d, d), B (R, d), C (R, d))`` (views of a validated copy)."""
        th = self.check_theta(theta)
        d = self.d
        return th[:, : d * d].reshape(-1, d, d), th[:, d * d : d * d + d], th[:, d * d + d :]

    def pack(self, A: object, B: object, C: object) -> np.ndarray:
        """Flat parameters (R, d^2 + 2d) from ``A``, ``B``, ``C`` (single or with a replica axis)."""
        A_, B_, C_, _ = _abc(A, B, C)
        if A_.shape[1] != self.d:
            raise ValueError(f"A must be {self.d} x {self.d}, got {A_.shape[1:]}")
        return np.concatenate([A_.reshape(A_.shape[0], -1), B_, C_], axis=1)

    def init(
        self,
        sigma: float,
        seed: int | np.random.SeedSequence,
        n_replicas: int = 1,
        *,
        symmetric: bool = False,
    ) -> np.ndarray:
        """Gaussian init ``A ~ N(0, sigma^2/d)``, ``B, C ~ N(0, sigma^2)`` entrywise, shape (R, p).

        ``symmetric=True`` then sets ``A <- (A + A^T)/2`` and ``C <- B`` (the manifold
        ``{A = A^T, C = B^T}``). Replica ``r`` draws from ``SeedSequence(seed, spawn_key=(r,))``.
        """
        sigma = positive(sigma, "sigma")
        R = positive_int(n_replicas, "n_replicas")
        seed = seed_like(seed)
        ent = seed.entropy if isinstance(seed, np.random.SeedSequence) else seed
        out = np.empty((R, self.n_params))
        d = self.d
        for r in range(R):
            rng = np.random.default_rng(np.random.SeedSequence(ent, spawn_key=(r,)))
            A = rng.normal(0.0, sigma / np.sqrt(d), (d, d))
            B = rng.normal(0.0, sigma, d)
            C = rng.normal(0.0, sigma, d)
            if symmetric:
                A, C = 0.5 * (A + A.T), B.copy()
            out[r] = np.concatenate([A.ravel(), B, C])
        return out

    # ------------------------------------------------------------------ the maths
    def impulse_response(self, theta: object, K: int | None = None) -> np.ndarray:
        """``h_j = C A^j B`` for ``j < K`` (default ``K = k``), shape (R, K)."""
        A, B, C = self.split(theta)
        K = self.k if K is None else positive_int(K, "K")
        with np.errstate(over="ignore", invalid="ignore"):
            return np.einsum("rd,rjd->rj", C, _forward(A, B, K))

    def target(self, K: int) -> np.ndarray:
        """The teacher's impulse response zero-padded or cut to length ``K`` (population mode)."""
        if self.teacher is None:
            raise ValueError("data mode has no teacher impulse response")
        g = np.zeros(K)
        m = min(K, self.teacher.size)
        g[:m] = self.teacher[:m]
        return g

    def _dloss_dh(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(L (R,), dL/dh (R, k))`` from the impulse response on the training lags."""
        if self.population:
            r = h - self.target(self.k)
            return np.sum(r * r, axis=1), 2.0 * r
        res = h @ self._Xrev.T - self.y  # (R, n)
        return np.mean(res * res, axis=1), (2.0 / self.n_samples) * res @ self._Xrev

    def loss(self, theta: object) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            return self._dloss_dh(self.impulse_response(theta))[0]

    def grad(self, theta: object) -> np.ndarray:
        A, B, C = self.split(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            U = _forward(A, B, self.k)
            h = np.einsum("rd,rjd->rj", C, U)
            return self._grad_from(A, C, U, self._dloss_dh(h)[1])

    def _grad_from(self, A: np.ndarray, C: np.ndarray, U: np.ndarray, q: np.ndarray) -> np.ndarray:
        k = self.k
        V = _backward(A, C, k)
        gB = np.einsum("rj,rjd->rd", q, V)
        gC = np.einsum("rj,rjd->rd", q, U)
        if k > 1:
            lm = np.add.outer(np.arange(k - 1), np.arange(k - 1)) + 1  # l + m + 1
            qp = np.concatenate([q, np.zeros((q.shape[0], k - 1))], axis=1)
            Hk = qp[:, lm]  # (R, k-1, k-1), zero where l + m + 1 >= k
            gA = np.matmul(np.matmul(V[:, : k - 1].transpose(0, 2, 1), Hk), U[:, : k - 1])
        else:
            gA = np.zeros_like(A)
        return np.concatenate([gA.reshape(A.shape[0], -1), gB, gC], axis=1)

    def per_sample_grads(self, theta: object) -> np.ndarray:
        """Gradients of ``l_i = (y_hat_i - y_i)^2``, shape (R, n, p) (data mode only)."""
        self._need_data("per_sample_grads")
        A, B, C = self.split(theta)
        U = _forward(A, B, self.k)
        h = np.einsum("rd,rjd->rj", C, U)
        res = h @ self._Xrev.T - self.y  # (R, n)
        out = np.empty((A.shape[0], self.n_samples, self.n_params))
        for i in range(self.n_samples):
            out[:, i] = self._grad_from(A, C, U, 2.0 * res[:, i : i + 1] * self._Xrev[i][None])
        return out

    def minibatch_grad(self, theta: object, idx: np.ndarray) -> np.ndarray:
        """Average gradient of ``l_i`` over the minibatch ``idx`` (R, b) (data mode only)."""
        self._need_data("minibatch_grad")
        A, B, C = self.split(theta)
        U = _forward(A, B, self.k)
        h = np.einsum("rd,rjd->rj", C, U)
        Xb = self._Xrev[idx]  # (R, b, k)
        res = np.einsum("rbk,rk->rb", Xb, h) - self.y[idx]
        q = (2.0 / idx.shape[1]) * np.einsum("rb,rbk->rk", res, Xb)
        return self._grad_from(A, C, U, q)

    def _need_data(self, what: str) -> None:
        if self.population:
            raise NotImplementedError(
                f"{what}: the population loss has no samples; build LinearRNN(d, k, X=..., y=...) for SGD"
            )

    # ------------------------------------------------------------------ diagnostics
    def extrapolation_error(self, theta: object, K: int) -> np.ndarray:
        """``E_K = sum_{j=k}^{K-1} (h_j - g_j)^2`` (population mode; ``g`` zero-padded), shape (R,).

        Perfect extrapolation is ``E_K = 0`` for every ``K``. Overflowing replicas give inf.
        """
        K = positive_int(K, "K")
        if K <= self.k:
            raise ValueError(f"K must exceed the training length k = {self.k}, got {K}")
        h = self.impulse_response(theta, K)
        with np.errstate(over="ignore", invalid="ignore"):
            r = h[:, self.k :] - self.target(K)[self.k :]
            e = np.sum(r * r, axis=1)
        return np.where(np.isnan(e), np.inf, e)

    def spectral_radius(self, theta: object) -> np.ndarray:
        """``max |eig(A)|`` per replica, shape (R,)."""
        A, _, _ = self.split(theta)
        return np.max(np.abs(np.linalg.eigvals(A)), axis=1)

    def asymmetry(self, theta: object) -> np.ndarray:
        """``max(|A - A^T|_max, |C - B|_max)`` per replica: 0 on the symmetric manifold."""
        A, B, C = self.split(theta)
        return np.maximum(np.abs(A - A.transpose(0, 2, 1)).max(axis=(1, 2)), np.abs(C - B).max(axis=1))

    def check_theta(self, theta: object) -> np.ndarray:
        return as_replicas(theta, self.n_params)
