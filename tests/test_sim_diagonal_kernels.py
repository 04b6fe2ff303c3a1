"""sim.diagonal_kernels: run_gd against the generic engine, alpha validation, and the re-exports.

run_sgd and run_sgf are checked against sim.dynamics.sgd / sde_solve in tests/test_diagonal_networks.py.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import sim
from sim import diagonal_kernels as dk
from sim import dynamics
from sim.problems import DiagonalNetwork


def _instance(n: int = 6, d: int = 11, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    beta = np.zeros(d)
    beta[:2] = rng.normal(size=2)
    alpha = 0.5 * np.exp(rng.uniform(-0.2, 0.2, d))
    return X, X @ beta, alpha


def test_run_gd_matches_engine_gd():
    X, y, alpha = _instance()
    prob = DiagonalNetwork(X, y)
    mine = dk.run_gd(X, y, alpha, 0.05, 400)
    ref = dynamics.gd(prob, prob.init(alpha, 1), 0.05, 400)
    wp, wm = prob.split(ref.theta)
    assert np.allclose(mine.wp, wp, rtol=1e-10) and np.allclose(mine.wm, wm, rtol=1e-10)
    assert np.allclose(mine.loss_integral, ref.loss_integral, rtol=1e-10)
    assert mine.steps == 400 and mine.time == pytest.approx(400 * 0.05)
    # The shrink the kernel accumulates step by step against the engine's final state (independent
    # code): ln(w+ w- / alpha^2) / 2; and the shrink is not trivially zero.
    assert np.allclose(mine.log_shrink, 0.5 * np.log(np.abs(wp * wm)) - np.log(alpha), atol=1e-10)
    assert np.abs(mine.log_shrink).max() > 1e-4


def test_log_alpha_validation():
    assert np.allclose(dk.log_alpha(2.0, 3), np.log(2.0))
    assert np.all(dk.log_alpha(0.0, 2, allow_zero=True) == -np.inf)
    with pytest.raises(ValueError, match="alpha must be positive"):
        dk.log_alpha(0.0, 2)
    with pytest.raises(ValueError, match="length d=3"):
        dk.log_alpha([1.0, 2.0], 3)
    with pytest.raises(ValueError, match="alpha must be finite"):
        dk.log_alpha(-1.0, 2)
    with pytest.raises(TypeError, match="alpha"):
        dk.log_alpha("big", 2)
    X, y, _ = _instance()
    with pytest.raises(ValueError, match="y must have length"):
        dk.run_gd(X, y[:-1], 0.5, 0.05, 10)


def test_exports_and_reexports_are_the_same_objects():
    from theorems import diagonal_networks as dn

    for name in ("Run", "run_gd", "run_sgd", "run_sgf"):
        assert getattr(sim, name) is getattr(dk, name) is getattr(dn, name)
        assert name in sim.__all__


def test_sim_does_not_import_theorems_sympy_or_hypothesis():
    code = (
        "import sys, sim, sim.diagonal_kernels; "
        "bad = [m for m in ('theorems', 'sympy', 'hypothesis') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
