"""One training loop for any (problem, optimizer) pair: :func:`train`.

It drives a :class:`sim.optimizers.GradientTransformation` on a :class:`sim.problems.Problem` with the
engine's shared loop (recorders, divergence handling: a replica whose state becomes non-finite or exceeds
``bound`` is frozen and reported, see :mod:`sim.dynamics`). Time is the step count: ``RunResult.times``
are step numbers and ``loss_integral`` is ``sum_k L(theta_k)`` (``dt = 1``).

Stochastic runs: with ``batch_size`` the gradient is ``problem.minibatch_grad`` on indices drawn up front
by :func:`sim.noise.draw_batch_indices` (per-replica streams from ``seed``) or passed as ``indices``.
Checkpoints: ``checkpoints`` (increasing step numbers, e.g. log-spaced) records only there, at O(#checkpoints)
memory, whatever the horizon.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from sim._validate import positive, positive_int
from sim.dynamics import Divergence, Recorder, RunResult, _run
from sim.noise import draw_batch_indices
from sim.optimizers import GradientTransformation
from sim.problems import Problem


def train(
    problem: Problem,
    optimizer: GradientTransformation,
    theta0: object,
    n_steps: int,
    *,
    checkpoints: Sequence[int] | None = None,
    recorder: Recorder | None = None,
    batch_size: int | None = None,
    seed: int | np.random.SeedSequence = 0,
    indices: np.ndarray | None = None,
    replace: bool = True,
    n_replicas: int | None = None,
    bound: float = 1e12,
    scaled: bool | None = None,
) -> RunResult:
    """Run ``theta <- theta + optimizer.update(grad, state, theta)`` for ``n_steps`` steps.

    ``theta0`` of shape (p,) or (R, p) (broadcast to ``n_replicas``). ``scaled`` (default:
    automatic) feeds the problem's ``scaled_loss_grad`` to a memoryless optimizer whose step size
    needs the loss, exact when the loss underflows (see :mod:`sim.optimizers`). Returns a
    :class:`sim.dynamics.RunResult` (times are step numbers); the default recorder keeps the loss at
    every record and no loss integral.
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a sim.problems.Problem, got {type(problem).__name__}")
    if not isinstance(optimizer, GradientTransformation):
        raise TypeError("optimizer must be a sim.optimizers.GradientTransformation")
    x0 = problem.check_theta(theta0)
    n_steps = positive_int(n_steps, "n_steps")
    bound = positive(bound, "bound")
    if n_replicas is not None and x0.shape[0] == 1:
        x0 = np.repeat(x0, positive_int(n_replicas, "n_replicas"), axis=0)
    R = x0.shape[0]
    idx = None
    if batch_size is not None or indices is not None:
        if indices is None:
            idx = draw_batch_indices(
                seed, n_steps, R, problem.n_samples, positive_int(batch_size, "batch_size"), replace
            )
        else:
            idx = np.asarray(indices)
            if idx.ndim != 3 or idx.shape[:2] != (n_steps, R):
                raise ValueError(f"indices must have shape ({n_steps}, {R}, batch_size), got {idx.shape}")
            if not np.issubdtype(idx.dtype, np.integer) or idx.min() < 0 or idx.max() >= problem.n_samples:
                raise ValueError(f"indices must be integers in [0, {problem.n_samples})")
    has_scaled = hasattr(problem, "scaled_loss_grad")
    use_scaled = (
        has_scaled and optimizer.memoryless and optimizer.needs_loss and idx is None
        if scaled is None
        else scaled
    )
    if use_scaled and not has_scaled:
        raise ValueError("scaled=True needs a problem with scaled_loss_grad")
    if use_scaled and idx is not None:
        raise ValueError("scaled inputs are full-batch only")
    state: list[Any] = [optimizer.init(x0)]
    frozen = np.zeros(R, dtype=bool)

    def step(x: np.ndarray, k: int) -> np.ndarray:
        if use_scaled:
            ls, L, g = problem.scaled_loss_grad(x)  # type: ignore[attr-defined]
            s, state[0] = optimizer.update(g, state[0], x, loss=L, log_scale=ls)
        else:
            g = problem.grad(x) if idx is None else problem.minibatch_grad(x, idx[k])
            L = problem.loss(x) if optimizer.needs_loss else None
            s, state[0] = optimizer.update(g, state[0], x, loss=L)
        x_new = x + s
        if frozen.any():
            x_new[frozen] = x[frozen]
        return x_new

    rec = recorder or Recorder(loss_integral=False)
    loss_fn = problem.loss
    if checkpoints is None:
        return _run(step, x0, n_steps, 1.0, loss_fn, rec, bound)

    cps = np.asarray(checkpoints)
    if (
        cps.ndim != 1
        or cps.size == 0
        or not np.issubdtype(cps.dtype, np.integer)
        or cps.min() < 1
        or cps.max() > n_steps
        or np.any(np.diff(cps) <= 0)
    ):
        raise ValueError(f"checkpoints must be strictly increasing integers in [1, {n_steps}]")
    cps = [int(c) for c in cps]
    if cps[-1] != n_steps:
        cps.append(n_steps)
    x = x0
    done = 0
    records: dict[str, list[np.ndarray]] = {}
    times: list[float] = []
    diverged: list[Divergence] = []
    integral = None
    for c in cps:
        seg = c - done
        offset = done
        res = _run(
            lambda xx, k, o=offset: step(xx, k + o),
            x,
            seg,
            1.0,
            loss_fn,
            Recorder(
                every=seg,
                loss=rec.loss,
                loss_integral=rec.loss_integral,
                norms=rec.norms,
                iterates=rec.iterates,
                scalars=rec.scalars,
            ),
            bound,
        )
        base = 0.0 if integral is None else integral
        for name, v in res.records.items():
            vals = v + base if name == "loss_integral" else v
            if done == 0:
                records.setdefault(name, []).append(vals[0])
            records.setdefault(name, []).append(vals[-1])
        if done == 0:
            times.append(0.0)
        times.append(float(c))
        for dv in res.diverged:
            diverged.append(Divergence(dv.replica, dv.step + offset, dv.value))
        frozen |= ~res.active
        if res.loss_integral is not None:
            integral = res.loss_integral + base
        x = res.theta
        done = c
    out = {name: np.asarray(v) for name, v in records.items()}
    return RunResult(x, np.asarray(times), out, integral, diverged, ~frozen, n_steps, 1.0)
