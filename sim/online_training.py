"""Online (fresh samples every step) and offline (fixed small dataset) training of the diagonal
linear network and of least squares, with loss-level matching captured on the fly.

The model of the "golden path" study (Vyas et al., ICML 2024, arXiv 2306.08590; the diagonal-network
analogue is our own design, see the spec ``online_sgd_noise.md``):

* data ``x ~ N(0, Sigma)``, noiseless teacher ``y = beta*.x``;
* diagonal network (P-convention of Pesme et al. 2021, as :class:`sim.problems.DiagonalNetwork`):
  ``beta = w+^2 - w-^2``, per-sample loss ``(x.beta - y)^2 / 4``; one step is
  ``w+ <- w+ (1 - eta g)``, ``w- <- w- (1 + eta g)`` with ``g`` the (minibatch) mean of ``r_i x_i``;
* least squares (``model="linear"``): per-sample loss ``(x.beta - y)^2 / 2``, ``beta <- beta - eta g``.

Everything is measured in MSE units: online the population MSE ``m(beta) = (beta-beta*)' Sigma
(beta-beta*)`` (exact, never sampled); offline the train MSE ``(1/n)||X beta - y||^2``.

Several *arms* (batch size, noiseless switch step, step size) advance together, replicas on a leading
axis, one Python loop over steps. Arms that name the same ``stream`` share their random draws
(common random numbers): replica ``s`` of every such arm sees the same samples, so comparisons
across those arms are paired. Each ``(batch, stream)`` key draws from its own ``SeedSequence``.

Level matching: for decreasing levels ``l_1 > l_2 > ...`` and every replica, the first step ``t``
with ``m_t <= l`` is found and ``beta`` interpolated between steps ``t-1`` and ``t`` with weight
``s = (log m_{t-1} - log l) / (log m_{t-1} - log m_t)``. Only these iterates are kept (memory
O(R * levels * d)); replicas that never reach a level are NaN there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim._validate import as_matrix, as_vector, positive, positive_int

MODELS = ("dln", "linear")


# --------------------------------------------------------------------------- problem pieces
def toeplitz_covariance(d: int, rho: float = 0.5) -> np.ndarray:
    """``Sigma_ij = rho^|i-j|`` (positive definite for ``|rho| < 1``)."""
    d = positive_int(d, "d")
    if not -1.0 < float(rho) < 1.0:
        raise ValueError(f"rho must lie in (-1, 1), got {rho!r}")
    idx = np.arange(d)
    return float(rho) ** np.abs(idx[:, None] - idx[None, :])


@dataclass(frozen=True)
class Teacher:
    """A sparse linear teacher with Gaussian inputs: ``x ~ N(0, Sigma)``, ``y = beta*.x``.

    ``w0`` is the shared DLN init ``[w+, w-]`` (length 2d); ``beta0 = w+^2 - w-^2``.
    """

    Sigma: np.ndarray
    chol: np.ndarray
    beta_star: np.ndarray
    w0: np.ndarray

    @property
    def d(self) -> int:
        return int(self.beta_star.shape[0])

    @property
    def support(self) -> np.ndarray:
        return np.flatnonzero(self.beta_star)

    @property
    def beta0(self) -> np.ndarray:
        d = self.d
        return self.w0[:d] ** 2 - self.w0[d:] ** 2

    def mse(self, beta: np.ndarray) -> np.ndarray:
        """Population MSE ``(beta-beta*)' Sigma (beta-beta*)`` over the last axis."""
        e = np.asarray(beta, dtype=float) - self.beta_star
        return np.sum((e @ self.Sigma) * e, axis=-1)

    def sample(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` fresh samples ``(X, y)``."""
        X = rng.standard_normal((positive_int(n, "n"), self.d)) @ self.chol.T
        return X, X @ self.beta_star


def sparse_teacher(
    d: int, k: int, seed: int, *, rho: float = 0.5, alpha: float = 0.1, init_spread: float = 0.3
) -> Teacher:
    """The spec's teacher: Toeplitz ``Sigma``, ``k``-sparse ``beta*`` with entries +-1 on a random
    support, and the shared init ``w+-(0) = alpha (1 + init_spread xi+-)``, ``xi ~ N(0, 1)``
    truncated to [-3, 3] so that the init stays positive (``init_spread < 1/3``).

    The init is not symmetric (``w+ != w-``), so ``beta0 != 0`` slightly and the population-GD path is
    not degenerate.
    """
    d = positive_int(d, "d")
    k = positive_int(k, "k")
    if k > d:
        raise ValueError(f"k must be <= d = {d}, got {k}")
    alpha = positive(alpha, "alpha")
    if not 0 <= init_spread < 1 / 3:
        raise ValueError(f"init_spread must lie in [0, 1/3), got {init_spread!r}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0]))
    Sigma = toeplitz_covariance(d, rho)
    beta_star = np.zeros(d)
    beta_star[rng.choice(d, size=k, replace=False)] = rng.choice([-1.0, 1.0], size=k)
    xi = np.clip(rng.standard_normal(2 * d), -3.0, 3.0)
    w0 = alpha * (1.0 + init_spread * xi)
    return Teacher(Sigma, np.linalg.cholesky(Sigma), beta_star, w0)


def normalised_distance(
    beta1: np.ndarray, beta2: np.ndarray, Sigma: np.ndarray, level: np.ndarray | float
) -> np.ndarray:
    """``rho = D / l`` with ``D = (b1-b2)' Sigma (b1-b2) = E_x (f1 - f2)^2`` and ``l`` the matched MSE.

    ``rho = 0``: the same function; ``rho = 2``: equal-size uncorrelated errors; ``rho = 4``:
    anti-correlated errors.
    """
    e = np.asarray(beta1, dtype=float) - np.asarray(beta2, dtype=float)
    return np.einsum("...i,ij,...j->...", e, Sigma, e) / np.asarray(level, dtype=float)


def bias_variance(betas: np.ndarray, beta_ref: np.ndarray, Sigma: np.ndarray) -> tuple[float, float]:
    """Replica bias and variance in the ``Sigma`` metric, finite-replica corrected.

    ``var = mean_s D(beta_s, mean)`` and ``bias^2 = D(mean, ref) - var / (S - 1)`` (may come out
    slightly negative; not clipped). NaN rows (replicas that missed the level) are dropped.
    """
    b = np.asarray(betas, dtype=float)
    b = b[np.all(np.isfinite(b), axis=1)]
    S = b.shape[0]
    if S < 2:
        return float("nan"), float("nan")
    mean = b.mean(axis=0)
    e = b - mean
    var = float(np.mean(np.einsum("si,ij,sj->s", e, Sigma, e)))
    m = mean - beta_ref
    return float(m @ Sigma @ m - var / (S - 1)), var


# --------------------------------------------------------------------------- arms and results
@dataclass(frozen=True)
class Arm:
    """One training configuration.

    batch: minibatch size, or ``None`` for noiseless updates (population GD online, full-batch GD
        offline).
    switch: step from which the updates are noiseless (``None``: never). ``switch=0`` is pure GD.
    lr: step size (``None``: the run's default).
    stream: arms with equal ``(batch, stream)`` share their draws replica by replica.
    replicas: number of replicas (``None``: the run's default; noiseless arms use 1 if ``None``).
    """

    batch: int | None
    switch: int | None = None
    lr: float | None = None
    stream: int = 0
    replicas: int | None = None

    @property
    def noiseless(self) -> bool:
        return self.batch is None or self.switch == 0


@dataclass
class ArmResult:
    """What one arm recorded.

    mse: (T+1, R) matching loss at every step (population MSE online, train MSE offline).
    test_mse: (R,) final population MSE.
    matched: (R, L, d) interpolated ``beta`` at each level (NaN where the level was never reached).
    matched_step: (R, L) fractional step of the crossing (NaN where not reached).
    beta, w: final ``beta`` (R, d) and, for the DLN, final ``[w+, w-]`` (R, 2d).
    diverged: (R,) replicas stopped for non-finite or exploding states (frozen at their last state).
    """

    arm: Arm
    mse: np.ndarray
    test_mse: np.ndarray
    matched: np.ndarray
    matched_step: np.ndarray
    beta: np.ndarray
    w: np.ndarray | None
    diverged: np.ndarray
    levels: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def reached(self) -> np.ndarray:
        """(R, L) mask of replicas that reached each level."""
        return np.isfinite(self.matched_step)


class _Matcher:
    """First crossing of decreasing loss levels, interpolated in log-loss, vectorised over replicas."""

    def __init__(self, levels: np.ndarray, R: int, d: int) -> None:
        self.levels = levels
        self.log_levels = np.log(levels)
        self.next = np.zeros(R, dtype=np.intp)
        self.beta = np.full((R, levels.size, d), np.nan)
        self.step = np.full((R, levels.size), np.nan)

    def update(self, t: int, m_prev: np.ndarray, m: np.ndarray, b_prev: np.ndarray, b: np.ndarray) -> None:
        L = self.levels.size
        if L == 0:
            return
        while True:
            pend = self.next < L
            lev = np.where(pend, self.levels[np.minimum(self.next, L - 1)], -np.inf)
            hit = np.flatnonzero(m <= lev)
            if hit.size == 0:
                return
            j = self.next[hit]
            lp, lc = np.log(m_prev[hit]), np.log(np.maximum(m[hit], 1e-300))
            with np.errstate(divide="ignore", invalid="ignore"):
                s = np.where(lp > lc, (lp - self.log_levels[j]) / (lp - lc), 1.0)
            s = np.clip(s, 0.0, 1.0)
            self.beta[hit, j] = (1 - s)[:, None] * b_prev[hit] + s[:, None] * b[hit]
            self.step[hit, j] = t - 1 + s
            self.next[hit] += 1


def _check_levels(levels: object) -> np.ndarray:
    lv = np.atleast_1d(np.asarray(levels if levels is not None else [], dtype=float))
    if lv.ndim != 1 or np.any(~np.isfinite(lv)) or np.any(lv <= 0) or np.any(np.diff(lv) >= 0):
        raise ValueError("levels must be a 1-D array of positive, strictly decreasing numbers")
    return lv


def _check_arms(arms: object, n_replicas: int, n_steps: int, limit: int | None) -> list[Arm]:
    if not isinstance(arms, (list, tuple)) or not arms:
        raise TypeError("arms must be a non-empty list of Arm")
    out = []
    for a in arms:
        if not isinstance(a, Arm):
            raise TypeError(f"arms must contain Arm objects, got {type(a).__name__}")
        if a.batch is not None:
            positive_int(a.batch, "Arm.batch")
            if limit is not None and a.batch > limit:
                raise ValueError(f"Arm.batch ({a.batch}) must be <= the number of samples ({limit})")
        if a.switch is not None and not 0 <= a.switch <= n_steps:
            raise ValueError(f"Arm.switch must lie in [0, n_steps={n_steps}], got {a.switch}")
        if a.lr is not None:
            positive(a.lr, "Arm.lr")
        if a.replicas is not None:
            positive_int(a.replicas, "Arm.replicas")
        out.append(a)
    del n_replicas
    return out


def _replicas(a: Arm, default: int) -> int:
    if a.replicas is not None:
        return a.replicas
    return 1 if a.batch is None else default


@dataclass
class _Layout:
    """Rows of the stacked state: which arm, step size, switch step and noise unit each row uses.

    A noise *unit* is one replica of one ``(batch, stream)`` key; rows of arms sharing the key map
    to the same units (common random numbers).
    """

    offs: np.ndarray
    lr: np.ndarray
    switch: np.ndarray  # row is noisy while t < switch (-1 for noiseless arms)
    batch: np.ndarray  # row batch size (1 for noiseless rows, unused)
    unit: np.ndarray  # row -> unit index (0 for noiseless rows, unused)
    unit_batch: np.ndarray  # unit -> batch size
    unit_key: list[tuple[int, int, int]]  # unit -> (batch, stream, replica)

    @property
    def n_rows(self) -> int:
        return int(self.offs[-1])


def _layout(arms: list[Arm], n_replicas: int, n_steps: int, lr: float) -> _Layout:
    sizes = [_replicas(a, n_replicas) for a in arms]
    offs = np.concatenate([[0], np.cumsum(sizes)]).astype(np.intp)
    keys: dict[tuple[int, int], int] = {}
    unit_key: list[tuple[int, int, int]] = []
    rows_lr, rows_sw, rows_b, rows_u = [], [], [], []
    for a, s in zip(arms, sizes, strict=True):
        rows_lr.append(np.full(s, a.lr if a.lr is not None else lr))
        if a.batch is None or a.switch == 0:
            rows_sw.append(np.full(s, -1))
            rows_b.append(np.ones(s, dtype=np.intp))
            rows_u.append(np.zeros(s, dtype=np.intp))
            continue
        key = (a.batch, a.stream)
        if key not in keys:
            keys[key] = len(unit_key)
            unit_key.extend((a.batch, a.stream, r) for r in range(s))
        elif sum(1 for k in unit_key if k[:2] == key) != s:
            raise ValueError(f"arms sharing the stream {key} must have the same number of replicas")
        rows_sw.append(np.full(s, n_steps + 1 if a.switch is None else a.switch))
        rows_b.append(np.full(s, a.batch, dtype=np.intp))
        rows_u.append(keys[key] + np.arange(s))
    ub = np.array([k[0] for k in unit_key], dtype=np.intp) if unit_key else np.ones(1, np.intp)
    if not unit_key:
        unit_key = [(1, 0, 0)]
    return _Layout(
        offs,
        np.concatenate(rows_lr),
        np.concatenate(rows_sw),
        np.concatenate(rows_b),
        np.concatenate(rows_u),
        ub,
        unit_key,
    )


def _train(
    arms: list[Arm],
    lay: _Layout,
    *,
    model: str,
    d: int,
    w0: np.ndarray,
    beta0: np.ndarray,
    n_steps: int,
    levels: np.ndarray,
    match_fn,
    test_fn,
    grad_fn,
    bound: float,
) -> list[ArmResult]:
    """The shared loop: ``grad_fn(beta, t, noisy)`` gives the (R, d) update direction ``g`` of
    every row (``noisy``: rows still taking stochastic steps)."""
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")
    R = lay.n_rows
    lrs = lay.lr[:, None]
    if model == "dln":
        wp = np.tile(w0[:d], (R, 1))
        wm = np.tile(w0[d:], (R, 1))
        beta = wp * wp - wm * wm
    else:
        wp = wm = None
        beta = np.tile(beta0, (R, 1))
    active = np.ones(R, dtype=bool)
    m = match_fn(beta)
    mse = np.empty((n_steps + 1, R))
    mse[0] = m
    matcher = _Matcher(levels, R, d)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(n_steps):
            g = grad_fn(beta, t, t < lay.switch)
            if model == "dln":
                step = lrs * g
                wp_new = wp * (1.0 - step)
                wm_new = wm * (1.0 + step)
                b_new = wp_new * wp_new - wm_new * wm_new
            else:
                b_new = beta - lrs * g
            bad = ~(np.isfinite(b_new).all(axis=1) & (np.abs(b_new).max(axis=1) < bound))
            if bad.any() or not active.all():
                active &= ~bad
                keep = ~active  # a diverged replica is frozen at its last finite state
                b_new[keep] = beta[keep]
                if model == "dln":
                    wp_new[keep] = wp[keep]
                    wm_new[keep] = wm[keep]
            m_new = match_fn(b_new)
            matcher.update(t + 1, m, m_new, beta, b_new)
            beta, m = b_new, m_new
            if model == "dln":
                wp, wm = wp_new, wm_new
            mse[t + 1] = m
    out = []
    test = test_fn(beta)
    for i, a in enumerate(arms):
        sl = slice(lay.offs[i], lay.offs[i + 1])
        w = np.concatenate([wp[sl], wm[sl]], axis=1) if model == "dln" else None
        out.append(
            ArmResult(
                a,
                mse[:, sl].copy(),
                test[sl],
                matcher.beta[sl],
                matcher.step[sl],
                beta[sl].copy(),
                w,
                ~active[sl],
                levels,
            )
        )
    return out


def _key_generators(seed: int, tag: int, lay: _Layout) -> list[tuple[int, int, np.random.Generator]]:
    """One generator per ``(batch, stream)`` key: ``(first unit, n units, generator)``.

    The units of a key are contiguous; their draws come from ``SeedSequence([seed, tag, batch,
    stream])`` as one (steps, units, ...) array, so arms sharing the key share the draws.
    """
    out = []
    start = 0
    while start < len(lay.unit_key):
        b, s, _ = lay.unit_key[start]
        stop = start
        while stop < len(lay.unit_key) and lay.unit_key[stop][:2] == (b, s):
            stop += 1
        out.append(
            (start, stop - start, np.random.default_rng(np.random.SeedSequence([int(seed), tag, b, s])))
        )
        start = stop
    return out


class _GaussianBatchNoise:
    """Exact reduced sampler of the online minibatch gradient of a linear teacher.

    For ``x_b = L z_b`` (``Sigma = L L'``), ``z_b ~ N(0, I)`` and ``u = L' e``,
    ``(1/B) sum_b x_b x_b' e = (|u|/B) L (Q u_hat + sqrt(Q) (I - u_hat u_hat') xi)`` in law, with
    ``Q ~ chi^2_B`` and ``xi ~ N(0, I_d)`` independent: split ``z_b`` into its component
    ``a_b = z_b.u_hat`` and the orthogonal rest; ``Q = sum a_b^2`` and, given the ``a_b``,
    ``sum_b a_b z_perp_b ~ N(0, Q (I - u_hat u_hat'))``. So a batch of any size costs ``d + 1``
    random numbers per replica and step, instead of ``B d``.
    """

    def __init__(self, lay: _Layout, d: int, seed: int, chunk: int) -> None:
        self.gens = _key_generators(seed, 1, lay)
        self.df = lay.unit_batch.astype(float)
        self.d, self.chunk = d, chunk
        self.start, self.Q, self.xi = -1, None, None

    def at(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        if self.Q is None or not self.start <= t < self.start + self.chunk:
            self.start = t
            self.Q = np.concatenate(
                [g.chisquare(self.df[u0], size=(self.chunk, nu)) for u0, nu, g in self.gens], axis=1
            )  # (chunk, U)
            self.xi = np.concatenate(
                [g.standard_normal((self.chunk, nu, self.d)) for u0, nu, g in self.gens], axis=1
            )  # (chunk, U, d)
        k = t - self.start
        return self.Q[k], self.xi[k]


class _ExplicitBatchNoise:
    """Reference sampler: draws the ``B`` fresh inputs ``z_b ~ N(0, I)`` explicitly (slow)."""

    def __init__(self, lay: _Layout, d: int, seed: int) -> None:
        self.gens = _key_generators(seed, 3, lay)
        self.B = lay.unit_batch
        self.d = d

    def at(self, t: int) -> list[np.ndarray]:
        """Per unit, the (B, d) standard-normal inputs of step ``t`` (drawn in step order)."""
        out: list[np.ndarray] = []
        for u0, nu, g in self.gens:
            z = g.standard_normal((nu, int(self.B[u0]), self.d))
            out.extend(z)
        return out


def _check_teacher(teacher: object) -> None:
    if not isinstance(teacher, Teacher):
        raise TypeError(f"teacher must be a Teacher, got {type(teacher).__name__}")


def _check_run(lr: object, n_steps: object, n_replicas: object) -> tuple[float, int, int]:
    """Validated step size, number of steps and default number of replicas."""
    return positive(lr, "lr"), positive_int(n_steps, "n_steps"), positive_int(n_replicas, "n_replicas")


def _plan(
    arms: object, levels: object, lr: float, n_steps: int, n_replicas: int, limit: int | None
) -> tuple[list[Arm], np.ndarray, _Layout]:
    """Validated arms (batches at most ``limit``) and levels, and the row layout of the run."""
    arms = _check_arms(arms, n_replicas, n_steps, limit)
    return arms, _check_levels(levels), _layout(arms, n_replicas, n_steps, lr)


def train_online(
    teacher: Teacher,
    arms: list[Arm],
    *,
    lr: float,
    n_steps: int,
    n_replicas: int,
    seed: int,
    levels: object = None,
    model: str = "dln",
    chunk: int = 256,
    sampler: str = "reduced",
    bound: float = 1e6,
) -> list[ArmResult]:
    """Online training: every step uses a fresh batch ``x ~ N(0, Sigma)``, ``y = beta*.x``.

    Noiseless arms (and switched arms after their switch) use the exact population gradient
    ``g = Sigma (beta - beta*)``. The matching loss is the population MSE.

    ``sampler="reduced"`` (default) draws the minibatch gradient from its exact law with ``d + 1``
    numbers per replica and step (see :class:`_GaussianBatchNoise`); ``sampler="explicit"`` draws the
    ``B`` inputs themselves (a slow reference with the same law, used by the tests). The draws of
    a ``(batch, stream)`` key come from ``SeedSequence([seed, tag, batch, stream])``.

    Returns one :class:`ArmResult` per arm, in order.
    """
    _check_teacher(teacher)
    lr, n_steps, n_replicas = _check_run(lr, n_steps, n_replicas)
    chunk = min(positive_int(chunk, "chunk"), n_steps)
    if sampler not in ("reduced", "explicit"):
        raise ValueError(f"sampler must be 'reduced' or 'explicit', got {sampler!r}")
    arms, lv, lay = _plan(arms, levels, lr, n_steps, n_replicas, None)
    Sigma, L, bstar = teacher.Sigma, teacher.chol, teacher.beta_star
    inv_b = 1.0 / lay.batch
    noise = (
        _GaussianBatchNoise(lay, teacher.d, seed, chunk)
        if sampler == "reduced"
        else _ExplicitBatchNoise(lay, teacher.d, seed)
    )

    def grad_reduced(beta: np.ndarray, t: int, noisy: np.ndarray) -> np.ndarray:
        e = beta - bstar
        if not noisy.any():
            return e @ Sigma
        Q, xi = noise.at(t)
        Q, xi = Q[lay.unit], xi[lay.unit]
        u = e @ L  # rows are (L' e)'
        nu = np.sqrt(np.einsum("rd,rd->r", u, u))
        uh = u / np.where(nu > 0, nu, 1.0)[:, None]
        q = np.where(noisy, Q * inv_b, 1.0)
        amp = np.where(noisy, np.sqrt(Q) * inv_b, 0.0)
        perp = xi - np.einsum("rd,rd->r", xi, uh)[:, None] * uh
        v = q[:, None] * uh + amp[:, None] * perp
        return (nu[:, None] * v) @ L.T

    def grad_explicit(beta: np.ndarray, t: int, noisy: np.ndarray) -> np.ndarray:
        e = beta - bstar
        g = e @ Sigma
        if noisy.any():
            zs = noise.at(t)
            for r in np.flatnonzero(noisy):
                x = zs[lay.unit[r]] @ L.T
                g[r] = x.T @ (x @ e[r]) / x.shape[0]
        return g

    return _train(
        arms,
        lay,
        model=model,
        d=teacher.d,
        w0=teacher.w0,
        beta0=teacher.beta0,
        n_steps=n_steps,
        levels=lv,
        match_fn=teacher.mse,
        test_fn=teacher.mse,
        grad_fn=grad_reduced if sampler == "reduced" else grad_explicit,
        bound=bound,
    )


def train_offline(
    teacher: Teacher,
    X: object,
    arms: list[Arm],
    *,
    lr: float,
    n_steps: int,
    n_replicas: int,
    seed: int,
    levels: object = None,
    model: str = "dln",
    bound: float = 1e6,
) -> list[ArmResult]:
    """Offline training on the fixed dataset ``X`` (n, d), ``y = X beta*``.

    SGD draws batches with replacement, all indices drawn up front; the ``(batch, stream)`` key
    uses ``SeedSequence([seed, 2, batch, stream])``. Noiseless arms (and switched
    arms after the switch) are full-batch GD. The matching loss is the train MSE
    ``(1/n)||X beta - y||^2``; ``test_mse`` is the population MSE of the teacher.
    """
    _check_teacher(teacher)
    X = as_matrix(X, "X")
    if X.shape[1] != teacher.d:
        raise ValueError(f"X must have {teacher.d} columns, got {X.shape[1]}")
    lr, n_steps, n_replicas = _check_run(lr, n_steps, n_replicas)
    n = X.shape[0]
    arms, lv, lay = _plan(arms, levels, lr, n_steps, n_replicas, n)
    y = X @ teacher.beta_star
    # Sample counts of every step's batch, drawn up front: (T, U, n) small integers. The minibatch
    # gradient is then (counts / B) r @ X with the residuals r of all n samples, which the train-MSE
    # evaluation of the previous step has already computed.
    counts = np.zeros((n_steps, len(lay.unit_key), n), dtype=np.int16)
    t_idx = np.arange(n_steps)[:, None]
    for u0, nu, g in _key_generators(seed, 2, lay):
        b = int(lay.unit_batch[u0])
        idx = g.integers(0, n, size=(n_steps, nu, b))
        u_idx = np.arange(u0, u0 + nu)[None, :]
        for j in range(b):  # within one slot j every (t, u) pair is distinct: no lost updates
            counts[t_idx, u_idx, idx[:, :, j]] += 1
    inv_b = (1.0 / lay.batch)[:, None]
    full = np.full((lay.n_rows, n), 1.0 / n)
    cache: dict[str, np.ndarray | None] = {"beta": None, "r": None}

    def residuals(beta: np.ndarray) -> np.ndarray:
        if cache["beta"] is beta:
            return cache["r"]  # type: ignore[return-value]
        r = beta @ X.T - y
        cache["beta"], cache["r"] = beta, r
        return r

    def grad(beta: np.ndarray, t: int, noisy: np.ndarray) -> np.ndarray:
        r = residuals(beta)
        if noisy.any():
            W = np.where(noisy[:, None], counts[t][lay.unit] * inv_b, full)
        else:
            W = full
        return (W * r) @ X

    def train_mse(beta: np.ndarray) -> np.ndarray:
        r = residuals(beta)
        return np.mean(r * r, axis=1)

    return _train(
        arms,
        lay,
        model=model,
        d=teacher.d,
        w0=teacher.w0,
        beta0=teacher.beta0,
        n_steps=n_steps,
        levels=lv,
        match_fn=train_mse,
        test_fn=teacher.mse,
        grad_fn=grad,
        bound=bound,
    )


# --------------------------------------------------------------------------- least squares theory
def ls_online_error_moment(
    Sigma: object, lr: float, batch: int | None, P0: object, n_steps: int
) -> np.ndarray:
    """Exact expected population MSE ``tr(Sigma P_t)``, t = 0..T, of online least-squares SGD.

    For ``x ~ N(0, Sigma)``, batch ``B`` and ``beta <- beta - lr * mean_b x x'(beta - beta*)`` the
    error second moment ``P_t = E[(beta_t-beta*)(beta_t-beta*)']`` obeys (Isserlis)

        P_{t+1} = (I - lr Sigma) P_t (I - lr Sigma) + (lr^2 / B) (Sigma P_t Sigma + tr(Sigma P_t) Sigma).

    ``batch=None`` gives population GD (no noise term).
    """
    S = as_matrix(Sigma, "Sigma")
    if S.shape[0] != S.shape[1]:
        raise ValueError(f"Sigma must be square, got shape {S.shape}")
    P = as_matrix(P0, "P0")
    if P.shape != S.shape:
        raise ValueError(f"P0 must have shape {S.shape}, got {P.shape}")
    lr = positive(lr, "lr")
    n_steps = positive_int(n_steps, "n_steps")
    c = 0.0 if batch is None else lr * lr / positive_int(batch, "batch")
    A = np.eye(S.shape[0]) - lr * S
    out = np.empty(n_steps + 1)
    out[0] = np.trace(S @ P)
    for t in range(n_steps):
        SP = S @ P
        P = A @ P @ A + c * (SP @ S + np.trace(SP) * S)
        P = 0.5 * (P + P.T)
        out[t + 1] = np.trace(S @ P)
    return out


def ls_min_norm_interpolant(X: object, y: object, beta0: object) -> np.ndarray:
    """``beta0 + X^+ (y - X beta0)``: where GD and SGD on least squares (n < d) converge from beta0."""
    X = as_matrix(X, "X")
    y = as_vector(y, "y", X.shape[0])
    b0 = as_vector(beta0, "beta0", X.shape[1])
    return b0 + np.linalg.pinv(X) @ (y - X @ b0)
