"""Online (fresh-data) minibatch SGD on Gaussian linear regression, many chains at once.

Model (realizable): a_i ~ N(0, sigma2 I_d), y_i = a_i^T x_hat + eps_i, eps_i ~ N(0, sigma_eps^2). One
SGD step with a fresh batch of b pairs is the random affine map

    x_k = x_{k-1} - (eta/b) sum_i a_i (a_i^T x_{k-1} - y_i) = M_k x_{k-1} + q_k,
    M_k = I - (eta/b) sum_i a_i a_i^T,

and the error e_k = x_k - x_hat obeys e_k = M_k e_{k-1} + xi_k with xi_k = (eta/b) sum_i a_i eps_i.

Replicas (independent chains) sit on the leading axis: states are (R, d) arrays and one call advances
all R chains by one vectorised step. In d = 1 a step needs only two scalars per replica,

    A = 1 - c U,  B = (eta/b) sqrt(sigma2) sigma_eps sqrt(U) Z,  c = eta sigma2 / b,
    U ~ chi2_b, Z ~ N(0, 1),

(:func:`scalar_chains`), which is exact in law and O(R) per step.

Diverging replicas (non-finite, or beyond ``blowup``) are frozen at the step they blew up and reported;
they never fill the results with NaN silently.

This module is numerics only (numpy): it never imports ``theorems``, hypothesis or sympy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "ChainResult",
    "coupled_difference",
    "make_rng",
    "scalar_chains",
    "scalar_step_coefficients",
    "sgd_step",
    "vector_chains",
]

# |e| beyond this counts as divergence (float64 overflows near 1e308; squares near 1e154).
DEFAULT_BLOWUP = 1e150
# Target number of float64 values per drawn chunk of batch data (bounds memory).
_CHUNK_VALUES = 1 << 21


def make_rng(seed: int | np.random.SeedSequence | np.random.Generator) -> np.random.Generator:
    """A PCG64 generator from an integer seed or SeedSequence (a Generator is passed through)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.Generator(np.random.PCG64(seed))
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, SeedSequence or Generator, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed))))


def _real(x: float, name: str, positive: bool) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a number, got {type(x).__name__}") from exc
    if not np.isfinite(v) or (v <= 0 if positive else v < 0):
        what = "positive number" if positive else "number >= 0"
        raise ValueError(f"{name} must be a finite {what}, got {x!r}")
    return v


def _pos(x: float, name: str) -> float:
    return _real(x, name, positive=True)


def _nonneg(x: float, name: str) -> float:
    return _real(x, name, positive=False)


def _int_at_least(n: int, name: str, lo: int) -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(n).__name__}")
    if n < lo:
        raise ValueError(f"{name} must be >= {lo}, got {n}")
    return int(n)


def _posint(n: int, name: str) -> int:
    return _int_at_least(n, name, 1)


def _nonnegint(n: int, name: str) -> int:
    return _int_at_least(n, name, 0)


def _chain_args(
    n_replicas: int, n_steps: int, dim: int, batch_size: int, eta: float, sigma2: float, sigma_eps: float
) -> tuple[int, int, int, int, float, float, float]:
    """Validated (R, K, d, b, eta, sigma2, sigma_eps) of the explicit-data chain runners."""
    return (
        _posint(n_replicas, "n_replicas"),
        _nonnegint(n_steps, "n_steps"),
        _posint(dim, "dim"),
        _posint(batch_size, "batch_size"),
        _pos(eta, "eta"),
        _pos(sigma2, "sigma2"),
        _nonneg(sigma_eps, "sigma_eps"),
    )


@dataclass
class ChainResult:
    """Final states of R chains.

    Attributes
    ----------
    state: (R,) in the scalar case, (R, d) otherwise; the error e_K = x_K - x_hat (or x_K if the
        chain was run in x coordinates, see :func:`vector_chains`).
    n_steps: K.
    diverged: boolean (R,), replicas stopped because they left ``blowup``.
    diverged_at: int (R,), the step at which each diverged replica was stopped (-1 if it did not).
    """

    state: np.ndarray
    n_steps: int
    diverged: np.ndarray
    diverged_at: np.ndarray
    info: dict = field(default_factory=dict)

    @property
    def n_diverged(self) -> int:
        return int(self.diverged.sum())


def scalar_step_coefficients(
    rng: np.random.Generator, n: int, eta: float, batch_size: int, sigma2: float = 1.0, sigma_eps: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Draw n i.i.d. pairs (A, B) of the d = 1 online-SGD step x <- A x + B.

    A = 1 - (eta sigma2/b) U and B = (eta/b) sqrt(sigma2) sigma_eps sqrt(U) Z with U ~ chi2_b and
    Z ~ N(0, 1) independent: the exact law of (M_k, xi_k) for a_i ~ N(0, sigma2), eps_i ~ N(0, sigma_eps^2).
    """
    eta = _pos(eta, "eta")
    b = _posint(batch_size, "batch_size")
    sigma2 = _pos(sigma2, "sigma2")
    sigma_eps = _nonneg(sigma_eps, "sigma_eps")
    u = rng.chisquare(b, size=n)
    a = 1.0 - (eta * sigma2 / b) * u
    bb = (eta / b) * np.sqrt(sigma2) * sigma_eps * np.sqrt(u) * rng.standard_normal(n)
    return a, bb


def scalar_chains(
    seed: int | np.random.SeedSequence | np.random.Generator,
    n_replicas: int,
    n_steps: int,
    eta: float,
    batch_size: int,
    sigma2: float = 1.0,
    sigma_eps: float = 1.0,
    e0: float | np.ndarray = 0.0,
    blowup: float = DEFAULT_BLOWUP,
) -> ChainResult:
    """Run R independent d = 1 online-SGD error chains e_k = A_k e_{k-1} + B_k for K steps.

    Parameters
    ----------
    seed: integer seed, SeedSequence or Generator (all randomness comes from it).
    n_replicas: R, the number of independent chains (vectorised).
    n_steps: K >= 0.
    eta, batch_size, sigma2, sigma_eps: step size, batch size b, data variance, label-noise s.d.
    e0: the initial error (scalar or (R,) array).
    blowup: replicas with |e| > blowup (or non-finite) are frozen and reported as diverged.
    """
    rng = make_rng(seed)
    r = _posint(n_replicas, "n_replicas")
    k = _nonnegint(n_steps, "n_steps")
    e = np.broadcast_to(np.asarray(e0, dtype=np.float64), (r,)).copy()
    alive = np.ones(r, dtype=bool)
    diverged_at = np.full(r, -1, dtype=np.int64)
    for step in range(1, k + 1):
        a, b = scalar_step_coefficients(rng, r, eta, batch_size, sigma2, sigma_eps)
        new = a * e + b
        e = np.where(alive, new, e)
        bad = alive & ~(np.abs(e) <= blowup)
        if bad.any():
            alive &= ~bad
            diverged_at[bad] = step
    return ChainResult(e, k, ~alive, diverged_at, {"dim": 1, "eta": eta, "batch_size": batch_size})


def sgd_step(
    rng: np.random.Generator,
    e: np.ndarray,
    eta: float,
    batch_size: int,
    sigma2: float = 1.0,
    sigma_eps: float = 1.0,
    e_other: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """One online-SGD step for R chains in d dimensions with explicit Gaussian data.

    Draws a (R, b, d) batch a_i ~ N(0, sigma2 I) and label noise eps (R, b), and returns
    e - (eta/b) sum_i a_i (a_i^T e - eps_i). If ``e_other`` is given it is advanced with the *same*
    data (a synchronous coupling) and returned second.
    """
    r, d = e.shape
    b = batch_size
    a = rng.standard_normal((r, b, d)) * np.sqrt(sigma2)
    eps = rng.standard_normal((r, b)) * sigma_eps
    resid = np.einsum("rbd,rd->rb", a, e) - eps
    new = e - (eta / b) * np.einsum("rbd,rb->rd", a, resid)
    other = None
    if e_other is not None:
        resid2 = np.einsum("rbd,rd->rb", a, e_other) - eps
        other = e_other - (eta / b) * np.einsum("rbd,rb->rd", a, resid2)
    return new, other


def vector_chains(
    seed: int | np.random.SeedSequence | np.random.Generator,
    n_replicas: int,
    n_steps: int,
    eta: float,
    batch_size: int,
    dim: int,
    sigma2: float = 1.0,
    sigma_eps: float = 1.0,
    x0: np.ndarray | None = None,
    x_hat: np.ndarray | None = None,
    blowup: float = DEFAULT_BLOWUP,
) -> ChainResult:
    """Run R online-SGD chains for least squares in d dimensions with explicit Gaussian data.

    The chains run on x (with labels y_i = a_i^T x_hat + eps_i); the returned ``state`` is the error
    x_K - x_hat, shape (R, d). ``x0`` defaults to x_hat (e_0 = 0), ``x_hat`` to 0.
    """
    rng = make_rng(seed)
    r, k, d, b, eta, sigma2, sigma_eps = _chain_args(
        n_replicas, n_steps, dim, batch_size, eta, sigma2, sigma_eps
    )
    xh = np.zeros(d) if x_hat is None else np.asarray(x_hat, dtype=np.float64).reshape(d)
    x = np.broadcast_to(xh if x0 is None else np.asarray(x0, dtype=np.float64), (r, d)).copy()
    alive = np.ones(r, dtype=bool)
    diverged_at = np.full(r, -1, dtype=np.int64)
    sd = np.sqrt(sigma2)
    for step in range(1, k + 1):
        a = rng.standard_normal((r, b, d)) * sd
        y = a @ xh + sigma_eps * rng.standard_normal((r, b))
        resid = np.einsum("rbd,rd->rb", a, x) - y
        new = x - (eta / b) * np.einsum("rbd,rb->rd", a, resid)
        x = np.where(alive[:, None], new, x)
        bad = alive & ~(np.max(np.abs(x - xh), axis=1) <= blowup)
        if bad.any():
            alive &= ~bad
            diverged_at[bad] = step
    return ChainResult(x - xh, k, ~alive, diverged_at, {"dim": d, "eta": eta, "batch_size": b})


def coupled_difference(
    seed: int | np.random.SeedSequence | np.random.Generator,
    n_replicas: int,
    n_steps: int,
    eta: float,
    batch_size: int,
    dim: int,
    x0: np.ndarray,
    x0_other: np.ndarray,
    sigma2: float = 1.0,
    sigma_eps: float = 1.0,
) -> np.ndarray:
    """Run two online-SGD chains driven by the same data (synchronous coupling); return x_K - x'_K.

    Both start from deterministic points; the result has shape (R, d). In exact arithmetic
    x_K - x'_K = M_K ... M_1 (x_0 - x'_0), whatever the labels.
    """
    rng = make_rng(seed)
    r, k, d, b, eta, sigma2, sigma_eps = _chain_args(
        n_replicas, n_steps, dim, batch_size, eta, sigma2, sigma_eps
    )
    x = np.broadcast_to(np.asarray(x0, dtype=np.float64).reshape(d), (r, d)).copy()
    xp = np.broadcast_to(np.asarray(x0_other, dtype=np.float64).reshape(d), (r, d)).copy()
    for _ in range(k):
        x, xp = sgd_step(rng, x, eta, b, sigma2, sigma_eps, e_other=xp)
    return x - xp
