"""Numerics behind the online-vs-offline SGD-noise claims (sim.online_training and
theorems.online_sgd_noise): the fast training loops against the generic engine, the reduced online
sampler against explicit sampling, the least-squares recursion against Monte Carlo and a scalar
closed form, level matching, distances, statistics helpers and input validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import DiagonalNetwork, LeastSquares, gd, sgd
from sim.online_training import (
    Arm,
    Teacher,
    _Matcher,
    bias_variance,
    ls_min_norm_interpolant,
    ls_online_error_moment,
    normalised_distance,
    sparse_teacher,
    toeplitz_covariance,
    train_offline,
    train_online,
)
from theorems import Context, registry
from theorems import online_sgd_noise as M
from theorems.online_sgd_noise import formulas as MF  # private helpers
from theorems.online_sgd_noise import simulations as MS


# --------------------------------------------------------------------------- problem pieces
def test_toeplitz_and_teacher():
    S = toeplitz_covariance(5, 0.5)
    assert S[0, 3] == 0.125 and np.allclose(S, S.T)
    assert np.all(np.linalg.eigvalsh(S) > 0)
    t = sparse_teacher(12, 3, seed=4)
    assert np.count_nonzero(t.beta_star) == 3
    assert set(np.abs(t.beta_star[t.support])) == {1.0}
    assert np.all(t.w0 > 0) and t.w0.shape == (24,)
    assert np.allclose(t.chol @ t.chol.T, t.Sigma)
    # w+ != w-: the init is not the degenerate symmetric one
    assert np.any(t.beta0 != 0)
    # same seed, same teacher
    assert np.array_equal(sparse_teacher(12, 3, seed=4).w0, t.w0)


def test_population_mse_is_expected_squared_error():
    t = sparse_teacher(6, 2, seed=1)
    rng = np.random.default_rng(0)
    beta = rng.standard_normal(6)
    X, y = t.sample(rng, 200_000)
    mc = np.mean((X @ beta - y) ** 2)
    assert t.mse(beta) == pytest.approx(mc, rel=0.02)


def test_normalised_distance_and_bias_variance_by_hand():
    Sigma = np.diag([1.0, 4.0])
    assert normalised_distance(np.array([1.0, 1.0]), np.array([0.0, 0.0]), Sigma, 2.5) == pytest.approx(2.0)
    betas = np.array([[1.0, 0.0], [3.0, 0.0], [2.0, 2.0], [2.0, -2.0]])
    ref = np.array([0.0, 0.0])
    bias2, var = bias_variance(betas, ref, Sigma)
    # mean (2, 0); deviations (-1,0),(1,0),(0,2),(0,-2): Sigma-norms 1,1,16,16 -> var 8.5
    assert var == pytest.approx(8.5)
    assert bias2 == pytest.approx(4.0 - 8.5 / 3)
    # NaN rows (missed levels) are dropped
    b2, v2 = bias_variance(np.vstack([betas, [np.nan, np.nan]]), ref, Sigma)
    assert (b2, v2) == pytest.approx((bias2, var))


# --------------------------------------------------------------------------- level matching
def test_matcher_log_interpolation_and_multiple_crossings():
    levels = np.array([1.0, 0.5, 0.1])
    mt = _Matcher(levels, R=2, d=1)
    b_prev, b = np.array([[0.0], [0.0]]), np.array([[1.0], [1.0]])
    # replica 0 goes 2 -> 0.4 (crosses 1.0 and 0.5); replica 1 goes 2 -> 1.5 (nothing)
    mt.update(1, np.array([2.0, 2.0]), np.array([0.4, 1.5]), b_prev, b)
    s1 = (math.log(2.0) - math.log(1.0)) / (math.log(2.0) - math.log(0.4))
    s2 = (math.log(2.0) - math.log(0.5)) / (math.log(2.0) - math.log(0.4))
    assert mt.step[0, :2] == pytest.approx([s1, s2])
    assert mt.beta[0, :2, 0] == pytest.approx([s1, s2])
    assert np.isnan(mt.step[1]).all() and np.isnan(mt.step[0, 2])
    # a later step finishes replica 0 and starts replica 1; first crossings are never overwritten
    mt.update(2, np.array([0.4, 1.5]), np.array([0.05, 0.9]), b, 2 * b)
    assert mt.step[0, 0] == pytest.approx(s1)
    assert np.isfinite(mt.step[0, 2]) and 1.0 < mt.step[0, 2] < 2.0
    assert np.isfinite(mt.step[1, 0]) and np.isnan(mt.step[1, 1])


# --------------------------------------------------------------------------- fast loops vs engine
def test_offline_dln_sgd_matches_engine_on_shared_indices():
    t = sparse_teacher(10, 2, seed=3)
    X, y = t.sample(np.random.default_rng(5), 6)
    T, S, B, lr = 300, 3, 2, 0.04
    res = train_offline(t, X, [Arm(None), Arm(B)], lr=lr, n_steps=T, n_replicas=S, seed=11)
    # the indices train_offline draws for the key (batch=2, stream=0)
    rng = np.random.default_rng(np.random.SeedSequence([11, 2, B, 0]))
    idx = rng.integers(0, 6, size=(T, S, B))
    prob = DiagonalNetwork(X, y)
    ref = sgd(prob, t.w0, lr, T, indices=idx, n_replicas=S)
    np.testing.assert_allclose(res[1].w, ref.theta, rtol=1e-10, atol=1e-13)
    ref_gd = gd(prob, t.w0, lr, T)
    np.testing.assert_allclose(res[0].w, ref_gd.theta, rtol=1e-10, atol=1e-13)
    # train MSE = 4 x the engine's P-convention loss
    np.testing.assert_allclose(res[1].mse[-1], 4 * ref.records["loss"][-1], rtol=1e-9)


def test_offline_linear_matches_engine():
    t = sparse_teacher(8, 2, seed=2)
    X, y = t.sample(np.random.default_rng(1), 5)
    res = train_offline(t, X, [Arm(1)], lr=0.05, n_steps=200, n_replicas=2, seed=3, model="linear")
    idx = np.random.default_rng(np.random.SeedSequence([3, 2, 1, 0])).integers(0, 5, (200, 2, 1))
    ref = sgd(LeastSquares(X, y), t.beta0, 0.05, 200, indices=idx, n_replicas=2)
    np.testing.assert_allclose(res[0].beta, ref.theta, rtol=1e-10, atol=1e-13)


def test_online_population_gd_is_engine_gd_on_square_root_data():
    # X = sqrt(d) L' gives X'X/d = Sigma and X'y/d = Sigma beta*: full-batch GD = population GD
    t = sparse_teacher(9, 2, seed=6)
    d = t.d
    X = math.sqrt(d) * t.chol.T
    res = train_online(t, [Arm(None)], lr=0.04, n_steps=400, n_replicas=1, seed=0)
    ref = gd(DiagonalNetwork(X, X @ t.beta_star), t.w0, 0.04, 400)
    np.testing.assert_allclose(res[0].w, ref.theta, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("sampler", ["reduced", "explicit"])
def test_online_minibatch_gradient_law(sampler):
    """One linear step with lr = 1 exposes g = beta0 - beta1: its mean is Sigma e and its covariance
    (Isserlis) (Sigma e e' Sigma + (e' Sigma e) Sigma) / B, for both samplers."""
    t = sparse_teacher(4, 2, seed=9)
    B, R = 3, 20_000 if sampler == "reduced" else 6000
    res = train_online(t, [Arm(B)], lr=1.0, n_steps=1, n_replicas=R, seed=1, model="linear", sampler=sampler)[
        0
    ]
    g = t.beta0 - res.beta
    e = t.beta0 - t.beta_star
    Se = t.Sigma @ e
    mean_th = Se
    cov_th = (np.outer(Se, Se) + (e @ Se) * t.Sigma) / B
    se = np.sqrt(np.diag(cov_th) / R)
    assert np.all(np.abs(g.mean(axis=0) - mean_th) < 5 * se)
    cov = np.cov(g.T)
    assert np.max(np.abs(cov - cov_th)) < 0.1 * np.max(np.abs(cov_th))


def test_reduced_and_explicit_samplers_agree_in_distribution_over_a_run():
    t = sparse_teacher(6, 2, seed=2)
    kw = dict(lr=0.04, n_steps=150, n_replicas=400, seed=4)
    a = train_online(t, [Arm(2)], sampler="reduced", **kw)[0].mse[-1]
    b = train_online(t, [Arm(2)], sampler="explicit", **kw)[0].mse[-1]
    from scipy import stats

    assert stats.ks_2samp(np.log(a), np.log(b)).pvalue > 1e-3


def test_common_random_numbers_and_switching():
    t = sparse_teacher(8, 2, seed=1)
    T, tau = 120, 40
    res = train_online(
        t,
        [Arm(1), Arm(1, switch=tau), Arm(1, switch=T), Arm(None), Arm(1, switch=0)],
        lr=0.04,
        n_steps=T,
        n_replicas=3,
        seed=2,
    )
    sgd_run, switched, never, pop, zero = res
    # identical prefixes up to tau, identical whole path when the switch never happens
    np.testing.assert_array_equal(sgd_run.mse[: tau + 1], switched.mse[: tau + 1])
    assert np.all(sgd_run.mse[tau + 5] != switched.mse[tau + 5])
    np.testing.assert_array_equal(sgd_run.mse, never.mse)
    # switch = 0 is population GD
    np.testing.assert_allclose(zero.mse, np.repeat(pop.mse, 3, axis=1), rtol=1e-12)


def test_divergence_is_frozen_and_reported():
    t = sparse_teacher(6, 2, seed=0)
    res = train_online(t, [Arm(1)], lr=5.0, n_steps=200, n_replicas=4, seed=0, bound=1e6)[0]
    assert res.diverged.any()
    assert np.all(np.isfinite(res.mse)) and np.all(np.isfinite(res.beta))


# --------------------------------------------------------------------------- least squares theory
def test_ls_recursion_scalar_closed_form():
    # d = 1, B = 1: E(1 - eta x^2)^2 = 1 - 2 eta s + 3 eta^2 s^2 for x ~ N(0, s)
    s, eta, T = 1.7, 0.1, 7
    out = ls_online_error_moment([[s]], eta, 1, [[2.0]], T)
    rate = 1 - 2 * eta * s + 3 * eta**2 * s**2
    np.testing.assert_allclose(out, s * 2.0 * rate ** np.arange(T + 1), rtol=1e-13)
    gd_out = ls_online_error_moment([[s]], eta, None, [[2.0]], T)
    np.testing.assert_allclose(gd_out, s * 2.0 * (1 - eta * s) ** (2 * np.arange(T + 1)), rtol=1e-13)


def test_ls_recursion_scalar_batch_two_by_hand():
    """d = 1, B = 2, x1, x2 ~ N(0, s) iid: E(1 - eta (x1^2 + x2^2)/2)^2 = 1 - 2 eta s + eta^2 (3s^2 +
    3s^2 + 2s^2)/4 = 1 - 2 eta s + 2 eta^2 s^2 (hand-derived from E x^4 = 3 s^2)."""
    s, eta, T = 0.9, 0.3, 6
    out = ls_online_error_moment([[s]], eta, 2, [[1.5]], T)
    rate = 1 - 2 * eta * s + 2 * eta**2 * s**2
    np.testing.assert_allclose(out, s * 1.5 * rate ** np.arange(T + 1), rtol=1e-13)


def test_ls_recursion_fourth_moment_by_monte_carlo():
    """One step of the recursion against a direct Monte Carlo of E[(I - eta x x') P (I - eta x x')]
    with explicitly drawn x (independent of the reduced sampler)."""
    rng = np.random.default_rng(0)
    d, eta, N = 3, 0.2, 400_000
    A = rng.standard_normal((d, d))
    Sigma = A @ A.T / d + 0.3 * np.eye(d)
    e = rng.standard_normal(d)
    P = np.outer(e, e)
    x = rng.standard_normal((N, d)) @ np.linalg.cholesky(Sigma).T
    e1 = e - eta * x * (x @ e)[:, None]
    mc = np.mean(np.einsum("ni,ij,nj->n", e1, Sigma, e1))
    pred = ls_online_error_moment(Sigma, eta, 1, P, 1)[1]
    sd = np.std(np.einsum("ni,ij,nj->n", e1, Sigma, e1)) / math.sqrt(N)
    assert abs(mc - pred) < 5 * sd
    wrong = M.ls_online_expected_mse(Sigma, eta, 1, e, 1, trace_term=False)[1]
    assert abs(mc - wrong) > 10 * sd


def test_ls_recursion_monotone_in_batch():
    rng = np.random.default_rng(3)
    A = rng.standard_normal((5, 5))
    Sigma = A @ A.T / 5 + 0.1 * np.eye(5)
    e = rng.standard_normal(5)
    curves = [M.ls_online_expected_mse(Sigma, 0.1, b, e, 60) for b in (1, 2, 8)]
    curves.append(M.ls_online_expected_mse(Sigma, 0.1, None, e, 60))
    for small, large in zip(curves[:-1], curves[1:], strict=True):
        assert np.all(small[1:] > large[1:])


def test_ls_min_norm_interpolant_properties():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3, 7))
    y = rng.standard_normal(3)
    b0 = rng.standard_normal(7)
    b = ls_min_norm_interpolant(X, y, b0)
    np.testing.assert_allclose(X @ b, y, atol=1e-12)
    # b - b0 lies in the row span of X
    coef, *_ = np.linalg.lstsq(X.T, b - b0, rcond=None)
    np.testing.assert_allclose(X.T @ coef, b - b0, atol=1e-12)


# --------------------------------------------------------------------------- statistics helpers
def test_holm_by_hand():
    np.testing.assert_allclose(M.holm([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02])
    np.testing.assert_allclose(M.holm([0.9, 0.8]), [1.0, 1.0])  # capped at 1, monotone


def test_loglog_slope_and_bootstrap():
    lv = np.geomspace(1e-2, 1e-4, 5)
    assert float(M.loglog_slope(lv, 3 * lv**-1.0)) == pytest.approx(-1.0)
    rho = np.tile(2 * lv**0.0, (8, 1)) * np.exp(np.random.default_rng(0).normal(0, 0.01, (8, 1)))
    est, boot = M.bootstrap_slopes(rho, lv, 200, np.random.default_rng(1))
    assert abs(est) < 1e-12 and np.max(np.abs(boot)) < 1e-12


def test_bias_var_bootstrap_matches_direct_estimate():
    rng = np.random.default_rng(2)
    t = sparse_teacher(5, 2, seed=0)
    betas = rng.standard_normal((10, 3, 5)) + 0.3
    ref = np.zeros((3, 5))
    est, boot = MF._bias_var_boot(betas, ref, t.Sigma, 250, rng)
    direct = np.mean([np.divide(*bias_variance(betas[:, j], ref[j], t.Sigma)) for j in range(3)])
    assert est == pytest.approx(direct, rel=1e-10)
    assert boot.shape == (250,)


# --------------------------------------------------------------------------- validation
def test_input_validation():
    t = sparse_teacher(5, 2, seed=0)
    with pytest.raises(ValueError, match="rho"):
        toeplitz_covariance(4, 1.0)
    with pytest.raises(ValueError, match="k must"):
        sparse_teacher(3, 4, seed=0)
    with pytest.raises(TypeError, match="teacher"):
        train_online("x", [Arm(1)], lr=0.1, n_steps=2, n_replicas=1, seed=0)
    with pytest.raises(TypeError, match="arms"):
        train_online(t, [1], lr=0.1, n_steps=2, n_replicas=1, seed=0)
    with pytest.raises(ValueError, match="levels"):
        train_online(t, [Arm(1)], lr=0.1, n_steps=2, n_replicas=1, seed=0, levels=[0.1, 0.2])
    with pytest.raises(ValueError, match="lr"):
        train_online(t, [Arm(1)], lr=-1.0, n_steps=2, n_replicas=1, seed=0)
    with pytest.raises(ValueError, match="switch"):
        train_online(t, [Arm(1, switch=5)], lr=0.1, n_steps=2, n_replicas=1, seed=0)
    with pytest.raises(ValueError, match="same number of replicas"):
        train_online(t, [Arm(1), Arm(1, switch=1, replicas=3)], lr=0.1, n_steps=2, n_replicas=2, seed=0)
    with pytest.raises(ValueError, match="sampler"):
        train_online(t, [Arm(1)], lr=0.1, n_steps=2, n_replicas=1, seed=0, sampler="x")
    with pytest.raises(ValueError, match="model"):
        train_online(t, [Arm(1)], lr=0.1, n_steps=2, n_replicas=1, seed=0, model="relu")
    X = np.ones((3, 5))
    with pytest.raises(ValueError, match="batch"):
        train_offline(t, X, [Arm(4)], lr=0.1, n_steps=2, n_replicas=1, seed=0)
    with pytest.raises(ValueError, match="columns"):
        train_offline(t, np.ones((3, 4)), [Arm(1)], lr=0.1, n_steps=2, n_replicas=1, seed=0)
    with pytest.raises(ValueError, match="P0"):
        ls_online_error_moment(np.eye(2), 0.1, 1, np.eye(3), 2)
    assert isinstance(t, Teacher)


# --------------------------------------------------------------------------- the sweep itself
def test_dev_sweep_sanity():
    """The cached dev sweep: no divergence, every replica reaches every level, GD's discretisation
    control is tiny, and the offline positive control exists on the default draw."""
    cfg = M.config(Context(profile="dev"))
    on = M.online_sweep(0, cfg)
    off = M.offline_sweep(0, cfg)
    for sw in (on, off):
        assert not MS._diverged(sw)
        for r in sw.runs.values():
            assert np.all(r.reached())
    assert off.runs["b1"].test_mse.mean() < off.runs["gd"].test_mse[0]


def test_figures(tmp_path):
    pytest.importorskip("matplotlib")
    c = registry()["online_noise.dln_online_golden_path_flat"]
    paths = c.figures(Context(profile="dev"), str(tmp_path))
    assert any(p.endswith("online_noise_rho_vs_loss.png") for p in paths)
    assert all((tmp_path / p).exists() or __import__("os").path.exists(p) for p in paths)


def test_large_batch_sits_on_the_population_gd_curve():
    """The spec's cross-check: online SGD with B = 1000 follows population GD (relative MSE gap of a
    few percent, far below the B = 16 gap)."""
    t = sparse_teacher(20, 3, seed=5)
    res = train_online(t, [Arm(None), Arm(1000), Arm(16)], lr=0.04, n_steps=600, n_replicas=8, seed=1)
    gap_1000 = np.abs(np.log(res[1].mse[-1] / res[0].mse[-1, 0])).mean()
    gap_16 = np.abs(np.log(res[2].mse[-1] / res[0].mse[-1, 0])).mean()
    assert gap_1000 < 0.05 and gap_1000 < gap_16 / 5


def test_dln_draws_change_with_the_run_seed_and_are_shared():
    """The diagonal-network instances are the run's problem draws: the problem seed depends on the run
    seed and the draw index, is the same for every claim, and an explicit seed is used as given."""
    from theorems.online_sgd_noise.instances import dln_problem_seed

    a = [dln_problem_seed({"draw": k}, 0) for k in range(3)]
    b = [dln_problem_seed({"draw": k}, 1) for k in range(3)]
    assert len(set(a)) == 3 and not set(a) & set(b)
    assert dln_problem_seed({"draw": 1}, 0) == a[1]
    assert dln_problem_seed({"seed": 17, "draw": 2}, 5) == 17
    with pytest.raises(ValueError, match="draw"):
        dln_problem_seed({"draw": -1}, 0)


def test_ls_monotone_claim_states_its_power():
    """The Monte-Carlo part reports the effect it could detect and the trace term's effect."""
    c = registry()["online_noise.ls_online_per_step_monotone"]
    inst = {"d": 5, "cond": 4.0, "f": 0.2, "b_small": 1, "b_ratio": 4, "steps": 60, "seed": 2}
    chk = c(inst, Context(level=0.01 / 3))
    assert chk.ok is True
    assert chk.details["trace_term_effect"] >= chk.details["detectable_effect_90pct_power"] > 0
