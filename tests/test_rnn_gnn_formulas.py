"""Exact pieces of theorems.rnn_extrapolation and theorems.linear_gnn (no oracle runs)."""

from __future__ import annotations

import numpy as np
import pytest

from sim import LinearGNN, LinearRNN, Recorder, erdos_renyi, gd, normalized_adjacency
from theorems.linear_gnn import derive_gronwall, head_spectra, linear_rate_bound, rate_constants
from theorems.rnn_extrapolation import (
    derive_shift_response,
    derive_symmetric_mechanism,
    impulse_response,
    shift_counterexample,
    symmetric_extrapolation_bound,
)


@pytest.mark.parametrize(("d", "k"), [(2, 1), (5, 3), (9, 8)])
def test_shift_counterexample_is_exact(d, k):
    A, B, C = shift_counterexample(d, k)
    assert A.dtype == np.int64
    h = impulse_response(A, B, C, d + 3)
    assert h.tolist() == [int(j in (0, k)) for j in range(d + 3)]
    assert list(derive_shift_response(d, k, d + 3)) == h.tolist()
    p = LinearRNN(d, k)
    assert p.loss(p.pack(A, B, C))[0] == 0.0
    assert p.extrapolation_error(p.pack(A, B, C), 40)[0] == 1.0


def test_shift_counterexample_validates():
    with pytest.raises(ValueError, match="d > k"):
        shift_counterexample(3, 3)
    with pytest.raises(ValueError, match="k must be >= 1"):
        shift_counterexample(3, 0)
    with pytest.raises(TypeError):
        shift_counterexample(3.0, 1)


def test_impulse_response_float_and_exact_agree():
    rng = np.random.default_rng(0)
    A = rng.integers(-2, 3, (4, 4))
    B, C = rng.integers(-2, 3, 4), rng.integers(-2, 3, 4)
    exact = impulse_response(A, B, C, 8)
    approx = impulse_response(A.astype(float), B.astype(float), C.astype(float), 8)
    assert np.array_equal(exact.astype(float), approx)
    big = impulse_response(np.array([[10**6]]), np.array([1]), np.array([1]), 5)
    assert big[-1] == 10**24  # beyond int64: Python integers, no overflow


def test_symmetric_mechanism_identities():
    D = derive_symmetric_mechanism(2, 3)
    assert all(x == 0 for v in D.values() for x in (v if isinstance(v, list) else [v]))


def test_symmetric_bound_holds_on_random_symmetric_points_and_needs_k3():
    rng = np.random.default_rng(1)
    for k in (3, 4):
        p = LinearRNN(5, k)
        for _ in range(20):
            th = p.init(rng.uniform(0.1, 1.2), int(rng.integers(1 << 30)), symmetric=True)
            A = p.split(th)[0][0]
            E = p.extrapolation_error(th, 30)[0]
            assert E <= symmetric_extrapolation_bound(A, p.loss(th)[0], k, 30) * (1 + 1e-10)
    with pytest.raises(ValueError, match="k >= 3"):
        symmetric_extrapolation_bound(np.eye(2), 1.0, 2, 10)


def _gnn(skip: bool, n_train: int = 12) -> LinearGNN:
    rng = np.random.default_rng(3)
    S = normalized_adjacency(erdos_renyi(20, 0.2, 3))
    return LinearGNN(
        rng.normal(size=(4, 20)),
        rng.normal(size=(2, n_train)),
        S,
        np.arange(n_train),
        depth=2,
        width=8,
        skip=skip,
    )


def test_rate_constants():
    plain, skip = _gnn(False), _gnn(True)
    c = rate_constants(plain)
    assert c.rank == 4 and c.L_star > 0
    # L* is the least-squares residual of Y on the features: an independent normal-equations solve
    G = plain.features()
    M = plain.Y @ G.T @ np.linalg.inv(G @ G.T)
    assert c.L_star == pytest.approx(np.sum((M @ G - plain.Y) ** 2), rel=1e-9)
    assert c.sigma_min == pytest.approx(np.linalg.svd(G, compute_uv=False)[-1], rel=1e-12)
    assert rate_constants(skip).L_star == pytest.approx(0.0, abs=1e-10)  # 12 stacked rows span 12 nodes
    with pytest.raises(TypeError):
        rate_constants(object())


def test_linear_rate_bound_along_gd_and_proof_steps():
    D = derive_gronwall()
    assert all(x == 0 for x in D["grad_W"]) and D["ode"] == 0
    gnn = _gnn(False)
    c = rate_constants(gnn)
    res = gd(
        gnn, gnn.init(0.5, 1, 2), 1e-3, 400, recorder=Recorder(every=1, iterates=True, loss_integral=False)
    )
    lo, hi = head_spectra(gnn, res.records["iterates"])
    assert np.allclose(lo[-1], gnn.lambda_min(res.theta), rtol=1e-10)
    integral = np.vstack([np.zeros((1, 2)), 1e-3 * np.cumsum(lo[:-1], axis=0)])
    L = res.records["loss"]
    bound = linear_rate_bound(gnn, L[0], integral, c)
    assert np.all(L <= bound * (1 + 1e-9))
    assert np.all(bound[-1] < L[0])  # the bound is informative here
    with pytest.raises(ValueError, match="lambda_integral"):
        linear_rate_bound(gnn, 1.0, -1.0)
