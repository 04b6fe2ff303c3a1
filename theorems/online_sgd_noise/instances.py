"""Hypothesis strategies for the online-vs-offline SGD-noise claims (Vyas et al., ICML 2024).

Diagonal-network instances are ``{"seed": s}``: the seed draws the problem (Toeplitz covariance
``0.5^|i-j|``, a k-sparse teacher with +-1 entries, the shared asymmetric init
``w+-(0) = 0.1 (1 + 0.3 xi)``, the offline dataset) and every SGD stream. The sizes come from the
profile (``Context.pick``): the experiment is a whole sweep over batch sizes, so one instance is one
problem draw. Hypothesis tries the seed 0 first, so in the ``dev`` profile every claim of this family
sees the same draw and the sweep is simulated once (the predicates memoise by instance).

Least-squares instances are small random problems: dimension, a random covariance with a drawn
condition number, a step as a fraction of the stability scale, two batch sizes.

Assumptions encoded: Gaussian inputs, noiseless linear teacher, positive definite covariance
(unique population minimiser online), ``n < d`` offline (interpolation), a step below the stability
edge (checked at run time: a diverged replica makes the instance inconclusive, never a pass).

The least-squares problem builders at the end turn instances into arrays (moved here from
``theorems.online_sgd_noise``; the strategies were ``theorems.strategies.online``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from sim.online_training import (
    Teacher,
)
from theorems.online_sgd_noise.formulas import ls_online_expected_mse

SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


def dln_instances(pool: int = 3) -> st.SearchStrategy[dict]:
    """One of the run's ``pool`` problem draws of the diagonal-network sweep: ``{"draw": k}``.

    The problem seed of draw ``k`` is :func:`dln_problem_seed` ``(ctx.seed, k)``: it changes with the
    run's ``--seed``, and every claim of the family sees the same ``pool`` draws, so each sweep is
    simulated once per run and shared (one sweep costs ~0.5 s; a free seed per claim would cost a
    sweep per claim and instance). Hypothesis enumerates the ``pool`` values, so a claim gets up to
    ``pool`` distinct conclusive instances. An explicit ``{"seed": s}`` instance is also accepted
    (replays, tests)."""
    return st.fixed_dictionaries({"draw": st.integers(0, pool - 1)})


def dln_problem_seed(inst: dict, run_seed: int) -> int:
    """The problem seed of a diagonal-network instance: its explicit ``"seed"``, or the seed of draw
    ``inst["draw"]`` of the run with seed ``run_seed`` (``SeedSequence([run_seed, 0xD1, draw])``)."""
    if "seed" in inst:
        return int(inst["seed"])
    draw = int(inst["draw"])
    if draw < 0:
        raise ValueError(f"draw must be >= 0, got {draw}")
    return int(np.random.SeedSequence([int(run_seed), 0xD1, draw]).generate_state(1)[0])


def ls_online_instances(
    f_max: float = 0.25, d_min: int = 2, f_min: float = 0.05, steps_min: int = 20, b_ratio_max: int = 8
) -> st.SearchStrategy[dict]:
    """Online least squares: ``d``, covariance condition number ``cond``, step fraction ``f`` of
    ``2 / (lambda_max + tr Sigma)`` (the B = 1 mean-square stability scale), batch sizes
    ``b_small < b_large``, horizon ``steps``, ``seed``.

    ``f <= 0.25`` by default: there the loss across replicas is concentrated enough for a Monte-Carlo
    mean of a few thousand replicas to estimate its expectation (measured: z-scores calibrated up to
    120 steps). Nearer the stability edge the expectation is carried by rare replicas (the typical
    replica is far below it) and a sample mean is biased low, so no Monte-Carlo test is valid.
    """
    return st.fixed_dictionaries(
        {
            "d": st.integers(d_min, 10),
            "cond": st.floats(1.0, 20.0),
            "f": st.floats(f_min, f_max),
            "b_small": st.integers(1, 3),
            "b_ratio": st.integers(2, b_ratio_max),
            "steps": st.integers(steps_min, 120),
            "seed": SEEDS,
        }
    )


def ls_offline_instances() -> st.SearchStrategy[dict]:
    """Offline least squares: ``n`` samples in ``d = n + extra >= 2n`` dimensions (so ``X X'`` is
    well conditioned and the runs converge within the step budget), ``batch``, ``seed``."""
    return st.integers(2, 8).flatmap(
        lambda n: st.fixed_dictionaries(
            {
                "n": st.just(n),
                "extra": st.integers(n, n + 12),  # d = n + extra >= 2n
                "batch": st.integers(1, 2),
                "seed": SEEDS,
            }
        )
    )


# ------------------------------------------------------------------------ instance builders


def _ls_teacher(rng: np.random.Generator, Sigma: np.ndarray, chol: np.ndarray) -> Teacher:
    """A least-squares teacher: ``beta* ~ N(0, I)`` and a positive init ``w0`` (drawn in that order)."""
    d = Sigma.shape[0]
    beta_star = rng.standard_normal(d)
    w0 = 0.3 * np.abs(rng.standard_normal(2 * d)) + 0.05
    return Teacher(Sigma, chol, beta_star, w0)


@dataclass(frozen=True)
class _LSOnline:
    """An online least-squares instance: teacher, step, the two batch sizes, horizon, initial error."""

    teacher: Teacher
    lr: float
    b_small: int
    b_large: int
    steps: int

    @property
    def e0(self) -> np.ndarray:
        return self.teacher.beta0 - self.teacher.beta_star

    def expected_mse(
        self, batch: int | None, *, lr: float | None = None, trace_term: bool = True
    ) -> np.ndarray:
        """:func:`ls_online_expected_mse` of this instance (at step ``lr``, default its own)."""
        return ls_online_expected_mse(
            self.teacher.Sigma,
            self.lr if lr is None else lr,
            batch,
            self.e0,
            self.steps,
            trace_term=trace_term,
        )


def _ls_problem(inst: dict) -> _LSOnline:
    d = int(inst["d"])
    rng = np.random.default_rng(np.random.SeedSequence([int(inst["seed"]), 11]))
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    lam = np.geomspace(1.0, 1.0 / float(inst["cond"]), d)
    Sigma = (Q * lam) @ Q.T
    Sigma = 0.5 * (Sigma + Sigma.T)
    t = _ls_teacher(rng, Sigma, np.linalg.cholesky(Sigma))
    lr = float(inst["f"]) * 2.0 / (lam.max() + lam.sum())
    b1 = int(inst["b_small"])
    return _LSOnline(t, lr, b1, b1 * int(inst["b_ratio"]), int(inst["steps"]))


def _ls_offline(inst: dict) -> tuple[Teacher, np.ndarray, float, float, int, int]:
    n, d = int(inst["n"]), int(inst["n"]) + int(inst["extra"])
    rng = np.random.default_rng(np.random.SeedSequence([int(inst["seed"]), 12]))
    X = rng.standard_normal((n, d))
    t = _ls_teacher(rng, np.eye(d), np.eye(d))
    G = X @ X.T
    lam = np.linalg.eigvalsh(G)
    # SGD: step 1 / max_i ||x_i||^2 (randomised-Kaczmarz regime, every per-sample step contracts);
    # GD: step n / lambda_max(X X').
    lr_sgd = 1.0 / float(np.max(np.diag(G)))
    lr_gd = n / float(lam[-1])
    # Horizon from the Kaczmarz rate 1 - lambda_min(XX') / tr(XX') (per step, B = 1): e^-60.
    steps = int(min(20000, math.ceil(60.0 * np.trace(G) / lam[0])))
    return t, X, lr_sgd, lr_gd, int(inst["batch"]), steps
