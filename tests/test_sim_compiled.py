"""The fused SGF step and the optional compiled path (``sim._compiled``, numba: the ``fast`` extra).

* the compiled PCG64 seeding, raw outputs and standard normals equal numpy's bit for bit;
* ``run_sgf``'s fused Euler-Maruyama step equals an independent unfused implementation (three
  products, as the kernel was before the fusion) to 1e-12 relative on the same draws;
* the numpy and the compiled backends give bit-identical runs (paths, loss integral, divergence
  flags, traces, early stop), with drawn and with given increments;
* replica r's path does not depend on the number of replicas; numba is loaded lazily.

Tests that need numba are skipped, with the reason, when it is not installed.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from sim import _compiled
from sim.diagonal_kernels import run_sgf
from sim.noise import BrownianPath, replica_generators

needs_numba = pytest.mark.skipif(
    not _compiled.available(),
    reason="numba is not installed (the 'fast' extra): the compiled path is not tested",
)


def _problem(n: int = 12, d: int = 30, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    beta = np.zeros(d)
    beta[:3] = (1.0, -0.5, 0.8)
    return X, X @ beta


def _unfused_em(X, y, alpha, gamma, h, n_steps, R, increments):
    """Euler-Maruyama of the SGF written out term by term (drift product, residual product and a
    separate noise product), independently of the fused kernel."""
    n, d = X.shape
    wp = np.full((R, d), float(alpha))
    wm = wp.copy()
    J = np.zeros(R)
    for dB in increments:
        r = (wp * wp - wm * wm) @ X.T - y
        L = 0.25 * np.mean(r * r, axis=1)
        g = (r @ X) / n
        s = 2.0 * np.sqrt(gamma / n * L)[:, None]
        xb = dB @ X
        J += h * L
        wp = wp * (1.0 - g * h + s * xb)
        wm = wm * (1.0 + g * h - s * xb)
    return wp, wm, J


def _same_run(a, b) -> None:
    for name in ("wp", "wm", "loss", "loss_integral", "log_shrink", "diverged"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.steps == b.steps and a.time == b.time
    assert a.trace.keys() == b.trace.keys()
    for key in a.trace:
        assert np.array_equal(a.trace[key], b.trace[key]), key


# ----------------------------------------------------------------------------- random streams
@needs_numba
@pytest.mark.parametrize(
    "seed", [0, 1, 2024, 2**40 + 3, 2**130 + 17, np.random.SeedSequence(9, spawn_key=(4, 2))]
)
def test_compiled_streams_equal_numpy(seed):
    K = _compiled.kernels()
    R = 40
    st = _compiled.pcg64_states(seed, R)
    gens = replica_generators(seed, R)
    for r, g in enumerate(gens):
        ref = g.bit_generator.state["state"]
        assert (int(st[r, 0]) << 64 | int(st[r, 1])) == ref["state"]
        assert (int(st[r, 2]) << 64 | int(st[r, 3])) == ref["inc"]
    raw = np.empty((R, 64), dtype=np.uint64)
    K.raw64(st.copy(), raw)
    for r, g in enumerate(replica_generators(seed, R)):
        assert np.array_equal(raw[r], g.bit_generator.random_raw(64))
    # 40 x 4000 normals: every ziggurat layer, its wedge and the tail (layer 0) are exercised
    z = np.empty((R, 4000))
    K.draw_normals(st.copy(), z)
    ref = np.stack([g.standard_normal(4000) for g in replica_generators(seed, R)])
    assert np.array_equal(z, ref)
    assert np.abs(z).max() > 3.6541528853610088  # some draws came from the tail


@needs_numba
def test_compiled_normals_cover_the_slow_paths_bit_for_bit():
    # 2e6 draws of one stream: ~0.7% go through the wedge test, ~600 through the tail
    K = _compiled.kernels()
    z = np.empty((1, 2_000_000))
    K.draw_normals(_compiled.pcg64_states(77, 1), z)
    ref = replica_generators(77, 1)[0].standard_normal(2_000_000)
    assert np.array_equal(z[0], ref)
    assert np.sum(np.abs(z) > 3.6541528853610088) > 300


@needs_numba
def test_seed_fallback_for_nondefault_pool_gives_numpy_states():
    ss = np.random.SeedSequence(5, pool_size=8)
    st = _compiled.pcg64_states(ss, 3)
    for r, g in enumerate(replica_generators(ss, 3)):
        ref = g.bit_generator.state["state"]
        assert (int(st[r, 0]) << 64 | int(st[r, 1])) == ref["state"]


@needs_numba
def test_compiled_loss_is_numpys_pairwise_sum():
    K = _compiled.kernels()
    rng = np.random.default_rng(3)
    for n in [1, 2, 7, 8, 9, 15, 16, 17, 40, 63, 100, 127, 128]:
        r = rng.standard_normal((5, n)) * rng.uniform(0.1, 10.0)
        y = rng.standard_normal(n)
        L = np.empty(5)
        rc = r.copy()
        K.sgf_residual_loss(rc, y, L)
        assert np.array_equal(rc, r - y)
        assert np.array_equal(L, 0.25 * np.mean((r - y) ** 2, axis=1)), n


# ----------------------------------------------------------------------------- the fused step
@pytest.mark.parametrize("backend", ["numpy", pytest.param("numba", marks=needs_numba)])
def test_fused_em_matches_unfused_reference(backend):
    X, y = _problem()
    gamma, h, N, R = 0.05, 0.01, 400, 6
    inc = BrownianPath(3, R, X.shape[0], h).fine(N)
    wp, wm, J = _unfused_em(X, y, 0.5, gamma, h, N, R, inc)
    for run in (
        run_sgf(X, y, 0.5, gamma, h, N, n_replicas=R, seed=3, backend=backend),
        run_sgf(X, y, 0.5, gamma, h, N, n_replicas=R, increments=inc, backend=backend),
    ):
        assert run.steps == N and not run.diverged.any()
        np.testing.assert_allclose(run.wp, wp, rtol=1e-12, atol=0)
        np.testing.assert_allclose(run.wm, wm, rtol=1e-12, atol=0)
        np.testing.assert_allclose(run.loss_integral, J, rtol=1e-12, atol=0)
    # the noise matters: without it the path is visibly different (not a drift-only agreement)
    wp0, _, _ = _unfused_em(X, y, 0.5, gamma, h, N, R, np.zeros_like(inc))
    assert np.max(np.abs(wp0 - wp) / np.abs(wp)) > 1e-3


@needs_numba
@pytest.mark.parametrize("noise", ["paper", "gamma_amplitude"])
def test_backends_are_bit_identical(noise):
    X, y = _problem(n=9, d=25, seed=1)
    kw = dict(n_replicas=5, seed=11, noise=noise, trace_every=7, check_every=13)
    a = run_sgf(X, y, 0.3, 0.08, 0.02, 250, backend="numpy", **kw)
    b = run_sgf(X, y, 0.3, 0.08, 0.02, 250, backend="numba", **kw)
    _same_run(a, b)
    # given increments: an array and an iterator (coarsened from a finer path)
    inc = BrownianPath(2, 5, 9, 0.01).fine(500).reshape(250, 2, 5, 9).sum(axis=1)
    kw.pop("seed")
    for source in (inc, lambda: iter(list(inc))):
        args = source if isinstance(source, np.ndarray) else source()
        a = run_sgf(X, y, 0.3, 0.08, 0.02, 250, increments=args, backend="numpy", **kw)
        args = source if isinstance(source, np.ndarray) else source()
        b = run_sgf(X, y, 0.3, 0.08, 0.02, 250, increments=args, backend="numba", **kw)
        _same_run(a, b)


@needs_numba
def test_backends_agree_on_divergence_and_early_stop():
    X, y = _problem(n=8, d=20, seed=2)
    # a large step: some replicas blow up and are frozen at their last checked state
    kw = dict(n_replicas=16, seed=4, check_every=5)
    a = run_sgf(X, y, 1.0, 0.05, 0.05, 300, backend="numpy", **kw)
    b = run_sgf(X, y, 1.0, 0.05, 0.05, 300, backend="numba", **kw)
    assert a.diverged.any() and not a.diverged.all()
    assert np.all(np.isfinite(a.wp)) and np.all(np.isfinite(a.loss_integral))
    _same_run(a, b)
    # early stop once every replica's loss is below tol_loss
    kw = dict(n_replicas=3, seed=4, check_every=50, tol_loss=1e-3)
    a = run_sgf(X, y, 0.5, 0.01, 0.05, 20000, backend="numpy", **kw)
    b = run_sgf(X, y, 0.5, 0.01, 0.05, 20000, backend="numba", **kw)
    assert a.steps < 20000 and np.all(a.loss <= 1e-3)
    _same_run(a, b)


@pytest.mark.parametrize("backend", ["numpy", pytest.param("numba", marks=needs_numba)])
def test_replica_paths_do_not_depend_on_the_replica_count(backend):
    X, y = _problem()
    few = run_sgf(X, y, 0.5, 0.05, 0.01, 100, n_replicas=4, seed=8, backend=backend)
    many = run_sgf(X, y, 0.5, 0.05, 0.01, 100, n_replicas=1024, seed=8, backend=backend)
    # the same draws; BLAS may block products of 4 and 1024 rows differently (round-off only)
    np.testing.assert_allclose(many.wp[:4], few.wp, rtol=1e-12, atol=0)
    np.testing.assert_allclose(many.loss_integral[:4], few.loss_integral, rtol=1e-12, atol=0)


def test_backend_argument_and_missing_numba(monkeypatch):
    X, y = _problem()
    with pytest.raises(ValueError, match="backend"):
        run_sgf(X, y, 0.5, 0.05, 0.01, 10, backend="cuda")
    monkeypatch.setattr(_compiled, "_kernels", None)
    monkeypatch.setitem(sys.modules, "sim._numba_kernels", None)  # as if numba were absent
    with pytest.raises(ImportError, match=r"\.\[fast\]"):
        run_sgf(X, y, 0.5, 0.05, 0.01, 10, backend="numba")
    monkeypatch.setattr(_compiled, "available", lambda: False)
    run = run_sgf(X, y, 0.5, 0.05, 0.01, 10, n_replicas=2048, backend="auto")  # numpy fallback
    assert run.steps == 10


def test_numba_is_loaded_lazily():
    code = (
        "import sys, numpy as np, sim\n"
        "X = np.random.default_rng(0).standard_normal((5, 7)); y = X[:, 0]\n"
        "sim.run_sgf(X, y, 0.5, 0.05, 0.01, 50, n_replicas=4)\n"
        "print('numba' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_auto_backend_loads_numba_only_when_it_repays(monkeypatch):
    monkeypatch.setattr(_compiled, "_kernels", None)
    monkeypatch.setattr(_compiled, "available", lambda: True)
    assert _compiled.choose("auto", 0.2) == "numpy"
    if _compiled.importlib.util.find_spec("numba") is not None:
        assert _compiled.choose("auto", 10.0) == "numba"
    monkeypatch.setattr(_compiled, "_kernels", None)
    monkeypatch.setitem(sys.modules, "sim._numba_kernels", None)  # numba present but broken
    assert _compiled.choose("auto", 10.0) == "numpy"
    # 5000 steps of the benchmark's problem at R = 1024 repay the load; a dev-profile claim's run not
    assert _compiled.sgf_saving(1024, 5000, 40, 100) > _compiled.AUTO_MIN_SAVING
    assert _compiled.sgf_saving(8, 2000, 10, 30) < _compiled.AUTO_MIN_SAVING
    monkeypatch.setattr(_compiled, "available", lambda: False)
    assert _compiled.choose("auto", 10.0) == "numpy"


@needs_numba
def test_brownian_path_compiled_draws_equal_numpy():
    for R, m, N, stride in [(3, 4, 50, 1), (17, 5, 33, 3), (2, 1, 2_000_000 // 3, 1)]:
        a = BrownianPath(6, R, m, 0.01, backend="numpy")
        b = BrownianPath(6, R, m, 0.01, backend="numba")
        assert np.array_equal(
            np.stack(list(a.increments(N, stride))), np.stack(list(b.increments(N, stride)))
        )
        if N * stride * R * m < 5_000_000:
            assert np.array_equal(a.fine(N), b.fine(N))
    with pytest.raises(ValueError, match="backend"):
        BrownianPath(6, 2, 2, 0.01, backend="gpu")
