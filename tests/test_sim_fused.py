"""The fused Euler-Maruyama step of DiagonalSGF and the faster engine loop give the generic results."""

from __future__ import annotations

import numpy as np
import pytest

from sim import BrownianPath, DiagonalNetwork, DiagonalSGF, Recorder, SDETerm, sde_solve
from sim.dynamics import _fused_em_step


def _prob(n: int = 12, d: int = 30, seed: int = 0) -> DiagonalNetwork:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    beta = np.zeros(d)
    beta[:3] = 1.0
    return DiagonalNetwork(X, X @ beta)


class _Generic(SDETerm):
    """The same SDE through the generic scheme (no fused step)."""

    def __init__(self, term: DiagonalSGF) -> None:
        self.term, self.dim, self.noise_dim = term, term.dim, term.noise_dim

    def drift(self, x):
        return self.term.drift(x)

    def diffusion(self, x, dW):
        return self.term.diffusion(x, dW)

    def loss(self, x):
        return self.term.loss(x)


@pytest.mark.parametrize("R", [1, 3, 40])
def test_fused_step_is_the_generic_step(R):
    prob = _prob()
    term = prob.sgf_term(0.03, batch_size=2)
    rng = np.random.default_rng(R)
    x = np.abs(rng.standard_normal((R, prob.n_params))) + 0.1
    dW = 0.1 * rng.standard_normal((R, prob.n_samples))
    new, L = term.euler_maruyama_step(x, 0.01, dW)
    ref = x + term.drift(x) * 0.01 + term.diffusion(x, dW)
    np.testing.assert_allclose(new, ref, rtol=1e-14, atol=1e-15)
    assert np.array_equal(L, prob.loss(x))  # the loss is the same expression: same bits
    with pytest.raises(ValueError, match="out must"):
        term.euler_maruyama_step(x, 0.01, dW, out=x)


def test_sde_solve_fused_path_matches_generic_path():
    prob = _prob()
    term = prob.sgf_term(0.02)
    inc = BrownianPath(3, 5, prob.n_samples, 0.01).fine(400)
    rec = Recorder(every=50, norms=True)
    fast = sde_solve(term, prob.init(0.4), 0.01, 400, increments=inc, n_replicas=5, recorder=rec)
    slow = sde_solve(_Generic(term), prob.init(0.4), 0.01, 400, increments=inc, n_replicas=5, recorder=rec)
    np.testing.assert_allclose(fast.theta, slow.theta, rtol=1e-12)
    np.testing.assert_allclose(fast.loss_integral, slow.loss_integral, rtol=1e-12)
    assert fast.records.keys() == slow.records.keys()
    for k in fast.records:
        np.testing.assert_allclose(fast.records[k], slow.records[k], rtol=1e-11)
    # recorded states are copies, not views of the engine's reused buffers
    it = sde_solve(
        term,
        prob.init(0.4),
        0.01,
        4,
        increments=inc[:4],
        n_replicas=5,
        recorder=Recorder(iterates=True, scalars={"w0": lambda x: x[:, 0]}),
    )
    assert not np.array_equal(it.records["iterates"][1], it.records["iterates"][2])
    np.testing.assert_array_equal(it.records["w0"], it.records["iterates"][:, :, 0])


def test_fused_path_flags_divergence_like_the_generic_path():
    prob = _prob()
    term = prob.sgf_term(0.5)  # far too large: replicas blow up
    inc = BrownianPath(1, 6, prob.n_samples, 0.05).fine(300)
    a = sde_solve(term, prob.init(0.5), 0.05, 300, increments=inc, n_replicas=6, bound=1e8)
    b = sde_solve(_Generic(term), prob.init(0.5), 0.05, 300, increments=inc, n_replicas=6, bound=1e8)
    assert a.diverged, "expected divergence"
    assert [(v.replica, v.step) for v in a.diverged] == [(v.replica, v.step) for v in b.diverged]
    assert np.all(np.isfinite(a.theta)) and np.array_equal(a.active, b.active)


def test_fused_step_is_skipped_when_a_subclass_changes_the_sde():
    prob = _prob()

    class Louder(DiagonalSGF):
        def diffusion(self, x, dW):
            return 2.0 * super().diffusion(x, dW)

    assert _fused_em_step(prob.sgf_term(0.1)) is not None
    assert _fused_em_step(Louder(prob, 0.1)) is None
    inc = BrownianPath(2, 2, prob.n_samples, 0.01).fine(50)
    loud = sde_solve(Louder(prob, 0.1), prob.init(0.5), 0.01, 50, increments=inc, n_replicas=2)
    plain = sde_solve(prob.sgf_term(0.1), prob.init(0.5), 0.01, 50, increments=inc, n_replicas=2)
    assert not np.allclose(loud.theta, plain.theta)
