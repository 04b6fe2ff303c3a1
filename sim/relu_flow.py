"""Exact gradient flow of a single ReLU neuron with the square loss, across activation switches.

Model: ``f(x) = relu(w . x)``, loss ``L(w) = (1/2n) sum_i (relu(z_i) - y_i)^2`` with ``z_i = x_i . w``,
labels ``y_i >= 0`` and the convention ``relu'(0) = 0`` (a point with ``z_i = 0`` is inactive).
The gradient flow ``dw/dt = -(1/n) sum_{i in A(w)} (z_i - y_i) x_i`` is only piecewise smooth: inside a
fixed activation pattern ``A`` it is linear,

    dw/dt = -M_A w + b_A,   M_A = X_A^T X_A / n,   b_A = X_A^T y_A / n,

so with ``M_A = sum_k lam_k u_k u_k^T`` and ``phi(lam, s) = -expm1(-lam s) / lam``,

    w(t0 + s) = w(t0) - sum_k phi(lam_k, s) u_k u_k^T (M_A w(t0) - b_A).

:func:`relu_flow_exact` chains these exact pieces: on each piece every ``z_j(s)`` is a constant plus
decaying exponentials; sign changes are located by sampling on a geometric time grid and refined with
``brentq``, the pattern is switched and the next piece starts. :func:`relu_flow_ivp` integrates the same
flow with ``scipy.integrate.solve_ivp`` and terminal events (an independent check), optionally with the
support-vector coefficients ``c_i(t) = -(1/n) int_0^t (z_i - y_i) 1[z_i > 0] ds`` appended to the state.

Why labels must be non-negative: with ``y_j >= 0`` the field across ``z_j = 0`` jumps by
``y_j x_j / n`` in the direction that makes every crossing transversal (or tangential), so the flow is
well defined without sliding. A negative label creates a Filippov sliding mode on ``z_j = 0``, which these
integrators do not implement; they reject negative labels.

Which side a point sits on when it starts exactly at (or within round-off of) ``z_j = 0``: it is active
iff the field of the pattern *without* it strictly pushes ``z_j`` up (then the field with it does too).
Otherwise it is inactive, consistent with ``relu'(0) = 0``. This is exactly what happens after a
transversal crossing in either direction.

numpy/scipy only (no theorems, hypothesis or sympy imports).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

__all__ = [
    "ReLUFlowPath",
    "Segment",
    "IVPPath",
    "validate_problem",
    "relu_flow_exact",
    "relu_flow_ivp",
    "initial_pattern",
    "norm_rate",
    "loss",
]


# ---------------------------------------------------------------------------------------------- input
def validate_problem(X, y, w0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check and convert ``(X, y, w0)``; raise ``ValueError``/``TypeError`` naming the bad argument.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Inputs, one per row (append a column of ones to model a bias).
    y : array_like, shape (n,)
        Labels; must be finite and non-negative (negative labels create a sliding mode on the switching
        surface, which is not implemented).
    w0 : array_like, shape (d,)
        Initial weight vector.
    """
    try:
        X = np.array(X, dtype=np.float64)
        y = np.array(y, dtype=np.float64)
        w0 = np.array(w0, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"X, y and w0 must be numeric arrays: {exc}") from exc
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"X must be a 2-D array of shape (n, d) with n, d >= 1, got shape {X.shape}")
    n, d = X.shape
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},) to match X, got {y.shape}")
    if w0.shape != (d,):
        raise ValueError(f"w0 must have shape ({d},) to match X, got {w0.shape}")
    for name, a in (("X", X), ("y", y), ("w0", w0)):
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} must be finite (no NaN or inf)")
    if np.any(y < 0):
        raise ValueError(
            f"y must be non-negative (got min {y.min():.3g}): a negative label creates a Filippov "
            "sliding mode on the switching surface z_j = 0, which this integrator does not implement"
        )
    return X, y, w0


# -------------------------------------------------------------------------------- elementary pieces
def loss(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``(1/2n) sum_i (relu(x_i . w) - y_i)^2`` for ``w`` of shape (d,) or (..., d)."""
    z = np.asarray(w) @ X.T
    return 0.5 * np.mean((np.maximum(z, 0.0) - y) ** 2, axis=-1)


def norm_rate(X: np.ndarray, y: np.ndarray, w: np.ndarray, active: np.ndarray | None = None):
    """``d||w||^2/dt = (2/n) sum_{i in A} z_i (y_i - z_i)`` (the norm identity) at ``w``.

    ``active`` overrides the pattern ``z_i > 0`` (useful exactly at a switch). ``w`` may be (..., d).
    """
    z = np.asarray(w) @ X.T
    a = z > 0 if active is None else np.broadcast_to(active, z.shape)
    return 2.0 * np.mean(np.where(a, z * (y - z), 0.0), axis=-1)


def _field(X, y, w, active):
    """The gradient-flow field -(1/n) sum_{i in A} (z_i - y_i) x_i."""
    n = X.shape[0]
    z = X @ w
    r = np.where(active, z - y, 0.0)
    return -(X.T @ r) / n


def _zero_tol(X, w, rtol):
    """Per-point tolerance on z_j below which z_j counts as 'on the switching surface'."""
    return rtol * np.linalg.norm(X, axis=1) * max(np.linalg.norm(w), 1e-300) + 1e-300


def _assign_pattern(X, y, w, guess, rtol):
    """Pattern at ``w``: sign of z_j, and for z_j within round-off of 0 the side rule of the module doc.

    Returns (active, fresh) where ``fresh`` marks the points decided by the side rule.
    """
    n = X.shape[0]
    z = X @ w
    tol = _zero_tol(X, w, rtol)
    xnorm2 = np.einsum("ij,ij->i", X, X)
    active = z > tol
    near = (np.abs(z) <= tol) & (xnorm2 > 0)
    active = np.where(near, guess, active)
    fresh = np.zeros(n, dtype=bool)
    if np.any(near):
        # Resolve near-zero points: with the others' pattern fixed, z_j' under the pattern without j.
        for _ in range(n + 1):
            changed = False
            for j in np.flatnonzero(near):
                others = active.copy()
                others[j] = False
                zdot_inactive = float(X[j] @ _field(X, y, w, others))
                # Scale of the field, to decide "strictly positive" beyond round-off.
                scale = (np.linalg.norm(X[j]) * np.linalg.norm(X, axis=1) @ (np.abs(z) + y)) / n
                want = zdot_inactive > 1e-12 * scale
                if want != active[j]:
                    active[j] = want
                    changed = True
            if not changed:
                break
        fresh = near
    return active, fresh


def initial_pattern(X, y, w0, rtol: float = 1e-12) -> np.ndarray:
    """The activation pattern the flow starts with (``z_j > 0``, side rule within round-off of 0)."""
    X, y, w0 = validate_problem(X, y, w0)
    return _assign_pattern(X, y, w0, X @ w0 > 0, rtol)[0]


# -------------------------------------------------------------------------------------- exact flow
def _phi(lam: np.ndarray, s: np.ndarray) -> np.ndarray:
    """phi(lam, s) = (1 - exp(-lam s)) / lam, broadcasting s (...,1) against lam (m,)."""
    return -np.expm1(-lam * s) / lam


def _phi2(lam: np.ndarray, s: np.ndarray) -> np.ndarray:
    """int_0^s phi(lam, r) dr = (s - phi(lam, s)) / lam, computed stably for small lam s."""
    x = lam * s
    small = x < 1e-4
    xs = np.where(small, 1.0, x)
    big = (x - (-np.expm1(-xs))) / lam**2
    series = s**2 * (0.5 - x / 6.0 + x**2 / 24.0)
    return np.where(small, series, big)


@dataclass
class Segment:
    """One smooth piece of the flow: a fixed activation pattern on ``[t0, t1]``.

    ``w(t0 + s) = w0 - U @ (phi(lam, s) * a)``; ``w_limit = w0 - U @ (a / lam)`` is where this piece
    would converge if the pattern never changed. Null directions of ``M_A`` carry no motion (the
    gradient lies in the range of ``M_A``) and are dropped.
    """

    t0: float
    t1: float
    w0: np.ndarray
    active: np.ndarray
    lam: np.ndarray
    U: np.ndarray
    a: np.ndarray
    w_limit: np.ndarray

    def w(self, s: np.ndarray) -> np.ndarray:
        s = np.asarray(s, dtype=float)[..., None]
        if self.lam.size == 0:
            return np.broadcast_to(self.w0, s.shape[:-1] + self.w0.shape).copy()
        return self.w0 - (_phi(self.lam, s) * self.a) @ self.U.T

    def displacement_integral(self, s: np.ndarray) -> np.ndarray:
        """int_0^s w(t0 + r) dr (used for the support-vector coefficients)."""
        s = np.asarray(s, dtype=float)[..., None]
        out = s * self.w0
        if self.lam.size:
            out = out - (_phi2(self.lam, s) * self.a) @ self.U.T
        return out


@dataclass
class ReLUFlowPath:
    """The exact gradient-flow path of one ReLU neuron (output of :func:`relu_flow_exact`).

    Attributes
    ----------
    X, y, w_init: the problem.
    segments: the smooth pieces, in time order; the last one has ``t1 = inf``.
    event_times: times of the activation switches (``segments[k+1].t0``).
    event_points: for each switch, the indices of the points that changed side.
    patterns: the activation pattern of each segment, shape (n_segments, n).
    ever_active: points active at some time (the support vectors).
    w_inf: the limit (the limit of the last pattern's linear flow).
    t_settle: a time after which the state is within ``exp(-50)`` (relative) of ``w_inf`` on the
        last pattern's slowest mode (``inf`` never occurs; ``t0`` of the last piece if it is static).
    """

    X: np.ndarray
    y: np.ndarray
    w_init: np.ndarray
    segments: list[Segment]
    event_points: list[np.ndarray] = field(default_factory=list)
    t_settle: float = 0.0

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def event_times(self) -> np.ndarray:
        return np.array([s.t0 for s in self.segments[1:]])

    @property
    def patterns(self) -> np.ndarray:
        return np.array([s.active for s in self.segments])

    @property
    def ever_active(self) -> np.ndarray:
        return np.any(self.patterns, axis=0)

    @property
    def final_pattern(self) -> np.ndarray:
        return self.segments[-1].active.copy()

    @property
    def w_inf(self) -> np.ndarray:
        return self.segments[-1].w_limit.copy()

    @property
    def loss_inf(self) -> float:
        return float(loss(self.X, self.y, self.w_inf))

    def _locate(self, t: np.ndarray) -> np.ndarray:
        starts = np.array([s.t0 for s in self.segments])
        # A switch time belongs to the segment that starts there.
        return np.clip(np.searchsorted(starts, t, side="right") - 1, 0, len(self.segments) - 1)

    def w(self, t) -> np.ndarray:
        """``w(t)`` for scalar or 1-D ``t >= 0``; shape (d,) or (len(t), d)."""
        t = np.asarray(t, dtype=float)
        if np.any(t < 0) or not np.all(np.isfinite(t)):
            raise ValueError("t must be finite and >= 0")
        tt = np.atleast_1d(t)
        idx = self._locate(tt)
        out = np.empty((tt.size, self.X.shape[1]))
        for k in np.unique(idx):
            m = idx == k
            out[m] = self.segments[k].w(tt[m] - self.segments[k].t0)
        return out[0] if t.ndim == 0 else out

    def z(self, t) -> np.ndarray:
        """Pre-activations ``X w(t)``."""
        return self.w(t) @ self.X.T

    def active_at(self, t) -> np.ndarray:
        """The pattern in force at ``t`` (the segment's pattern, exact at switch times too)."""
        tt = np.atleast_1d(np.asarray(t, dtype=float))
        pats = self.patterns[self._locate(tt)]
        return pats[0] if np.ndim(t) == 0 else pats

    def norm2(self, t) -> np.ndarray:
        w = self.w(t)
        return np.sum(w * w, axis=-1)

    def norm_rate(self, t) -> np.ndarray:
        """``d||w||^2/dt`` from the norm identity, with the segment's pattern."""
        return norm_rate(self.X, self.y, self.w(t), self.active_at(t))

    def loss(self, t) -> np.ndarray:
        return loss(self.X, self.y, self.w(t))

    def coefficients(self, t) -> np.ndarray:
        """Support-vector coefficients ``c(t)`` with ``w(t) - w(0) = X^T c(t)``, computed as
        ``c_i(t) = -(1/n) int_0^t (z_i - y_i) 1[i active] ds`` exactly, piece by piece."""
        t = float(t)
        n = self.n
        c = np.zeros(n)
        for seg in self.segments:
            if seg.t0 >= t:
                break
            s = min(t, seg.t1) - seg.t0
            Iw = seg.displacement_integral(s)
            c -= np.where(seg.active, self.X @ Iw - self.y * s, 0.0) / n
        return c

    def sample_times(self, num: int = 200, t_max: float | None = None) -> np.ndarray:
        """A time grid that resolves every piece: geometric within pieces, plus the switch times."""
        t_max = self.t_settle if t_max is None else t_max
        pieces = [np.array([0.0, t_max])]
        for seg in self.segments:
            if seg.t0 >= t_max:
                break
            t1 = min(seg.t1, t_max)
            lam_max = seg.lam.max() if seg.lam.size else 1.0 / max(t_max, 1e-300)
            h0 = min(1e-3 / lam_max, (t1 - seg.t0) / 10)
            if t1 > seg.t0 + h0:
                pieces.append(seg.t0 + np.geomspace(h0, t1 - seg.t0, num))
            pieces.append(np.array([seg.t0]))
        return np.unique(np.concatenate(pieces))


def _segment(X, y, w0, active, t0) -> Segment:
    n = X.shape[0]
    XA = X[active]
    if XA.shape[0] == 0:
        d = X.shape[1]
        return Segment(
            t0, np.inf, w0.copy(), active.copy(), np.zeros(0), np.zeros((d, 0)), np.zeros(0), w0.copy()
        )
    M = XA.T @ XA / n
    b = XA.T @ y[active] / n
    lam, U = np.linalg.eigh(M)
    keep = lam > 1e-12 * max(lam.max(), 1e-300)
    lam, U = lam[keep], U[:, keep]
    a = U.T @ (M @ w0 - b)
    return Segment(t0, np.inf, w0.copy(), active.copy(), lam, U, a, w0 - U @ (a / lam))


def relu_flow_exact(
    X,
    y,
    w0,
    *,
    rtol: float = 1e-12,
    grid_ratio: float = 1.02,
    horizon: float = 50.0,
    max_events: int = 1000,
) -> ReLUFlowPath:
    """Integrate the gradient flow of a single ReLU neuron exactly, piece by piece.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,), non-negative labels
    w0 : array_like, shape (d,)
    rtol : float
        Relative round-off tolerance for deciding that a point sits on its switching surface.
    grid_ratio : float
        Ratio of the geometric time grid used to bracket sign changes of ``z_j`` on each piece (roots
        are then refined with ``brentq`` to machine precision).
    horizon : float
        A piece with no switch before ``horizon / lam_min`` is final (its slowest mode has decayed by
        ``exp(-horizon)``), and its closed-form limit is the limit of the flow.
    max_events : int
        Safety cap on the number of switches.

    Returns
    -------
    ReLUFlowPath
        Dense exact path with event times, patterns, ever-active set and limit.

    Notes
    -----
    ``z_j`` is evaluated as ``x_j . w0`` minus decaying terms, so its absolute error scales with the
    largest vector involved; inside a round-off band ``rtol * ||x_j|| * size`` around 0 its sign is
    not trusted (e.g. a zero-label point decaying to ``z_j = 0``). A switch is flagged when ``z_j``
    leaves the band on the wrong side, and ``brentq`` then locates the true crossing. A switch met
    when the state is already (to 1e-12) the limit of its piece and also of the next piece is
    round-off of a stationary point on the surface and ends the integration (no chattering).
    """
    X, y, w0 = validate_problem(X, y, w0)
    if not (1.0 < grid_ratio < 1.5):
        raise ValueError(f"grid_ratio must be in (1, 1.5), got {grid_ratio}")
    xnorm = np.linalg.norm(X, axis=1)
    live = xnorm > 0  # zero inputs are never active and never switch
    active, _ = _assign_pattern(X, y, w0, X @ w0 > 0, rtol)
    active &= live
    segments: list[Segment] = []
    event_points: list[np.ndarray] = []
    t0, w = 0.0, w0.copy()
    t_settle = 0.0
    for _ in range(max_events + 1):
        seg = _segment(X, y, w, active, t0)
        segments.append(seg)
        if seg.lam.size == 0:
            t_settle = t0
            break
        lam_min, lam_max = seg.lam.min(), seg.lam.max()
        s_hi = horizon / lam_min
        s_lo = 1e-9 / lam_max
        num = int(np.ceil(np.log(s_hi / s_lo) / np.log(grid_ratio))) + 1
        s_grid = np.concatenate([[0.0], np.geomspace(s_lo, s_hi, num)])
        W = seg.w(s_grid)
        Z = W @ X.T  # (num+1, n)
        # Round-off band around z_j = 0: z_j is computed as x_j . w0 minus decaying terms, so its
        # absolute error scales with the largest vector involved. Inside the band the sign is
        # meaningless (e.g. a zero-label point decaying to z_j = 0); only leaving the band on the wrong
        # side flags a switch, and brentq then locates the true zero crossing.
        size = np.abs(W).max() + np.abs(seg.w_limit - seg.w0).max() + np.abs(seg.w0).max()
        tol = rtol * np.linalg.norm(X, axis=1) * size
        right = np.where(active, Z > 0, Z <= 0)
        wrong = np.where(active, Z < -tol, Z > tol) & live
        wrong[0] = False
        hits = np.flatnonzero(wrong.any(axis=0))
        if hits.size == 0:
            t_settle = t0 + s_hi
            break
        first_k = wrong[:, hits].argmax(axis=0)
        kmin = first_k.min()
        cand = hits[first_k == kmin]
        roots = []
        for j in cand:
            ok_idx = np.flatnonzero(right[:kmin, j])
            lo = s_grid[ok_idx[-1]] if ok_idx.size else s_grid[kmin - 1]
            hi = s_grid[kmin]

            def zj(s, j=j, seg=seg):
                return float(X[j] @ seg.w(s))

            zlo, zhi = zj(lo), zj(hi)
            if np.sign(zlo) * np.sign(zhi) > 0:
                # Never on the right side outside round-off since the piece began: switch at once.
                roots.append(lo)
            else:
                roots.append(brentq(zj, lo, hi, xtol=1e-300, rtol=1e-15, maxiter=200))
        s_star = min(roots)
        switching = np.array([j for j, r in zip(cand, roots, strict=True) if r <= s_star * (1 + 1e-12)])
        w_new = seg.w(s_star)
        guess = active.copy()
        guess[switching] = ~guess[switching]
        new_active, _ = _assign_pattern(X, y, w_new, guess, rtol)
        new_active &= live
        changed = np.flatnonzero(new_active != active)
        if changed.size == 0:
            # The side rule kept the pattern (a tangential touch): nudge past it by forcing the guess.
            new_active = guess & live
            changed = switching
        # Converged onto a switching surface: the state is (to round-off) the limit of this piece and
        # of the next one, so the switch is round-off of a stationary point with z_j = 0 (e.g. a fitted
        # zero-label point) and following it would only chatter.
        scale = max(np.linalg.norm(seg.w_limit), np.linalg.norm(w0), 1e-300)
        if np.linalg.norm(w_new - seg.w_limit) <= 1e-12 * scale:
            nxt = _segment(X, y, w_new, new_active, t0 + s_star)
            if np.linalg.norm(nxt.w_limit - w_new) <= 1e-10 * scale:
                t_settle = t0 + s_hi
                break
        seg.t1 = t0 + s_star
        t0, w = t0 + s_star, w_new
        event_points.append(changed)
        active = new_active
    else:
        raise RuntimeError(f"relu_flow_exact: more than {max_events} activation switches (chattering?)")
    return ReLUFlowPath(X, y, w0, segments, event_points, t_settle)


# ------------------------------------------------------------------------------ solve_ivp version
@dataclass
class IVPPath:
    """Output of :func:`relu_flow_ivp`: pieces ``(t0, t1, OdeSolution, pattern)`` and the events."""

    X: np.ndarray
    y: np.ndarray
    pieces: list[tuple[float, float, object, np.ndarray]]
    event_times: np.ndarray
    with_coefficients: bool

    @property
    def patterns(self) -> np.ndarray:
        return np.array([p[3] for p in self.pieces])

    @property
    def ever_active(self) -> np.ndarray:
        return np.any(self.patterns, axis=0)

    def state(self, t) -> np.ndarray:
        """The integrated state at ``t`` (``w``, then ``c`` if requested); shape (len(t), d[+n])."""
        tt = np.atleast_1d(np.asarray(t, dtype=float))
        starts = np.array([p[0] for p in self.pieces])
        idx = np.clip(np.searchsorted(starts, tt, side="right") - 1, 0, len(self.pieces) - 1)
        out = np.empty((tt.size, self.pieces[0][2](self.pieces[0][0]).shape[0]))
        for k in np.unique(idx):
            m = idx == k
            out[m] = self.pieces[k][2](tt[m]).T
        return out[0] if np.ndim(t) == 0 else out

    def w(self, t) -> np.ndarray:
        return self.state(t)[..., : self.X.shape[1]]

    def coefficients(self, t) -> np.ndarray:
        if not self.with_coefficients:
            raise ValueError("integrate with coefficients=True to get c(t)")
        return self.state(t)[..., self.X.shape[1] :]


def relu_flow_ivp(
    X,
    y,
    w0,
    T: float,
    *,
    rtol: float = 1e-11,
    atol: float = 1e-13,
    method: str = "DOP853",
    coefficients: bool = False,
    max_events: int = 1000,
) -> IVPPath:
    """Gradient flow of a ReLU neuron on ``[0, T]`` with ``solve_ivp`` and terminal switch events.

    One event per point on ``z_j = x_j . w`` (direction -1 if active, +1 if inactive); after each
    event the pattern is re-decided (side rule of the module doc) and integration restarts. With
    ``coefficients=True`` the state is ``(w, c)`` with ``c_i' = -(1/n)(z_i - y_i) 1[i active]``.
    """
    X, y, w0 = validate_problem(X, y, w0)
    if not (np.isfinite(T) and T > 0):
        raise ValueError(f"T must be finite and > 0, got {T}")
    n, d = X.shape
    live = np.linalg.norm(X, axis=1) > 0
    active, _ = _assign_pattern(X, y, w0, X @ w0 > 0, 1e-12)
    active &= live
    state = np.concatenate([w0, np.zeros(n)]) if coefficients else w0.copy()
    t0 = 0.0
    pieces = []
    events = []
    for _ in range(max_events + 1):
        act = active.copy()

        def rhs(t, u, act=act):
            r = np.where(act, X @ u[:d] - y, 0.0) / n
            dw = -(X.T @ r)
            return np.concatenate([dw, -r]) if coefficients else dw

        # Zero-label points: the field is continuous across z_j = 0, so a small hysteresis band costs
        # O(band) accuracy and prevents chattering on round-off when the limit has z_j = 0.
        band = np.where(y == 0, 1e-10 * np.linalg.norm(X, axis=1) * np.linalg.norm(state[:d]), 0.0)
        evs = []
        for j in np.flatnonzero(live):

            def ev(t, u, j=j, off=(band[j] if act[j] else -band[j])):
                return float(X[j] @ u[:d]) + off

            ev.terminal = True
            ev.direction = -1.0 if act[j] else 1.0
            evs.append(ev)
        sol = solve_ivp(
            rhs, (t0, T), state, method=method, rtol=rtol, atol=atol, events=evs or None, dense_output=True
        )
        if sol.status == -1:
            raise RuntimeError(f"relu_flow_ivp: solver failed: {sol.message}")
        t1 = float(sol.t[-1])
        pieces.append((t0, t1, sol.sol, act))
        if sol.status == 0 or t1 >= T:
            break
        events.append(t1)
        state = sol.y[:, -1].copy()
        hit = np.zeros(n, dtype=bool)
        for idx_ev, j in enumerate(np.flatnonzero(live)):
            if sol.t_events[idx_ev].size:
                hit[j] = True
        guess = act.copy()
        guess[hit] = ~guess[hit]
        active, _ = _assign_pattern(X, y, state[:d], guess, 1e-9)
        active &= live
        t0 = t1
    else:
        raise RuntimeError(f"relu_flow_ivp: more than {max_events} activation switches")
    return IVPPath(X, y, pieces, np.array(events), coefficients)
