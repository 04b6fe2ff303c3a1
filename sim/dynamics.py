"""Training dynamics: GD, minibatch SGD, SDE integration (stochastic gradient flow) and gradient flow.

All discrete dynamics advance R replicas at once (matrix products over a leading axis, no Python loop
over paths) and share one loop that records summaries and handles divergence: a replica whose state
becomes non-finite or exceeds ``bound`` in absolute value is frozen at its last finite state and
reported (replica, step, value) in :attr:`RunResult.diverged`; it never fills the results with NaN
and never stops the other replicas.

Time: step ``k`` of a discrete method with step size ``h`` is at time ``t = k h``; the running loss
integral is ``h * sum_{j<k} L(theta_j)`` with the full-batch loss (left Riemann sum), the convention of
the SGF literature (``int_0^t L ds ~ gamma sum_j L_j``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from sim._validate import as_replicas, positive, positive_int
from sim.noise import BrownianPath, draw_batch_indices
from sim.problems import Problem
from sim.sde import Scheme, SDETerm, get_scheme


@dataclass
class Recorder:
    """What to keep along a path, every ``every`` steps (memory O(n_records * R) for scalars).

    ``loss``: the full-batch loss; ``norms``: the Euclidean norm of the state; ``iterates``: the whole
    state (memory O(n_records * R * p)); ``scalars``: extra named functions ``state -> (R,)``.
    The running loss integral is always kept per replica at O(R) memory when ``loss_integral``.
    """

    every: int = 1
    loss: bool = True
    loss_integral: bool = True
    norms: bool = False
    iterates: bool = False
    scalars: dict[str, Callable[[np.ndarray], np.ndarray]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        positive_int(self.every, "Recorder.every")


@dataclass
class Divergence:
    replica: int
    step: int
    value: float


@dataclass
class RunResult:
    """The outcome of a run.

    Attributes
    ----------
    theta: final state, shape (R, p) (a diverged replica keeps its last finite state).
    times: recording times, shape (n_records,).
    records: name -> array (n_records, R) (``iterates`` -> (n_records, R, p)).
    loss_integral: ``int_0^T L dt`` per replica, shape (R,) (over every step, not only recorded ones).
    diverged: the replicas that were stopped, with the step and the offending value.
    active: (R,) mask of replicas that ran to the end.
    """

    theta: np.ndarray
    times: np.ndarray
    records: dict[str, np.ndarray]
    loss_integral: np.ndarray | None
    diverged: list[Divergence]
    active: np.ndarray
    n_steps: int
    dt: float

    @property
    def final_loss(self) -> np.ndarray | None:
        return self.records["loss"][-1] if "loss" in self.records else None


def _run(
    step: Callable[[np.ndarray, int], np.ndarray],
    x0: np.ndarray,
    n_steps: int,
    dt: float,
    loss_fn: Callable[[np.ndarray], np.ndarray] | None,
    recorder: Recorder,
    bound: float,
    step_returns_loss: bool = False,
) -> RunResult:
    """The shared loop. ``step(x, k)`` returns the new state, or, with ``step_returns_loss``, the
    pair ``(new state, loss_fn(x))`` (a fused step that already computed the loss at ``x``), which
    saves one loss evaluation per step; the results are the same either way."""
    x = x0.copy()
    R = x.shape[0]
    active = np.ones(R, dtype=bool)
    diverged: list[Divergence] = []
    integral = np.zeros(R) if (recorder.loss_integral and loss_fn is not None) else None
    rec: dict[str, list[np.ndarray]] = {}
    times: list[float] = []

    def record(k: int, cur_loss: np.ndarray | None) -> None:
        times.append(k * dt)
        if recorder.loss and loss_fn is not None:
            rec.setdefault("loss", []).append(cur_loss if cur_loss is not None else loss_fn(x))
        if recorder.norms:
            rec.setdefault("norm", []).append(np.linalg.norm(x, axis=1))
        if recorder.iterates:
            rec.setdefault("iterates", []).append(x.copy())
        if integral is not None:
            rec.setdefault("loss_integral", []).append(integral.copy())
        for name, fn in recorder.scalars.items():
            # a copy: a scalar function may return a view of a state buffer that is reused later
            rec.setdefault(name, []).append(np.array(fn(x), dtype=float))

    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        need_cur = not step_returns_loss and integral is not None
        cur = loss_fn(x) if loss_fn is not None and (need_cur or recorder.loss) else None
        record(0, cur)
        for k in range(n_steps):
            if step_returns_loss:
                x_new, cur = step(x, k)
            else:
                x_new = step(x, k)
            if integral is not None:
                integral += dt * np.where(active, cur, 0.0)
            if not active.all():
                x_new[~active] = x[~active]
            # NaN propagates through max/min, so a NaN or inf row fails these comparisons exactly
            # like ~isfinite(row).all() | (|row|.max() > bound). The whole-array check is a few
            # times cheaper than per-row reductions; rows are looked at only when it fails.
            if x_new.max() <= bound and x_new.min() >= -bound:
                bad = None
            else:
                bad = ~((x_new.max(axis=1) <= bound) & (x_new.min(axis=1) >= -bound))
                bad &= active
            if bad is not None and bad.any():
                for r in np.flatnonzero(bad):
                    row = x_new[r]
                    worst = row[~np.isfinite(row)]
                    value = float(worst[0]) if worst.size else float(np.abs(row).max())
                    diverged.append(Divergence(int(r), k + 1, value))
                x_new[bad] = x[bad]
                active &= ~bad
            x = x_new
            at_record = (k + 1) % recorder.every == 0 or k + 1 == n_steps
            need_loss = need_cur or (recorder.loss and at_record)
            cur = loss_fn(x) if (loss_fn is not None and need_loss) else None
            if at_record:
                record(k + 1, cur)
    records = {name: np.asarray(v) for name, v in rec.items()}
    return RunResult(x, np.asarray(times), records, integral, diverged, active, n_steps, dt)


def _check_common(
    problem: Problem, theta0: object, lr: float, n_steps: int, bound: float
) -> tuple[np.ndarray, float, int, float]:
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a sim.problems.Problem, got {type(problem).__name__}")
    return (
        problem.check_theta(theta0),
        positive(lr, "lr"),
        positive_int(n_steps, "n_steps"),
        positive(bound, "bound"),
    )


def gd(
    problem: Problem,
    theta0: object,
    lr: float,
    n_steps: int,
    *,
    recorder: Recorder | None = None,
    bound: float = 1e12,
) -> RunResult:
    """Full-batch gradient descent ``theta <- theta - lr * grad L(theta)`` on every replica."""
    x0, lr, n_steps, bound = _check_common(problem, theta0, lr, n_steps, bound)
    return _run(
        lambda x, k: x - lr * problem.grad(x),
        x0,
        n_steps,
        lr,
        problem.loss,
        recorder or Recorder(),
        bound,
    )


def sgd(
    problem: Problem,
    theta0: object,
    lr: float,
    n_steps: int,
    *,
    batch_size: int = 1,
    seed: int | np.random.SeedSequence = 0,
    replace: bool = True,
    indices: np.ndarray | None = None,
    n_replicas: int | None = None,
    recorder: Recorder | None = None,
    bound: float = 1e12,
) -> RunResult:
    """Minibatch SGD ``theta <- theta - lr * mean_{i in batch} grad l_i(theta)``.

    Indices are drawn up front with :func:`sim.noise.draw_batch_indices` (per-replica streams from
    ``seed``), or passed as ``indices`` of shape (n_steps, R, batch_size) so that two methods can
    share the same draws. ``theta0`` of shape (p,) is broadcast to ``n_replicas`` replicas.
    """
    x0, lr, n_steps, bound = _check_common(problem, theta0, lr, n_steps, bound)
    if n_replicas is not None and x0.shape[0] == 1:
        x0 = np.repeat(x0, positive_int(n_replicas, "n_replicas"), axis=0)
    R = x0.shape[0]
    if indices is None:
        idx = draw_batch_indices(seed, n_steps, R, problem.n_samples, batch_size, replace)
    else:
        idx = np.asarray(indices)
        if idx.ndim != 3 or idx.shape[:2] != (n_steps, R):
            raise ValueError(f"indices must have shape ({n_steps}, {R}, batch_size), got {idx.shape}")
        if not np.issubdtype(idx.dtype, np.integer) or idx.min() < 0 or idx.max() >= problem.n_samples:
            raise ValueError(f"indices must be integers in [0, {problem.n_samples})")
    return _run(
        lambda x, k: x - lr * problem.minibatch_grad(x, idx[k]),
        x0,
        n_steps,
        lr,
        problem.loss,
        recorder or Recorder(),
        bound,
    )


def sde_solve(
    term: SDETerm,
    x0: object,
    h: float,
    n_steps: int,
    *,
    scheme: str | Scheme = "euler_maruyama",
    seed: int | np.random.SeedSequence = 0,
    increments: np.ndarray | Iterable[np.ndarray] | None = None,
    n_replicas: int | None = None,
    recorder: Recorder | None = None,
    bound: float = 1e12,
) -> RunResult:
    """Integrate ``dX = f dt + G dW`` with a fixed step ``h``.

    Brownian increments come from ``seed`` (per-replica streams, see :class:`sim.noise.BrownianPath`)
    or are passed as ``increments`` (array (n_steps, R, m) or an iterator of (R, m) arrays), e.g.
    coarsened from a finer path with :func:`sim.noise.coarsen` for order tests.
    """
    if not isinstance(term, SDETerm):
        raise TypeError(f"term must be a sim.sde.SDETerm, got {type(term).__name__}")
    sch = get_scheme(scheme)
    h = positive(h, "h")
    n_steps = positive_int(n_steps, "n_steps")
    bound = positive(bound, "bound")
    x = as_replicas(x0, term.dim, "x0")
    if n_replicas is not None and x.shape[0] == 1:
        x = np.repeat(x, positive_int(n_replicas, "n_replicas"), axis=0)
    R = x.shape[0]
    if sch.requires_positive and np.any(x <= 0):
        raise ValueError(f"scheme {sch.name!r} needs a strictly positive initial state")
    if increments is None:
        it = iter(BrownianPath(seed, R, term.noise_dim, h).increments(n_steps))
    elif isinstance(increments, np.ndarray):
        if increments.shape != (n_steps, R, term.noise_dim):
            raise ValueError(
                f"increments must have shape ({n_steps}, {R}, {term.noise_dim}), got {increments.shape}"
            )
        it = iter(increments)
    else:
        it = iter(increments)

    probe = term.loss(x)
    loss_fn = term.loss if probe is not None else None
    fused = _fused_em_step(term) if sch.name == "euler_maruyama" else None
    if fused is not None and loss_fn is not None:
        # A term with a fused EM step (the same step, fewer operations; see
        # DiagonalSGF.euler_maruyama_step): it also returns the loss at x, and it writes into two
        # state buffers used in turn (_run holds only x and x_new; records copy what they keep).
        bufs = [np.empty(x.shape), np.empty(x.shape)]
        work: dict[str, np.ndarray] = {}

        def fused_step(xc: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
            out = bufs[k % 2]
            if out is xc:  # only if a caller handed us one of our own buffers
                out = bufs[(k + 1) % 2]
            return fused(xc, h, next(it), out=out, work=work)

        return _run(fused_step, x, n_steps, h, loss_fn, recorder or Recorder(), bound, step_returns_loss=True)

    def step(xc: np.ndarray, k: int) -> np.ndarray:
        return sch.step(term, xc, h, next(it))

    return _run(step, x, n_steps, h, loss_fn, recorder or Recorder(), bound)


def _fused_em_step(term: SDETerm) -> Callable | None:
    """The term's ``euler_maruyama_step`` if it still matches the term's own drift, diffusion and
    loss: a subclass (or instance) that overrides one of them below the class that defined the
    fused step gets the generic scheme instead."""
    cls = type(term)
    if getattr(cls, "euler_maruyama_step", None) is None:
        return None
    owner = next(c for c in cls.__mro__ if "euler_maruyama_step" in vars(c))
    for name in ("drift", "diffusion", "loss"):
        if name in vars(term):
            return None
        definer = next(c for c in cls.__mro__ if name in vars(c))
        if definer is not owner and issubclass(definer, owner):
            return None
    return term.euler_maruyama_step  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- gradient flow
@dataclass
class FlowResult:
    """Gradient flow solution: ``t`` (n_t,), ``theta`` (n_t, R, p), ``loss_integral`` (n_t, R),
    ``switch_times`` (the event times where the vector field changed, for piecewise-smooth fields)."""

    t: np.ndarray
    theta: np.ndarray
    loss_integral: np.ndarray
    switch_times: list[float]
    nfev: int

    @property
    def final(self) -> np.ndarray:
        return self.theta[-1]


def gradient_flow(
    problem: Problem,
    theta0: object,
    t_end: float,
    *,
    t_eval: object = None,
    rtol: float = 1e-10,
    atol: float = 1e-12,
    method: str = "LSODA",
    max_switches: int = 10_000,
) -> FlowResult:
    """Gradient flow ``dtheta/dt = -grad L`` by ``scipy.integrate.solve_ivp`` at tight tolerances.

    The running loss integral is integrated as extra state. If the problem has
    ``switching_functions`` (a piecewise-smooth field, e.g. ReLU activations), each sign change is a
    terminal event: the integration stops there and restarts with the new activation pattern, so the
    solver never steps blindly across a kink. Piecewise flows run one replica at a time.
    """
    from scipy.integrate import solve_ivp

    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a sim.problems.Problem, got {type(problem).__name__}")
    x0 = problem.check_theta(theta0)
    t_end = positive(t_end, "t_end")
    R, p = x0.shape
    grid = np.linspace(0.0, t_end, 101) if t_eval is None else np.asarray(t_eval, dtype=float)
    if grid.ndim != 1 or grid.size == 0 or grid[0] < 0 or grid[-1] > t_end or np.any(np.diff(grid) < 0):
        raise ValueError("t_eval must be a non-decreasing 1-D array inside [0, t_end]")
    piecewise = hasattr(problem, "switching_functions")

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        th = y[: R * p].reshape(R, p)
        return np.concatenate([-problem.grad(th).ravel(), problem.loss(th)])

    if not piecewise:
        y0 = np.concatenate([x0.ravel(), np.zeros(R)])
        sol = solve_ivp(rhs, (0.0, t_end), y0, method=method, t_eval=grid, rtol=rtol, atol=atol)
        if not sol.success:
            raise RuntimeError(f"gradient flow integration failed: {sol.message}")
        th = sol.y[: R * p].T.reshape(-1, R, p)
        return FlowResult(sol.t, th, sol.y[R * p :].T, [], sol.nfev)

    thetas, integrals, switches, nfev = [], [], [], 0
    for r in range(R):
        res = _piecewise_flow(problem, x0[r], t_end, grid, rtol, atol, method, max_switches)
        thetas.append(res[0])
        integrals.append(res[1])
        switches.extend(res[2])
        nfev += res[3]
    return FlowResult(grid, np.stack(thetas, axis=1), np.stack(integrals, axis=1), sorted(switches), nfev)


def _piecewise_flow(
    problem: Problem,
    w0: np.ndarray,
    t_end: float,
    grid: np.ndarray,
    rtol: float,
    atol: float,
    method: str,
    max_switches: int,
):
    from scipy.integrate import solve_ivp

    p = w0.shape[0]
    switch = problem.switching_functions  # type: ignore[attr-defined]

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        th = y[None, :p]
        return np.concatenate([-problem.grad(th)[0], problem.loss(th)])

    out_theta = np.empty((grid.size, p))
    out_int = np.empty(grid.size)
    t0, y = 0.0, np.concatenate([w0, [0.0]])
    switches: list[float] = []
    nfev = 0
    while True:
        s0 = switch(y[None, :p])[0]
        # A switching function sitting at zero (just crossed) is watched from the side the field
        # moves it to, so the event does not fire again at t0.
        events = []
        for j in range(s0.size):

            def ev(_t: float, yy: np.ndarray, j: int = j) -> float:
                return float(switch(yy[None, :p])[0][j])

            ev.terminal = True  # type: ignore[attr-defined]
            if abs(s0[j]) <= 1e-13 * (1 + np.abs(s0).max()):
                ev.direction = _leaving_direction(problem, y[:p], j)  # type: ignore[attr-defined]
                if ev.direction == 0:  # type: ignore[attr-defined]
                    continue
            events.append(ev)
        mask = grid >= t0
        sol = solve_ivp(
            rhs,
            (t0, t_end),
            y,
            method=method,
            t_eval=grid[mask],
            rtol=rtol,
            atol=atol,
            events=events or None,
            dense_output=True,
        )
        nfev += sol.nfev
        if not sol.success:
            raise RuntimeError(f"gradient flow integration failed: {sol.message}")
        if sol.status == 1:  # an event: fill the grid up to it, restart from the event state
            t_ev = min(te[0] for te in sol.t_events if len(te))
            sel = mask & (grid <= t_ev)
            if sel.any():
                vals = sol.sol(grid[sel])
                out_theta[sel] = vals[:p].T
                out_int[sel] = vals[p]
            y = sol.sol(t_ev)
            t0 = t_ev
            switches.append(float(t_ev))
            if len(switches) > max_switches:
                raise RuntimeError(f"more than {max_switches} activation switches; chattering?")
            continue
        out_theta[mask] = sol.y[:p].T
        out_int[mask] = sol.y[p]
        return out_theta, out_int, switches, nfev


def _leaving_direction(problem: Problem, w: np.ndarray, j: int) -> int:
    """Sign in which switching function ``j`` (now at zero) moves under the field on either side."""
    sw = problem.switching_functions  # type: ignore[attr-defined]
    g = -problem.grad(w[None])[0]
    eps = 1e-9 * max(1.0, float(np.abs(w).max()))
    moved = sw((w + eps * g / max(np.linalg.norm(g), 1e-300))[None])[0][j]
    if moved > 0:
        return -1  # it will now be positive; watch for it coming back down through zero
    if moved < 0:
        return 1
    return 0
