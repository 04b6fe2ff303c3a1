"""Numerics of theorems.diagonal_networks (Pesme et al. 2021): closed forms against independent
computations, the implicit-problem solver, the fast kernels against the sim engine, input validation.

The claims themselves run through the oracle in tests/test_claims.py.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import scipy.optimize

from theorems import diagonal_networks as dn
from theorems.diagonal_networks import formulas, simulations

mpmath.mp.dps = 50


def _phi_mp(b: float, a: float) -> mpmath.mpf:
    b, a = mpmath.mpf(b), mpmath.mpf(a)
    return (b * mpmath.asinh(b / (2 * a**2)) - mpmath.sqrt(b**2 + 4 * a**4) + 2 * a**2) / 4


# ----------------------------------------------------------------------------- sympy derivations
def test_sympy_derivations_have_the_expected_forms():
    import sympy as sp

    dv = dn.derivations()
    s = dv["symbols"]
    b, a = s["beta"], s["alpha"]
    assert sp.simplify(dv["grad_phi"] - sp.asinh(b / (2 * a**2)) / 4) == 0
    assert sp.simplify(dv["primal_from_dual"] - 2 * a**2 * sp.sinh(s["z"])) == 0
    assert dv["conjugate_check"] == 0
    assert sp.simplify(dv["ito_drift_log_product"] + 4 * s["gamma"] * s["L"] * s["D"] / s["n"]) == 0
    assert dv["stratonovich_drift_log_product"] == 0
    assert sp.simplify(dv["alpha_t"] - a * sp.exp(-2 * s["gamma"] * s["D"] * s["J"] / s["n"])) == 0
    assert dn.shrink_coefficient() == -2.0


def test_lambdified_potential_matches_stable_form_and_mpmath():
    rng = np.random.default_rng(0)
    f = formulas._lambdified()["phi"]
    for _ in range(50):
        a = float(np.exp(rng.uniform(-3, 1)))
        b = float(rng.normal() * np.exp(rng.uniform(-4, 3)))
        ref = float(_phi_mp(b, a))
        assert dn.potential(np.array([b]), a) == pytest.approx(ref, rel=1e-9, abs=1e-300)
        assert f(b, a) == pytest.approx(ref, rel=1e-6, abs=1e-12)


@pytest.mark.parametrize("a", [1e-3, 1e-30, 1e-100, 1e-170, 1e-200])
def test_potential_stable_for_tiny_alpha(a):
    # alpha^2 underflows for a < ~1e-154: the log-domain evaluation must still be right.
    for b in (1e-3, -0.7, 2.5, 1e-250):
        ref = _phi_mp(b, a)
        got = dn.potential(np.array([b]), a)
        assert got == pytest.approx(float(ref), rel=1e-12)


def test_potential_small_beta_uses_no_cancellation():
    a, b = 1.0, 1e-6
    ref = float(_phi_mp(b, a))  # ~ b^2 / 16
    assert dn.potential(np.array([b]), a) == pytest.approx(ref, rel=1e-6)
    assert dn.potential(np.zeros(3), np.array([0.1, 1.0, 5.0])) == 0.0


def test_potential_gradient_against_finite_differences_and_batch():
    rng = np.random.default_rng(1)
    alpha = np.exp(rng.uniform(-2, 0.5, size=5))
    beta = rng.normal(size=5)
    grad = dn.potential_grad(beta, alpha)
    eps = 1e-6
    for i in range(5):
        e = np.zeros(5)
        e[i] = eps
        fd = (dn.potential(beta + e, alpha) - dn.potential(beta - e, alpha)) / (2 * eps)
        assert grad[i] == pytest.approx(fd, rel=1e-6)
    stack = np.stack([beta, 2 * beta])
    assert dn.potential(stack, alpha) == pytest.approx(
        [dn.potential(beta, alpha), dn.potential(2 * beta, alpha)]
    )


def test_potential_decreasing_in_alpha():
    # d phi / d alpha^2 = (2 - sqrt(b^2 + 4a^4)/a^2)/4 <= 0 (derived with sympy).
    beta = np.array([0.3, -2.0, 0.0, 5.0])
    vals = [dn.potential(beta, a) for a in np.geomspace(1e-3, 10, 30)]
    assert np.all(np.diff(vals) <= 1e-15)


# ----------------------------------------------------------------------------- implicit solution
def _scipy_argmin(X, y, alpha):
    d = X.shape[1]
    res = scipy.optimize.minimize(
        lambda b: dn.potential(b, alpha),
        np.linalg.lstsq(X, y, rcond=None)[0],
        jac=lambda b: dn.potential_grad(b, alpha),
        method="SLSQP",
        constraints=[{"type": "eq", "fun": lambda b: X @ b - y, "jac": lambda b: X}],
        options={"ftol": 1e-15, "maxiter": 1000},
    )
    assert res.success, res.message
    assert res.x.shape == (d,)
    return res.x


@pytest.mark.parametrize("seed", range(4))
def test_implicit_solution_matches_scipy_minimize(seed):
    inst = dn.sparse_regression(3, 6, 2, seed)
    alpha = dn.alpha_vector(6, 0.7, 0.3, seed)
    got = dn.implicit_solution(inst.X, inst.y, alpha)
    ref = _scipy_argmin(inst.X, inst.y, alpha)
    assert np.allclose(got, ref, atol=1e-5)
    assert dn.potential(got, alpha) <= dn.potential(ref, alpha) + 1e-12


@pytest.mark.parametrize("a", [10.0, 1.0, 0.1, 1e-3])
def test_implicit_solution_kkt(a):
    inst = dn.sparse_regression(15, 35, 3, 3)
    out = dn.implicit_solution(inst.X, inst.y, a, full_output=True)
    assert out.residual <= 1e-10 * (1 + np.linalg.norm(inst.y))
    # Stationarity: arcsinh(beta / 2 a^2) in range(X^T), i.e. orthogonal to ker X. (For a < ~1e-6
    # the off-support coordinates are ~a^2 sinh(z) and lose z in float64: see the next test.)
    z = 4 * dn.potential_grad(out.beta, a)
    _, _, Vt = np.linalg.svd(inst.X)
    null = Vt[inst.X.shape[0] :]
    assert np.linalg.norm(null @ z) <= 1e-6 * (1 + np.linalg.norm(z))


@pytest.mark.parametrize("a", [1.0, 1e-3, 1e-8, 1e-20])
def test_implicit_solution_is_a_minimum_along_kernel_directions(a):
    """Optimality without the mirror map: phi_a does not decrease along any of 40 random feasible
    directions (ker X) from the solution, at step sizes 1e-3 and 1e-5 of |beta|. Works at tiny a,
    where the stationarity test in z-space loses the off-support coordinates."""
    inst = dn.sparse_regression(15, 35, 3, 3)
    beta = dn.implicit_solution(inst.X, inst.y, a)
    _, _, Vt = np.linalg.svd(inst.X)
    null = Vt[inst.X.shape[0] :]
    rng = np.random.default_rng(1)
    phi0 = dn.potential(beta, a)
    worst = math.inf
    for _ in range(40):
        v = null.T @ rng.normal(size=null.shape[0])
        v *= np.linalg.norm(beta) / np.linalg.norm(v)
        for eps in (1e-3, 1e-5):
            for sgn in (1.0, -1.0):
                worst = min(worst, (dn.potential(beta + sgn * eps * v, a) - phi0) / phi0)
    assert worst >= -1e-12


def test_implicit_solution_offset_kkt():
    inst = dn.sparse_regression(6, 12, 2, 4)
    alpha = dn.alpha_vector(12, 0.4, 0.2, 1)
    c = np.random.default_rng(5).normal(size=12) * 0.05
    beta = dn.implicit_solution(inst.X, inst.y, alpha, c=c)
    # KKT of min phi - <c, beta>: grad phi(beta) - c in range(X^T).
    v = dn.potential_grad(beta, alpha) - c
    lam = np.linalg.lstsq(inst.X.T, v, rcond=None)[0]
    assert np.allclose(inst.X.T @ lam, v, atol=1e-9)
    assert np.allclose(inst.X @ beta, inst.y, atol=1e-9)


def test_implicit_solution_limits_l1_and_l2():
    inst = dn.sparse_regression(20, 50, 3, 7)
    b1 = dn.min_l1_interpolant(inst.X, inst.y)
    # alpha = 0 is the l1 problem: against an independent LP (min sum t, -t <= beta <= t, interior
    # point) and the hand reference beta* (s = 3 << n = 20: exact recovery of the sparse truth).
    b0 = dn.implicit_solution(inst.X, inst.y, 0.0)
    d = inst.X.shape[1]
    eye = np.eye(d)
    lp = scipy.optimize.linprog(
        np.concatenate([np.zeros(d), np.ones(d)]),
        A_ub=np.block([[eye, -eye], [-eye, -eye]]),
        b_ub=np.zeros(2 * d),
        A_eq=np.hstack([inst.X, np.zeros_like(inst.X)]),
        b_eq=inst.y,
        bounds=[(None, None)] * d + [(0, None)] * d,
        method="highs-ipm",
    )
    assert lp.status == 0
    assert np.abs(b0).sum() == pytest.approx(lp.fun, rel=1e-8)
    assert np.allclose(b0, inst.beta_star, atol=1e-8)
    small = dn.implicit_solution(inst.X, inst.y, 1e-64)
    assert np.linalg.norm(small - b1) <= 1e-3 * np.linalg.norm(b1)
    b2 = dn.min_l2_interpolant(inst.X, inst.y)
    for a in (3.0, 10.0, 30.0):
        big = dn.implicit_solution(inst.X, inst.y, a)
        rel = np.linalg.norm(big - b2) / np.linalg.norm(b2)
        assert rel <= np.abs(b2).max() ** 2 / a**4


def test_implicit_solution_continuation_down_to_tiny_alpha():
    inst = dn.sparse_regression(40, 100, 5, 0)
    out = dn.implicit_solution(inst.X, inst.y, 1e-128, full_output=True)
    assert out.stages > 1
    assert np.linalg.norm(out.beta - inst.beta_star) < 1e-8  # exact recovery regime (s << n)


def test_implicit_solution_vector_alpha_weighted_l1_limit():
    # alpha_i = eps^{kappa_i}: as eps -> 0 the argmin tends to the min of sum kappa_i |beta_i|.
    inst = dn.sparse_regression(8, 16, 2, 11)
    kappa = np.exp(np.random.default_rng(2).uniform(-0.5, 0.5, 16))
    ref = dn.min_l1_interpolant(inst.X, inst.y, weights=kappa)
    got = dn.implicit_solution(inst.X, inst.y, np.exp(-200.0 * kappa))
    assert np.linalg.norm(got - ref) <= 1e-2 * (1 + np.linalg.norm(ref))


def test_implicit_solution_inconsistent_system_says_so():
    # Rank 1, y not in range(X): no interpolant exists. The solver must say that, not "did not
    # converge" after its Newton iterations.
    X = np.ones((2, 3))
    with pytest.raises(ValueError, match="X beta = y has no solution"):
        dn.implicit_solution(X, [1.0, 2.0], 0.5)
    with pytest.raises(ValueError, match="X beta = y has no solution"):
        dn.implicit_solution(X, [1.0, 2.0], 0.0)
    # Rank-deficient but consistent: solved.
    beta = dn.implicit_solution(X, [1.0, 1.0], 0.5)
    assert np.allclose(X @ beta, [1.0, 1.0], atol=1e-9)


def test_implicit_solution_validation():
    X = np.ones((2, 3))
    with pytest.raises(ValueError, match="alpha"):
        dn.implicit_solution(X, [1.0, 2.0], -1.0)
    with pytest.raises(ValueError, match="length d=3"):
        dn.implicit_solution(X, [1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="y must have length 2"):
        dn.implicit_solution(X, [1.0], 1.0)
    with pytest.raises(ValueError, match="X must be"):
        dn.implicit_solution(np.ones(3), [1.0], 1.0)
    with pytest.raises(ValueError, match="offset"):
        dn.implicit_solution(np.eye(2, 3), [1.0, 2.0], 0.0, c=np.zeros(3))
    with pytest.raises(TypeError):
        dn.implicit_solution(X, [1.0, 2.0], "big")
    with pytest.raises(ValueError, match="tol"):
        dn.implicit_solution(np.eye(2, 3), [1.0, 2.0], 1.0, tol=0)


# ----------------------------------------------------------------------------- shrink formulas
def test_effective_init_shapes_and_formula():
    inst = dn.sparse_regression(5, 9, 2, 0)
    alpha = dn.alpha_vector(9, 0.5, 0.2, 0)
    J = np.array([0.1, 0.2, 0.0])
    out = dn.effective_init(alpha, 0.05, inst.X, J)
    assert out.shape == (3, 9)
    # Reference from the sympy Itô calculus (not the formula re-typed): d ln(w+ w-) = drift dt with
    # drift linear in L, so ln(alpha_J / alpha) = (drift / L) J / 2, with D = sum_i x_ij^2.
    import sympy as sp

    dv = dn.derivations()
    sy = dv["symbols"]
    log_ratio = sp.simplify(dv["ito_drift_log_product"] / sy["L"] * sy["J"] / 2)
    f = sp.lambdify((sy["gamma"], sy["D"], sy["n"], sy["J"]), log_ratio, "numpy")
    D = np.einsum("ij,ij->j", inst.X, inst.X)
    ref = alpha * np.exp(f(0.05, D[None, :], 5, J[:, None]))
    assert np.allclose(out, ref, rtol=1e-13)
    assert np.allclose(
        dn.effective_init(alpha, 0.05, inst.X, 0.2, batch_size=4),
        dn.effective_init(alpha, 0.0125, inst.X, 0.2),
    )
    with pytest.raises(ValueError, match="gamma"):
        dn.effective_init(alpha, -1.0, inst.X, 0.1)
    with pytest.raises(ValueError, match="loss_integral"):
        dn.effective_init(alpha, 0.1, inst.X, -0.1)
    with pytest.raises(ValueError, match="batch_size"):
        dn.effective_init(alpha, 0.1, inst.X, 0.1, batch_size=0)


def test_effective_init_against_engine_log_em():
    """The lead's sim engine integrates the SGF in log coordinates with its own Itô drift
    (diffusion_sq); the product identity it realises must match effective_init (independent code)."""
    from sim import dynamics
    from sim.problems import DiagonalNetwork

    inst = dn.sparse_regression(6, 10, 2, 3, col_scale=0.8)
    alpha = dn.alpha_vector(10, 0.5, 0.3, 3)
    prob = DiagonalNetwork(inst.X, inst.y)
    gamma = 0.5 * dn.step_scale(inst.X, inst.beta_star, alpha)
    res = dynamics.sde_solve(
        prob.sgf_term(gamma), prob.init(alpha, 3), gamma, 300, scheme="log_euler_maruyama", seed=2
    )
    wp, wm = prob.split(res.theta)
    pred = dn.effective_init(alpha, gamma, inst.X, res.loss_integral)
    assert np.allclose(np.sqrt(wp * wm), pred, rtol=1e-10)


def test_discrete_log_shrink_matches_sgd_product():
    inst = dn.sparse_regression(6, 12, 2, 5)
    # The accumulated shrink of the kernel against the final state of the engine's own SGD on the
    # same indices (independent code): ln(w+ w- / alpha^2) / 2.
    from sim import dynamics
    from sim.noise import draw_batch_indices
    from sim.problems import DiagonalNetwork

    idx = draw_batch_indices(6, 400, 3, 4, 1)
    run = dn.run_sgd(inst.X, inst.y, 0.5, 0.05, 400, n_replicas=3, indices=idx)
    prob = DiagonalNetwork(inst.X, inst.y)
    wp, wm = prob.split(dynamics.sgd(prob, prob.init(0.5, 3), 0.05, 400, indices=idx).theta)
    assert np.allclose(run.log_shrink, 0.5 * np.log(np.abs(wp * wm)) - math.log(0.5), atol=1e-10)
    assert np.abs(run.log_shrink).max() > 1e-3  # the shrink is not trivially zero
    # discrete_log_shrink from its definition: two multiplicative updates w+ (1 - x), w- (1 + x)
    # applied to w+ = w- = 1, then ln|w+ w-| / 2 (hand values for the first column).
    x = np.array([[0.5, 2.0], [0.1, -1.5]])
    wp1, wm1 = np.prod(1 - x, axis=0), np.prod(1 + x, axis=0)
    assert np.allclose(dn.discrete_log_shrink(x), 0.5 * np.log(np.abs(wp1 * wm1)))
    assert dn.discrete_log_shrink(x)[0] == pytest.approx(0.5 * math.log(0.75 * 0.99))


# ----------------------------------------------------------------------------- kernels vs engine
def test_run_sgd_matches_engine_sgd():
    from sim import dynamics
    from sim.noise import draw_batch_indices
    from sim.problems import DiagonalNetwork

    inst = dn.sparse_regression(7, 13, 2, 8)
    alpha = dn.alpha_vector(13, 0.4, 0.2, 8)
    prob = DiagonalNetwork(inst.X, inst.y)
    for b in (1, 3):
        idx = draw_batch_indices(9, 500, 4, 7, b)
        mine = dn.run_sgd(inst.X, inst.y, alpha, 0.02, 500, n_replicas=4, indices=idx)
        ref = dynamics.sgd(prob, prob.init(alpha, 4), 0.02, 500, indices=idx)
        wp, wm = prob.split(ref.theta)
        assert np.allclose(mine.wp, wp, rtol=1e-9) and np.allclose(mine.wm, wm, rtol=1e-9)
        assert np.allclose(mine.loss_integral, ref.loss_integral, rtol=1e-9)


@pytest.mark.parametrize("scheme", ["euler_maruyama", "log_euler_maruyama", "milstein", "heun"])
def test_run_sgf_matches_engine_sde_solve(scheme):
    from sim import dynamics
    from sim.noise import BrownianPath
    from sim.problems import DiagonalNetwork

    inst = dn.sparse_regression(6, 11, 2, 2)
    alpha = dn.alpha_vector(11, 0.5, 0.2, 2)
    prob = DiagonalNetwork(inst.X, inst.y)
    gamma, h, K = 0.03, 0.01, 300
    inc = BrownianPath(5, 3, 6, h).fine(K)
    mine = dn.run_sgf(inst.X, inst.y, alpha, gamma, h, K, n_replicas=3, increments=inc, scheme=scheme)
    ref = dynamics.sde_solve(prob.sgf_term(gamma), prob.init(alpha, 3), h, K, scheme=scheme, increments=inc)
    wp, wm = prob.split(ref.theta)
    assert np.allclose(mine.wp, wp, rtol=1e-8) and np.allclose(mine.wm, wm, rtol=1e-8)
    assert np.allclose(mine.loss_integral, ref.loss_integral, rtol=1e-9)


def test_run_sgf_validation_and_divergence_is_flagged():
    inst = dn.sparse_regression(4, 8, 2, 0)
    with pytest.raises(ValueError, match="scheme"):
        dn.run_sgf(inst.X, inst.y, 0.5, 0.1, 0.1, 10, scheme="rk4")
    with pytest.raises(ValueError, match="noise"):
        dn.run_sgf(inst.X, inst.y, 0.5, 0.1, 0.1, 10, noise="pink")
    # A huge step diverges: the replica is frozen at a finite state and flagged, never NaN.
    run = dn.run_sgd(inst.X, inst.y, 1.0, 5.0, 400, n_replicas=2, seed=0, check_every=20)
    assert run.diverged.all()
    assert np.all(np.isfinite(run.wp)) and np.all(np.isfinite(run.loss))


# ----------------------------------------------------------------------------- instances
def test_sparse_regression_instances():
    inst = dn.sparse_regression(10, 20, 3, 1, col_scale=1.0, mean=0.5, zero_columns=2)
    assert inst.X.shape == (10, 20) and inst.y.shape == (10,)
    assert np.count_nonzero(inst.beta_star) == 3
    assert np.all(inst.X[:, -2:] == 0) and np.all(inst.beta_star[-2:] == 0)
    assert np.allclose(inst.X @ inst.beta_star, inst.y)
    assert inst.test_error(inst.beta_star) == 0.0
    assert np.abs(inst.beta_star).max() <= 3.0
    again = dn.sparse_regression(10, 20, 3, 1, col_scale=1.0, mean=0.5, zero_columns=2)
    assert np.array_equal(inst.X, again.X)
    with pytest.raises(ValueError, match="s must be"):
        dn.sparse_regression(3, 4, 5, 0)
    with pytest.raises(ValueError, match="n must be"):
        dn.sparse_regression(0, 4, 1, 0)


def test_log_em_satisfies_product_identity_by_construction():
    # Structural test of the log-coordinate Itô scheme (a tautology for the claim, hence not a claim).
    inst = dn.sparse_regression(6, 12, 2, 1, col_scale=0.7)
    alpha = dn.alpha_vector(12, 0.5, 0.3, 1)
    gamma = dn.step_scale(inst.X, inst.beta_star, alpha)
    run = dn.run_sgf(
        inst.X, inst.y, alpha, gamma, gamma, 500, n_replicas=3, seed=3, scheme="log_euler_maruyama"
    )
    pred = np.log(dn.effective_init(alpha, gamma, inst.X, run.loss_integral) / alpha)
    assert np.allclose(run.log_shrink, pred, atol=1e-12 * math.sqrt(500))


def test_bregman_limit_matches_engine_gradient_flow_from_unbalanced_state():
    """GF from w+ != w- converges to argmin D_phi(beta, beta_0) with alpha^2 = w+ w- (pitfall 10)."""
    from sim import dynamics
    from sim.problems import DiagonalNetwork

    inst = dn.sparse_regression(5, 10, 2, 6)
    rng = np.random.default_rng(0)
    wp, wm = np.exp(rng.normal(-0.5, 0.3, (1, 10))), np.exp(rng.normal(-0.5, 0.3, (1, 10)))
    prob = DiagonalNetwork(inst.X, inst.y)
    fr = dynamics.gradient_flow(
        prob,
        np.concatenate([wp, wm], axis=1),
        4000.0,
        t_eval=np.array([4000.0]),
        rtol=1e-11,
        atol=1e-14,
        method="LSODA",
    )
    assert prob.loss(fr.final)[0] < 1e-20
    assert np.allclose(prob.beta(fr.final)[0], dn.bregman_limit(inst.X, inst.y, wp, wm)[0], atol=1e-7)


def test_setup_standardize_makes_the_shrink_uniform():
    inst = {"n": 7, "d": 15, "s": 2, "a": 0.5, "spread": 0.0, "f": 1.0, "seed": 3, "standardize": 1}
    data, alpha, gamma = dn.setup(inst)
    assert np.allclose(data.diag, 1.0)
    assert np.allclose(data.X @ data.beta_star, data.y)
    assert gamma > 0 and np.allclose(alpha, 0.5)


def test_l1_conjecture_counterexample_fixture():
    """Regression fixture: the counterexample the hypothesis hunt found for pesme2021.conj.l1_monotone
    (general form). Shrinking a uniform alpha from 4 to ~1 *increases* the l1 norm of the solution."""
    data, _, _ = dn.setup({"n": 4, "d": 5, "s": 2, "a": 1.0, "spread": 0.0, "f": 1.0, "seed": 0})
    l1 = {a: np.abs(dn.implicit_solution(data.X, data.y, a)).sum() for a in (4.0, 0.31, 1e-3)}
    assert l1[0.31] > l1[4.0] * (1 + 5e-3)  # not monotone...
    assert l1[1e-3] < l1[4.0]  # ...although the rich end is sparser than the kernel end
    # The points are certified argmins: compare with a generic constrained solver.
    for a in (4.0, 0.31):
        ref = _scipy_argmin(data.X, data.y, a)
        assert np.abs(ref).sum() == pytest.approx(l1[a], rel=1e-5)


def test_l1_conjecture_restricted_counterexample_fixture():
    """Regression fixture for pesme2021.conj.l1_monotone_gaussian_sparse (n >= 8, s <= n/2): the hunt
    found a near-square design (d = n + 1) where the l1 norm grows as a uniform alpha shrinks."""
    data, _, _ = dn.setup({"n": 8, "d": 9, "s": 4, "a": 1.0, "spread": 0.0, "f": 1.0, "seed": 4})
    l1 = [np.abs(dn.implicit_solution(data.X, data.y, a)).sum() for a in (2.1134, 1.1166)]
    assert l1[1] > l1[0] * (1 + 5e-4)


def test_claims_registered_with_false_variants():
    import theorems

    reg = theorems.registry()
    ids = [c.id for c in reg.select(["pesme2021"])]
    assert len(ids) >= 12
    for cid in ids:
        c = reg[cid]
        assert c.status.value in ("conjecture", "refuted") or c.false_variants, cid
        if c.status.value == "refuted":
            assert c.pinned, cid  # a refuted claim replays its counterexample
        assert c.tolerance and c.statement


# ----------------------------------------------------------------------------- asymptotics, GF closed form
def test_sympy_asymptotic_series_match_hand_derivation():
    """The series in derivations() against the coefficients derived by hand (q(x) = x asinh x -
    sqrt(1+x^2) + 1 expanded at 0 and at infinity) and the first-order large-alpha coefficient."""
    import sympy as sp

    dv = dn.derivations()
    s = dv["symbols"]
    b, a, bp = s["beta"], s["alpha"], s["beta_abs"]
    small = b**2 / (16 * a**2) - b**4 / (768 * a**6) + b**6 / (10240 * a**10) - 5 * b**8 / (458752 * a**14)
    assert sp.simplify(dv["phi_small_series"] - small) == 0
    large = (
        (bp * (sp.log(bp) + 2 * sp.log(1 / a) - 1) + 2 * a**2 - a**4 / bp) / 4
        + a**8 / (8 * bp**3)
        - a**12 / (6 * bp**5)
    )
    assert sp.simplify(sp.expand_log(dv["phi_large_series"] - large, force=True)) == 0
    assert sp.simplify(dv["kernel_correction"] - 1 / (24 * a**4)) == 0


def test_potential_series_remainders_in_mpmath():
    """Remainder after the head equals the next term to O(next ratio) in 50-digit arithmetic."""
    S = formulas._potential_series()
    for regime, ratio in (("large", 1e3), ("small", 1e-3)):
        head, nxt, nxt2 = S[regime]
        for a in (0.05, 1.0, 3.0):
            A = mpmath.mpf(a)
            B = mpmath.mpf(ratio) * A**2
            rem = _phi_mp(B, A) - head(B, A)
            assert float(rem / nxt(B, A)) == pytest.approx(1.0, abs=1e-4)
            assert float((rem - nxt(B, A)) / nxt2(B, A)) == pytest.approx(1.0, abs=1e-3)


def test_gf_log_flow_matches_engine_gradient_flow():
    from sim import dynamics
    from sim.problems import DiagonalNetwork

    data = dn.sparse_regression(5, 11, 2, 3)
    alpha = dn.alpha_vector(11, 0.4, 0.3, 3)
    t = np.array([0.7, 3.0])
    lp, lm, R = dn.gf_log_flow(data.X, data.y, alpha, t)
    prob = DiagonalNetwork(data.X, data.y)
    fr = dynamics.gradient_flow(prob, prob.init(alpha, 1), 3.0, t_eval=t, rtol=1e-11, atol=1e-14)
    # The engine integrates (w+, w-) directly: compare the whole state at both times.
    assert np.allclose(np.exp(np.hstack([lp, lm])), fr.theta[:, 0, :], rtol=1e-7, atol=1e-12)
    # The closed form: ln w+- = ln alpha -+ X^T R / n.
    assert np.allclose(lp, np.log(alpha) - R @ data.X / 5, atol=1e-12)
    with pytest.raises(ValueError, match="t_eval"):
        dn.gf_log_flow(data.X, data.y, alpha, [2.0, 1.0])
    with pytest.raises(ValueError, match="t_eval"):
        dn.gf_log_flow(data.X, data.y, alpha, [0.0, 1.0])


def test_l1_uniqueness_margin_certifies_and_detects_non_uniqueness():
    data = dn.sparse_regression(8, 20, 2, 5)
    b1 = dn.min_l1_interpolant(data.X, data.y)
    m = dn.l1_uniqueness_margin(data.X, data.y, b1)
    assert 0 < m <= 1
    # Independent check of uniqueness: slightly perturbed weights give the same minimiser.
    rng = np.random.default_rng(0)
    for _ in range(3):
        bw = dn.min_l1_interpolant(data.X, data.y, weights=1 + 1e-7 * rng.uniform(size=20))
        assert np.allclose(bw, b1, atol=1e-6)
    # A duplicated support column makes the minimiser non-unique: no strict certificate.
    j = int(np.flatnonzero(np.abs(b1) > 1e-9)[0])
    X2 = np.hstack([data.X, data.X[:, [j]]])
    assert dn.l1_uniqueness_margin(X2, data.y) <= 1e-9
    assert dn.l1_uniqueness_margin(data.X, np.zeros(8)) == 1.0
    with pytest.raises(ValueError, match="beta"):
        dn.l1_uniqueness_margin(data.X, data.y, np.ones(3))


def test_l1_slow_limit_fixture():
    """Counterexample to the spec's 'distance <= 1e-3 at alpha = 1e-64 whenever unique': a unique
    min-l1 interpolant with dual margin 0.005, approached like alpha^(2m)."""
    data, _, _ = dn.setup({"n": 4, "d": 8, "s": 2, "a": 1.0, "spread": 0.0, "f": 1.0, "seed": 3645})
    b1 = dn.min_l1_interpolant(data.X, data.y)
    assert 0 < dn.l1_uniqueness_margin(data.X, data.y, b1) < 0.01
    d = [
        np.linalg.norm(dn.implicit_solution(data.X, data.y, 10.0**-k) - b1) / np.linalg.norm(b1)
        for k in (32, 64)
    ]
    assert d[1] < d[0] and d[1] > 0.1


def test_large_alpha_expansion_against_solver():
    data = dn.sparse_regression(6, 14, 2, 8)
    b2 = dn.min_l2_interpolant(data.X, data.y)
    errs = []
    for a in (4.0, 8.0):
        bh = dn.implicit_solution(data.X, data.y, a)
        ap = dn.large_alpha_expansion(data.X, data.y, a)
        corr = np.linalg.norm(ap - b2)
        errs.append(np.linalg.norm(bh - ap))
        assert errs[-1] < 0.05 * corr  # the correction captures the deviation from X^+ y
        assert np.allclose(data.X @ ap, data.y, atol=1e-10)  # the correction lies in ker X
    assert errs[1] < errs[0] / 30  # next order ~ alpha^-8 (factor 256; solver floor allowed)
    with pytest.raises(ValueError, match="alpha"):
        dn.large_alpha_expansion(data.X, data.y, -1.0)


def test_sgd_runs_batch_size_passes_through():
    inst = {"n": 20, "d": 30, "s": 1, "a": 0.5, "spread": 0.0, "f": 1.0, "seed": 1}
    data, alpha, gamma = dn.setup(inst)
    run = dn.sgd_runs(inst, 3, t_max=5.0, tol=0.0, batch_size=2)
    ref = dn.run_sgd(
        data.X,
        data.y,
        alpha,
        gamma,
        int(math.ceil(5.0 / gamma)),
        n_replicas=3,
        seed=simulations._noise_seed(inst, 0, 0),
        batch_size=2,
    )
    assert np.array_equal(run.wp, ref.wp)
    assert not np.array_equal(run.wp, dn.sgd_runs(inst, 3, t_max=5.0, tol=0.0).wp)


def test_batch_strategy_respects_b_le_n_over_10():
    from hypothesis import given, settings

    from theorems.diagonal_networks.claims_sgd import _BATCH_STRATEGY

    @settings(max_examples=30, database=None, derandomize=True)
    @given(_BATCH_STRATEGY)
    def prop(inst):
        assert 2 <= inst["b"] <= max(2, inst["n"] // 10)

    prop()
