"""sim.rnn.LinearRNN and sim.gnn.LinearGNN: analytic gradients against finite differences, validation,
and the Problem interface (driven by sim.dynamics.gd)."""

from __future__ import annotations

import numpy as np
import pytest

from sim import LinearGNN, LinearRNN, Recorder, erdos_renyi, gd, impulse_response, normalized_adjacency


def _fd(problem, theta: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(theta)
    for i in range(theta.shape[1]):
        e = np.zeros_like(theta)
        e[:, i] = eps
        g[:, i] = (problem.loss(theta + e) - problem.loss(theta - e)) / (2 * eps)
    return g


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).max() / max(1.0, np.abs(b).max()))


# ------------------------------------------------------------------ RNN
@pytest.mark.parametrize("k", [1, 2, 5])
def test_rnn_population_gradient_matches_finite_differences(k):
    p = LinearRNN(4, k, teacher=[1.0, 0.5, -0.2])
    th = p.init(0.7, 3, 3)
    assert _rel(p.grad(th), _fd(p, th)) < 1e-7


def test_rnn_data_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(7, 4)), rng.normal(size=7)
    p = LinearRNN(3, 4, X=X, y=y)
    th = p.init(0.8, 1, 2)
    assert _rel(p.grad(th), _fd(p, th)) < 1e-7
    ps = p.per_sample_grads(th)
    assert np.allclose(ps.mean(axis=1), p.grad(th), rtol=1e-12, atol=1e-12)
    idx = np.array([[0, 3, 3], [6, 1, 2]])
    want = np.stack([ps[r, idx[r]].mean(axis=0) for r in range(2)])
    assert np.allclose(p.minibatch_grad(th, idx), want, rtol=1e-12, atol=1e-12)


def test_rnn_data_loss_is_an_unbiased_estimate_of_the_population_loss():
    rng = np.random.default_rng(1)
    k = 3
    X = rng.normal(size=(200_000, k))
    pop = LinearRNN(3, k)
    data = LinearRNN(3, k, X=X, y=X[:, -1])  # memoryless teacher y = x_k
    th = pop.init(0.9, 2, 2)
    assert np.allclose(data.loss(th), pop.loss(th), rtol=2e-2)


def test_rnn_impulse_response_and_prediction():
    rng = np.random.default_rng(2)
    A, B, C = rng.normal(size=(3, 3)) / 2, rng.normal(size=3), rng.normal(size=3)
    h = impulse_response(A, B, C, 5)
    want = [C @ np.linalg.matrix_power(A, j) @ B for j in range(5)]
    assert np.allclose(h, want, rtol=1e-13)
    # the recurrence itself on one sequence
    x = rng.normal(size=5)
    state = np.zeros(3)
    for t in range(5):
        state = A @ state + B * x[t]
    p = LinearRNN(3, 5, X=x[None], y=[0.0])
    assert np.isclose(p.loss(p.pack(A, B, C))[0], (C @ state) ** 2, rtol=1e-12)


def test_rnn_gd_from_small_init_fits_and_stays_symmetric():
    p = LinearRNN(6, 2)
    th0 = p.init(0.05, 4, 2, symmetric=True)
    res = gd(p, th0, 0.01, 2000, recorder=Recorder(every=2000, loss_integral=False))
    assert not res.diverged
    assert p.loss(res.theta).max() < 1e-10
    assert p.asymmetry(res.theta).max() < 1e-13


def test_rnn_validation():
    with pytest.raises(ValueError, match="k must be >= 1"):
        LinearRNN(3, 0)
    with pytest.raises(ValueError, match="X must have k = 3 columns"):
        LinearRNN(2, 3, X=np.zeros((4, 2)), y=np.zeros(4))
    with pytest.raises(ValueError, match="pass both X"):
        LinearRNN(2, 3, X=np.zeros((4, 3)))
    with pytest.raises(ValueError, match="non-finite"):
        LinearRNN(2, 2, teacher=[1.0, np.nan])
    p = LinearRNN(2, 2)
    with pytest.raises(ValueError, match=r"shape \(8,\)"):
        p.loss(np.zeros(7))
    with pytest.raises(NotImplementedError, match="population loss has no samples"):
        p.minibatch_grad(np.zeros((1, 8)), np.zeros((1, 1), dtype=int))
    with pytest.raises(ValueError, match="K must exceed"):
        p.extrapolation_error(np.zeros(8), 2)
    with pytest.raises(ValueError, match="A must be square"):
        impulse_response(np.zeros((2, 3)), np.zeros(2), np.zeros(2), 3)


def test_rnn_divergence_is_reported_not_nan():
    p = LinearRNN(3, 4)
    th = p.init(3.0, 0, 2)
    res = gd(p, th, 0.5, 200, recorder=Recorder(every=200, loss_integral=False))
    assert res.diverged and np.all(np.isfinite(res.theta))


# ------------------------------------------------------------------ GNN
def _gnn(depth: int, skip: bool, seed: int = 0) -> LinearGNN:
    rng = np.random.default_rng(seed)
    S = normalized_adjacency(erdos_renyi(10, 0.3, seed))
    return LinearGNN(
        rng.normal(size=(3, 10)), rng.normal(size=(2, 5)), S, np.arange(5), depth=depth, width=4, skip=skip
    )


@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("skip", [False, True])
def test_gnn_gradient_matches_finite_differences(depth, skip):
    p = _gnn(depth, skip)
    th = p.init(0.5, 2, 2)
    assert _rel(p.grad(th), _fd(p, th)) < 1e-7


def test_gnn_prediction_is_the_formula():
    p = _gnn(2, True)
    th = p.init(0.5, 1, 1)
    m = {key: v[0] for key, v in p.unpack(th).items()}
    S2 = p.S @ p.S
    f = (
        m[("W", 0)] @ p.X
        + m[("W", 1)] @ m[("B", 1)] @ p.X @ p.S
        + m[("W", 2)] @ m[("B", 2)] @ m[("B", 1)] @ p.X @ S2
    )
    assert np.allclose(p.predict(th)[0], f[:, p.train], rtol=1e-12, atol=1e-12)
    assert np.isclose(p.loss(th)[0], np.sum((f[:, p.train] - p.Y) ** 2), rtol=1e-12)
    P = m[("B", 2)] @ m[("B", 1)]
    lam = min(1.0, np.linalg.eigvalsh(m[("B", 1)].T @ m[("B", 1)])[0], np.linalg.eigvalsh(P.T @ P)[0])
    assert np.isclose(p.lambda_min(th)[0], lam, rtol=1e-10)


def test_normalized_adjacency():
    A = erdos_renyi(12, 0.3, 5)
    assert np.array_equal(A, A.T) and np.all(np.diag(A) == 0)
    S = normalized_adjacency(A)
    d = (A + np.eye(12)).sum(axis=1)
    assert np.allclose(S, (A + np.eye(12)) / np.sqrt(np.outer(d, d)))
    ev = np.linalg.eigvalsh(S)
    assert ev.max() == pytest.approx(1.0) and ev.min() > -1.0
    with pytest.raises(ValueError, match="symmetric"):
        normalized_adjacency(np.triu(np.ones((3, 3)), 1))


def test_gnn_validation_and_gd():
    rng = np.random.default_rng(0)
    S = normalized_adjacency(erdos_renyi(6, 0.5, 0))
    X, Y = rng.normal(size=(2, 6)), rng.normal(size=(1, 3))
    with pytest.raises(ValueError, match="S must be"):
        LinearGNN(X, Y, np.eye(5), [0, 1, 2], depth=1, width=2)
    with pytest.raises(ValueError, match="distinct node indices"):
        LinearGNN(X, Y, S, [0, 1, 9], depth=1, width=2)
    with pytest.raises(ValueError, match="columns"):
        LinearGNN(X, Y, S, [0, 1], depth=1, width=2)
    with pytest.raises(ValueError, match="depth must be >= 1"):
        LinearGNN(X, Y, S, [0, 1, 2], depth=0, width=2)
    p = LinearGNN(X, Y, S, [0, 1, 2], depth=2, width=3, skip=True)
    with pytest.raises(ValueError, match="non-finite"):
        p.loss(np.full(p.n_params, np.nan))
    res = gd(p, p.init(0.5, 0, 2), 1e-2, 500, recorder=Recorder(every=500, loss_integral=False))
    assert np.all(res.records["loss"][-1] < res.records["loss"][0])
