r"""Fast kernels for the diagonal linear network (P-convention): SGD, GD and the SGF.

Specialised, replica-vectorised kernels for the two-layer diagonal linear network of Woodworth et al.
(2020) and Pesme, Pillaud-Vivien & Flammarion (2021) in the P-convention: $\beta = w_+^2 - w_-^2$
elementwise, loss $L(\beta) = \frac1{4n}\|X\beta - y\|^2$, initialisation $w_+ = w_- = \alpha > 0$
(scalar or vector), SDE time $t = \gamma k$.

* :func:`run_sgd` -- minibatch SGD in multiplicative form, $w_\pm \leftarrow w_\pm\odot(1\mp\gamma g_k)$;
* :func:`run_gd` -- full-batch GD, the same update with $g = X^\top r/n$ (one replica);
* :func:`run_sgf` -- the Itô stochastic gradient flow with one shared $n$-dimensional Brownian motion
  (Euler-Maruyama, log-Euler-Maruyama, Milstein; Heun for the Stratonovich reading), plus deliberately
  wrong noise models used by false variants (``SGF_NOISES``);
* :class:`Run` -- their outcome: final state, loss, $\int L\,dt$, the accumulated log-shrink of
  $w_+ w_-$ and (SGD/GD) the offset $c$ outside $\mathrm{range}(X^\top)$;
* :func:`log_alpha` -- validation of the initialisation scale (also used by ``theorems``).

They implement exactly the dynamics of :class:`sim.problems.DiagonalNetwork` (SGD/GD) and of its
``sgf_term`` (SGF) under the generic :func:`sim.dynamics.sgd` / :func:`sim.dynamics.sde_solve` paths,
but update $w_\pm$ in place with the model's structure (no generic ``Problem`` dispatch, no
per-step recorder), which the claims' time budget needs. They also accumulate quantities the generic
paths do not record (the exact discrete shrink $\frac12\sum_k\ln|1-(\gamma g_k)^2|$ and $c$), stop once
every live replica's loss is below ``tol_loss``, and freeze replicas that diverge (restored to their
last checked state and flagged in ``Run.diverged``).

Randomness is the engine's own: SGD indices from :func:`sim.noise.draw_batch_indices` and Brownian
increments from :class:`sim.noise.BrownianPath` (per-replica streams, coarsenable paths), or passed in
explicitly, so a kernel and the generic path can be driven by the same draws. Agreement with the
generic engine on shared draws is checked in ``tests/test_diagonal_networks.py``:

* ``test_run_sgd_matches_engine_sgd`` -- :func:`run_sgd` vs ``sim.dynamics.sgd`` on
  ``DiagonalNetwork`` (batch sizes 1 and 3, 500 steps, 4 replicas, shared indices): final
  $w_\pm$ and $\int L$ to rtol 1e-9;
* ``test_run_sgf_matches_engine_sde_solve`` -- :func:`run_sgf` vs ``sim.dynamics.sde_solve`` on
  ``DiagonalNetwork.sgf_term`` for each of the four schemes (300 steps, shared increments): final
  $w_\pm$ to rtol 1e-8, $\int L$ to rtol 1e-9 (``noise="paper"``; the other noise models are the
  deliberately wrong ones and have no engine counterpart);
* ``test_discrete_log_shrink_matches_sgd_product`` and
  ``test_log_em_satisfies_product_identity_by_construction`` -- the recorded log-shrink equals the
  realised $\ln(w_+w_-)$ change;
* ``test_run_sgf_validation_and_divergence_is_flagged`` -- argument checks and divergence freezing.

:func:`run_gd` is checked against ``sim.dynamics.gd`` in ``tests/test_sim_diagonal_kernels.py``.

:func:`run_sgf`'s Euler-Maruyama step with the shared noise is fused (drift and noise in one matrix
product, two products per step) and runs on numpy or on the optional compiled backend
(:mod:`sim._compiled`, numba: the ``fast`` extra), which gives the same numbers bit for bit
(``tests/test_sim_compiled.py``: both backends against each other and against an unfused reference
to 1e-12 relative, the compiled normals against numpy's).

Numerics only: no ``theorems``, hypothesis or sympy. The paper's closed forms (potential, implicit
problem solver, effective initialisation) stay in ``theorems.diagonal_networks``, which re-exports
these kernels under their old names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim import _compiled
from sim._validate import as_matrix, as_vector, positive, positive_int
from sim.noise import BrownianPath, draw_batch_indices

__all__ = ["SGF_NOISES", "SGF_SCHEMES", "Run", "log_alpha", "run_gd", "run_sgd", "run_sgf"]


# ===================================================================================== validation
def log_alpha(alpha: Any, d: int | None, *, allow_zero: bool = False) -> np.ndarray:
    """``ln(alpha)`` broadcast to length ``d``, validated: the initialisation scale $w_\\pm(0) = \\alpha$.

    ``alpha`` is a scalar or a length-``d`` vector, finite and positive (all zero is accepted only with
    ``allow_zero``; it returns ``-inf`` everywhere). Working with $\\ln\\alpha$ keeps tiny scales usable
    where $\\alpha^2$ would underflow. Raises ``TypeError`` for non-numeric input, ``ValueError``
    otherwise (the message names ``alpha``).
    """
    try:
        a = np.asarray(alpha, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"alpha must be a positive scalar or vector, got {type(alpha).__name__}") from exc
    if a.ndim > 1:
        raise ValueError(f"alpha must be a scalar or a 1-d vector, got shape {a.shape}")
    if d is not None:
        if a.ndim == 1 and a.shape[0] != d:
            raise ValueError(f"alpha must be a scalar or have length d={d}, got length {a.shape[0]}")
        a = np.broadcast_to(a, (d,))
    if np.any(np.isnan(a)) or np.any(a < 0) or np.any(np.isinf(a)):
        raise ValueError("alpha must be finite and non-negative")
    if np.any(a == 0):
        if allow_zero and np.all(a == 0):
            return np.full(a.shape, -np.inf)
        raise ValueError("alpha must be positive (alpha = 0 everywhere means the min-l1 limit)")
    return np.log(a)


# ===================================================================================== kernels
# Brownian increments and SGD indices come from sim.noise, so the draws are the engine's own
# (per-replica streams, coarsenable paths).
@dataclass
class Run:
    """Outcome of :func:`run_sgd`, :func:`run_gd` or :func:`run_sgf` (R replicas; one for GD).

    Attributes
    ----------
    wp, wm : final $w_\\pm$, (R, d).
    beta : final $\\beta = w_+^2 - w_-^2$, (R, d).
    loss : final full-batch loss, (R,).
    loss_integral : $\\int_0^T L\\,dt$ in SDE time (left Riemann sum, step $\\gamma$ or $h$), (R,).
    log_shrink : $\\ln(\\alpha_T/\\alpha)$ accumulated step by step, (R, d): for SGD the exact discrete
        shrink $\\frac12\\sum\\ln|1-(\\gamma g)^2|$; for SGF the log of the realised product ratio.
    c : SGD/GD only: $c = -2\\sum_k(\\mathrm{artanh}(\\gamma g_k) - \\gamma g_k)$, (R, d) (log-ratio part
        outside $\\mathrm{range}(X^\\top)$); zeros for SGF.
    diverged : (R,) bool; steps : steps taken; time : $T$.
    """

    wp: np.ndarray
    wm: np.ndarray
    loss: np.ndarray
    loss_integral: np.ndarray
    log_shrink: np.ndarray
    c: np.ndarray
    diverged: np.ndarray
    steps: int
    time: float
    trace: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def beta(self) -> np.ndarray:
        return self.wp * self.wp - self.wm * self.wm

    @property
    def log_product(self) -> np.ndarray:
        """$\\ln|w_+ w_-|$ from the final state, (R, d)."""
        with np.errstate(divide="ignore"):
            return np.log(np.abs(self.wp)) + np.log(np.abs(self.wm))


def _kernel_inputs(X: Any, y: Any, alpha: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated ``X`` (n, d), ``y`` (n,) and ``ln alpha`` (d,) for the kernels."""
    X = as_matrix(X, "X")
    y = as_vector(y, "y", X.shape[0])
    return X, y, log_alpha(alpha, X.shape[1])


def _loss_of(beta: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    r = beta @ X.T - y
    return 0.25 * np.mean(r * r, axis=1)


def _freeze_diverged(
    L: np.ndarray,
    wp: np.ndarray,
    wm: np.ndarray,
    bound: float,
    bad: np.ndarray,
    state: tuple[np.ndarray, ...],
    snap: tuple[np.ndarray, ...],
) -> bool:
    """Replicas that became non-finite or exceed ``bound`` (and are not flagged yet): restore every
    array of ``state`` to ``snap`` on them and flag them in ``bad``, in place. True if any was new."""
    ok = np.isfinite(L) & (np.abs(wp).max(axis=1) < bound) & (np.abs(wm).max(axis=1) < bound)
    newbad = ~ok & ~bad
    if not newbad.any():
        return False
    for arr, s in zip(state, snap, strict=True):
        arr[newbad] = s[newbad]
    bad |= newbad
    return True


class _Trace:
    """The recorded time, loss and beta of each replica (the kernels add a row every
    ``trace_every`` steps; the test stays in the loop so that an untraced run pays nothing)."""

    def __init__(self) -> None:
        self.rows: dict[str, list] = {"t": [], "loss": [], "beta": []}

    def add(self, t: float, L: np.ndarray, beta: np.ndarray) -> None:
        self.rows["t"].append(t)
        self.rows["loss"].append(L.copy())
        self.rows["beta"].append(beta.copy())

    def arrays(self) -> dict[str, np.ndarray]:
        return {key: np.asarray(v) for key, v in self.rows.items() if v}


def run_sgd(
    X: Any,
    y: Any,
    alpha: Any,
    gamma: float,
    n_steps: int,
    *,
    n_replicas: int = 8,
    seed: int | np.random.SeedSequence = 0,
    batch_size: int = 1,
    indices: Any = None,
    exact: bool = True,
    tol_loss: float = 0.0,
    check_every: int = 200,
    bound: float = 1e8,
    trace_every: int = 0,
) -> Run:
    r"""Minibatch SGD on the diagonal network from $w_\pm = \alpha$ (multiplicative form).

    $w_\pm\leftarrow w_\pm\odot(1\mp\gamma g_k)$ with $g_k = \frac1b\sum_{i\in B_k} r_i x_i$, which is
    exactly SGD on $L = \frac1{4n}\|X\beta-y\|^2$ in $w_\pm$ (the update of ``sim.dynamics.sgd`` on
    ``sim.problems.DiagonalNetwork``). Indices with replacement from
    :func:`sim.noise.draw_batch_indices`, or ``indices`` of shape (n_steps, R, b).
    With ``exact`` the exact shrink $\frac12\sum\ln|1-(\gamma g)^2|$ and the offset
    $c = \sum_k[\ln|1-\gamma g_k| - \ln|1+\gamma g_k| + 2\gamma g_k]$ are accumulated.
    Every ``check_every`` steps: replicas that became non-finite or exceed ``bound`` are restored to
    their last checked state, frozen and flagged in ``diverged``; the run stops once every live replica
    has loss <= ``tol_loss``.
    """
    X, y, la = _kernel_inputs(X, y, alpha)
    gamma = positive(gamma, "gamma")
    n_steps = positive_int(n_steps, "n_steps")
    n, d = X.shape
    R = int(n_replicas)
    n_steps = int(n_steps)
    if indices is None:
        idx = draw_batch_indices(seed, n_steps, R, n, int(batch_size))
    else:
        idx = np.asarray(indices)
        if idx.ndim != 3 or idx.shape[:2] != (n_steps, R):
            raise ValueError(f"indices must have shape ({n_steps}, {R}, b), got {idx.shape}")
    b = idx.shape[2]
    XT = np.ascontiguousarray(X.T)
    wp = np.tile(np.exp(la), (R, 1))
    wm = wp.copy()
    J = np.zeros(R)
    shrink = np.zeros((R, d))
    csum = np.zeros((R, d))
    bad = np.zeros(R, dtype=bool)
    live = None
    rows = np.arange(R)
    snap = (wp.copy(), wm.copy(), J.copy(), shrink.copy(), csum.copy())
    trace = _Trace()
    k = 0
    c4n = 0.25 / n
    with np.errstate(all="ignore"):
        for k in range(n_steps + 1):
            beta = wp * wp - wm * wm
            r_full = beta @ XT - y
            L = np.einsum("ij,ij->i", r_full, r_full) * c4n
            if k % check_every == 0 or k == n_steps:
                if _freeze_diverged(L, wp, wm, bound, bad, (wp, wm, J, shrink, csum), snap):
                    live = (~bad).astype(float)[:, None]
                    beta = wp * wp - wm * wm
                    r_full = beta @ XT - y
                    L = np.einsum("ij,ij->i", r_full, r_full) * c4n
                snap = (wp.copy(), wm.copy(), J.copy(), shrink.copy(), csum.copy())
                if k == n_steps or (k and np.all(bad | (L <= tol_loss))):
                    break
            if trace_every and k % trace_every == 0:
                trace.add(k * gamma, L, beta)
            J += gamma * L if live is None else gamma * L * live[:, 0]
            if b == 1:
                ii = idx[k, :, 0]
                x = (gamma * r_full[rows, ii])[:, None] * X[ii]
            else:
                rb = np.take_along_axis(r_full, idx[k], axis=1)
                x = np.einsum("rbd,rb->rd", X[idx[k]], rb) * (gamma / b)
            if live is not None:
                x *= live
            if exact:
                lm1 = np.log(np.abs(1.0 - x))
                lp1 = np.log(np.abs(1.0 + x))
                shrink += 0.5 * (lm1 + lp1)
                csum += lm1 - lp1 + 2.0 * x
            wp *= 1.0 - x
            wm *= 1.0 + x
    beta = wp * wp - wm * wm
    Lf = _loss_of(beta, X, y)
    return Run(wp, wm, Lf, J, shrink, csum, bad, k, k * gamma, trace.arrays())


def run_gd(
    X: Any,
    y: Any,
    alpha: Any,
    gamma: float,
    n_steps: int,
    *,
    tol_loss: float = 0.0,
    check_every: int = 250,
    trace_every: int = 0,
) -> Run:
    r"""Full-batch GD from $w_\pm = \alpha$ (one replica).

    $w_\pm\leftarrow w_\pm\odot(1\mp\gamma X^\top r/n)$; records the same quantities as :func:`run_sgd`.
    """
    X, y, la = _kernel_inputs(X, y, alpha)
    gamma = positive(gamma, "gamma")
    n_steps = positive_int(n_steps, "n_steps")
    n, d = X.shape
    wp = np.exp(la)[None, :].copy()
    wm = wp.copy()
    J = np.zeros(1)
    shrink = np.zeros((1, d))
    csum = np.zeros((1, d))
    trace = _Trace()
    k = 0
    for k in range(int(n_steps)):
        beta = wp * wp - wm * wm
        r = beta @ X.T - y
        L = 0.25 * np.mean(r * r, axis=1)
        if trace_every and k % trace_every == 0:
            trace.add(k * gamma, L, beta)
        J += gamma * L
        if check_every and k % check_every == 0 and k and L[0] <= tol_loss:
            break
        x = gamma * (r @ X) / n
        shrink += 0.5 * np.log(np.abs(1.0 - x * x))
        csum += np.arctanh(x) - x
        wp = wp * (1.0 - x)
        wm = wm * (1.0 + x)
    else:
        k = int(n_steps)
    beta = wp * wp - wm * wm
    return Run(
        wp,
        wm,
        _loss_of(beta, X, y),
        J,
        shrink,
        -2.0 * csum,
        np.zeros(1, dtype=bool),
        k,
        k * gamma,
        trace.arrays(),
    )


SGF_SCHEMES = ("euler_maruyama", "log_euler_maruyama", "milstein", "heun")
SGF_NOISES = ("paper", "independent", "isotropic", "gamma_amplitude")


def _noise_dimension(noise: str, n: int, d: int) -> int:
    """Dimension of the Brownian motion that drives :func:`run_sgf` with this ``noise`` model."""
    return {"paper": n, "independent": 2 * n, "isotropic": 2 * d, "gamma_amplitude": n}[noise]


def run_sgf(
    X: Any,
    y: Any,
    alpha: Any,
    gamma: float,
    h: float,
    n_steps: int,
    *,
    n_replicas: int = 8,
    seed: int | np.random.SeedSequence = 0,
    scheme: str = "euler_maruyama",
    increments: Any = None,
    batch_size: int = 1,
    noise: str = "paper",
    tol_loss: float = 0.0,
    check_every: int = 200,
    bound: float = 1e8,
    trace_every: int = 0,
    backend: str = "auto",
) -> Run:
    r"""Stochastic gradient flow of the paper (Itô), from $w_\pm = \alpha$, with a fixed step $h$.

    $$dw_\pm = \mp\tfrac1n(X^\top r)\odot w_\pm\,dt \pm 2\sqrt{\gamma L/(bn)}\;w_\pm\odot(X^\top dB_t),$$
    one $n$-dimensional Brownian motion shared by $w_+$ and $w_-$ (Pesme et al. 2021, reconstructed;
    the same term as ``sim.problems.DiagonalNetwork.sgf_term``).

    Schemes: ``euler_maruyama`` (Itô, on $w$, strong order 1/2), ``milstein`` (Itô, strong order 1
    for this commutative-in-the-limit noise), ``log_euler_maruyama`` (Itô, on $\ln w$ with the explicit
    Itô drift: it satisfies $w_+w_- = \alpha_t^2$ by construction, so it is a structural test only),
    ``heun`` (Stratonovich). ``noise`` selects deliberately wrong models for false variants:
    ``independent`` (separate Brownian motions for $w_+$ and $w_-$), ``isotropic`` ($d$-dimensional
    noise $\propto w\odot dW$ with the same per-coordinate variance), ``gamma_amplitude`` (amplitude
    $\propto\gamma$ instead of $\sqrt\gamma$). Increments: from ``sim.noise.BrownianPath(seed, R, m, h)``
    or passed as an array (n_steps, R, m) or an iterator of (R, m) arrays (e.g. coarsened from a
    finer path).

    Euler-Maruyama with the shared-noise models (``paper``, ``gamma_amplitude``) runs the fused step
    :func:`_sgf_em_fused`: drift and noise in one product, $u = X^\top(s\,dB - \tfrac hn r)$, then
    $w_\pm \leftarrow w_\pm(1\pm u)$ -- two matrix products per step. ``backend`` (``"auto"``,
    ``"numpy"``, ``"numba"``; see :mod:`sim._compiled`) selects how its elementwise passes and the
    normals are computed; both backends give the same numbers bit for bit.
    """
    X, y, la = _kernel_inputs(X, y, alpha)
    gamma = positive(gamma, "gamma")
    n_steps = positive_int(n_steps, "n_steps")
    h = positive(h, "h")
    n, d = X.shape
    if scheme not in SGF_SCHEMES:
        raise ValueError(f"scheme must be one of {SGF_SCHEMES}, got {scheme!r}")
    if noise not in SGF_NOISES:
        raise ValueError(f"noise must be one of {SGF_NOISES}, got {noise!r}")
    R = int(n_replicas)
    m = _noise_dimension(noise, n, d)
    if scheme == "euler_maruyama" and noise in ("paper", "gamma_amplitude"):
        amp = (gamma * gamma if noise == "gamma_amplitude" else gamma) / (batch_size * n)
        return _sgf_em_fused(
            X,
            y,
            la,
            amp,
            h,
            int(n_steps),
            R,
            seed,
            increments,
            tol_loss,
            check_every,
            bound,
            trace_every,
            backend,
        )
    _compiled.choose(backend, 0.0)  # validate the argument; the other schemes run on numpy
    if increments is None:
        inc_iter = BrownianPath(seed, R, m, h).increments(int(n_steps))
    elif not isinstance(increments, np.ndarray):
        inc_iter = iter(increments)  # an iterator of (R, m) increments, e.g. BrownianPath.increments
    else:
        inc = np.asarray(increments, dtype=float)
        if inc.shape != (n_steps, R, m):
            raise ValueError(f"increments must have shape ({n_steps}, {R}, {m}), got {inc.shape}")
        inc_iter = iter(inc)
    D = np.sum(X * X, axis=0)  # diag(X^T X)
    amp_c = (gamma * gamma if noise == "gamma_amplitude" else gamma) / (batch_size * n)
    lp = np.tile(la, (R, 1))  # log w+ (log scheme only)
    lm = lp.copy()
    wp = np.exp(lp)
    wm = wp.copy()
    J = np.zeros(R)
    bad = np.zeros(R, dtype=bool)
    trace = _Trace()

    def fields(wp_, wm_, dB):
        beta_ = wp_ * wp_ - wm_ * wm_
        r_ = beta_ @ X.T - y
        L_ = 0.25 * np.mean(r_ * r_, axis=1)
        g_ = (r_ @ X) / n
        s_ = 2.0 * np.sqrt(amp_c * L_)[:, None]
        if noise in ("paper", "gamma_amplitude"):
            xp_ = dB @ X
            xm_ = xp_
        elif noise == "independent":
            xp_ = dB[:, :n] @ X
            xm_ = dB[:, n:] @ X
        else:  # isotropic: same per-coordinate variance s^2 D_j, independent across coordinates
            xp_ = dB[:, :d] * np.sqrt(D)
            xm_ = dB[:, d:] * np.sqrt(D)
        return L_, g_, s_, xp_, xm_

    k = 0
    n_steps = int(n_steps)
    snap = (wp.copy(), wm.copy(), lp.copy(), lm.copy(), J.copy())
    live = None
    with np.errstate(all="ignore"):
        for k in range(n_steps + 1):
            if k % check_every == 0 or k == n_steps:
                beta = wp * wp - wm * wm
                L = _loss_of(beta, X, y)
                if _freeze_diverged(L, wp, wm, bound, bad, (wp, wm, lp, lm, J), snap):
                    live = (~bad).astype(float)[:, None]
                    L = _loss_of(wp * wp - wm * wm, X, y)
                snap = (wp.copy(), wm.copy(), lp.copy(), lm.copy(), J.copy())
                if k == n_steps or (k and np.all(bad | (L <= tol_loss))):
                    break
            dB = next(inc_iter)
            L, g, s, xp, xm = fields(wp, wm, dB)
            if trace_every and k % trace_every == 0:
                trace.add(k * h, L, wp * wp - wm * wm)
            J += h * L if live is None else h * L * live[:, 0]
            if scheme == "log_euler_maruyama":
                ito = 0.5 * s * s * D
                up = -g * h - ito * h + s * xp
                um = g * h - ito * h - s * xm
                if live is not None:
                    up *= live
                    um *= live
                lp += up
                lm += um
                wp = np.exp(lp)
                wm = np.exp(lm)
                continue
            if scheme == "euler_maruyama":
                fp = -g * h + s * xp
                fm = g * h - s * xm
            elif scheme == "milstein":
                # x + f h + G dB + 1/2 D(G dB)[G dB] - h * (Ito correction), written out for
                # G(w) dB = +-s(w) w (X^T dB), s = 2 sqrt(c L): the same step as sim's "milstein".
                wsq = wp * wp + wm * wm
                ds_v = 2.0 * amp_c * np.einsum("ij,ij->i", g * wsq, xp)[:, None]
                q = (g * wsq) @ X.T  # (R, n)
                u = g * h - s * xp - 0.5 * ds_v * xp + amp_c * h * (q @ X)
                mm = 0.5 * s * s * (xp * xp - h * D)
                fp = -u + mm
                fm = u + mm
            else:  # heun (Stratonovich): trapezoid in drift and diffusion, same increment
                fp0, fm0 = -g * h + s * xp, g * h - s * xm
                pwp, pwm = wp * (1.0 + fp0), wm * (1.0 + fm0)
                _, g1, s1, xp1, xm1 = fields(pwp, pwm, dB)
                fp = 0.5 * (fp0 + (1.0 + fp0) * (-g1 * h + s1 * xp1))
                fm = 0.5 * (fm0 + (1.0 + fm0) * (g1 * h - s1 * xm1))
            if live is not None:
                fp *= live
                fm *= live
            wp = wp * (1.0 + fp)
            wm = wm * (1.0 + fm)
    beta = wp * wp - wm * wm
    Lf = _loss_of(beta, X, y)
    with np.errstate(divide="ignore"):
        if scheme == "log_euler_maruyama":
            shrink = 0.5 * (lp + lm) - la
        else:
            shrink = 0.5 * (np.log(np.abs(wp)) + np.log(np.abs(wm))) - la
    return Run(wp, wm, Lf, J, shrink, np.zeros((R, d)), bad, k, k * h, trace.arrays())


def _increment_source(increments: Any, n_steps: int, R: int, m: int):
    """An iterator of (R, m) increments from an array (checked) or an iterable."""
    if not isinstance(increments, np.ndarray):
        return iter(increments)
    inc = np.asarray(increments, dtype=float)
    if inc.shape != (n_steps, R, m):
        raise ValueError(f"increments must have shape ({n_steps}, {R}, {m}), got {inc.shape}")
    return iter(inc)


def _next_increment(inc_iter: Any, R: int, m: int) -> np.ndarray:
    dB = np.asarray(next(inc_iter), dtype=float)
    if dB.shape != (R, m):
        raise ValueError(f"each increment must have shape ({R}, {m}), got {dB.shape}")
    return dB


def _sgf_em_fused(
    X: np.ndarray,
    y: np.ndarray,
    la: np.ndarray,
    amp_c: float,
    h: float,
    n_steps: int,
    R: int,
    seed: Any,
    increments: Any,
    tol_loss: float,
    check_every: int,
    bound: float,
    trace_every: int,
    backend: str,
) -> Run:
    r"""Euler-Maruyama for :func:`run_sgf` with one shared noise, fused: per step

    $r = X\beta - y$, $L = \frac14\overline{r^2}$, $s = 2\sqrt{c L}$, $v = s\,dB - \frac hn r$,
    $u = vX$ $(= -g h + s X^\top dB)$, $w_\pm \leftarrow w_\pm(1 \pm u)$, $\beta = w_+^2 - w_-^2$:
    two matrix products (the floor of the step) and, on the compiled backend, three passes
    over the arrays with no temporaries and the normals drawn in place by the compiled port of numpy's
    sampler (the same streams and values as :class:`sim.noise.BrownianPath`). Equal to the
    unfused step in exact arithmetic; in floating point the paths agree to ~1e-15 relative per step.
    The divergence checks, early stop, trace and recorded quantities are those of :func:`run_sgf`.
    """
    n, d = X.shape
    m = n
    use = _compiled.choose(backend, _compiled.sgf_saving(R, n_steps, n, d))
    K = _compiled.kernels() if use == "numba" else None
    if increments is not None:
        inc_iter = _increment_source(increments, n_steps, R, m)
        states = None
    elif K is not None:
        inc_iter = None
        states = _compiled.pcg64_states(seed, R)
    else:
        inc_iter = iter(BrownianPath(seed, R, m, h).increments(n_steps))
        states = None
    sd = float(np.sqrt(h))
    c_h = h / n
    XT = X.T
    wp = np.tile(np.exp(la), (R, 1))
    wm = wp.copy()
    beta = wp * wp - wm * wm
    J = np.zeros(R)
    bad = np.zeros(R, dtype=bool)
    live = np.ones(R)
    any_frozen = False
    r = np.empty((R, n))
    v = np.empty((R, n))
    u = np.empty((R, d))
    L = np.empty(R)
    trace = _Trace()

    def residual_loss() -> None:
        np.matmul(beta, XT, out=r)
        if K is not None and n <= 128:
            K.sgf_residual_loss(r, y, L)
        else:
            np.subtract(r, y, out=r)
            L[:] = 0.25 * np.mean(r * r, axis=1)

    k = 0
    snap = (wp.copy(), wm.copy(), J.copy())
    with np.errstate(all="ignore"):
        for k in range(n_steps + 1):
            residual_loss()
            if k % check_every == 0 or k == n_steps:
                if _freeze_diverged(L, wp, wm, bound, bad, (wp, wm, J), snap):
                    live = (~bad).astype(float)
                    any_frozen = True
                    np.subtract(wp * wp, wm * wm, out=beta)
                    residual_loss()
                snap = (wp.copy(), wm.copy(), J.copy())
                if k == n_steps or (k and np.all(bad | (L <= tol_loss))):
                    break
            if trace_every and k % trace_every == 0:
                trace.add(k * h, L, beta)
            if K is not None:
                if states is not None:
                    K.sgf_noise(states, r, L, amp_c, sd, c_h, v)
                else:
                    K.sgf_noise_given(_next_increment(inc_iter, R, m), r, L, amp_c, c_h, v)
                np.matmul(v, X, out=u)
                K.sgf_update(u, live, wp, wm, beta, L, h, J)
                continue
            dB = _next_increment(inc_iter, R, m)
            s = 2.0 * np.sqrt(amp_c * L)
            np.multiply(dB, s[:, None], out=v)
            v -= r * c_h
            np.matmul(v, X, out=u)
            if any_frozen:
                u *= live[:, None]
                J += h * L * live
            else:
                J += h * L
            wp *= 1.0 + u
            wm *= 1.0 - u
            np.subtract(wp * wp, wm * wm, out=beta)
    Lf = _loss_of(beta, X, y)
    with np.errstate(divide="ignore"):
        shrink = 0.5 * (np.log(np.abs(wp)) + np.log(np.abs(wm))) - la
    return Run(wp, wm, Lf, J, shrink, np.zeros((R, d)), bad, k, k * h, trace.arrays())
