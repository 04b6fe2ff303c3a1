"""Numerics behind the ``relu1.*`` claims: the exact piecewise integrator of a single ReLU neuron's
gradient flow (against solve_ivp with events and against the orthogonal closed form), the sympy
derivations (against independent numerical computations) and input validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from sim.relu_flow import (
    initial_pattern,
    loss,
    norm_rate,
    relu_flow_exact,
    relu_flow_ivp,
    validate_problem,
)
from theorems import relu_single_neuron as R


def _generic(seed: int, scale: float | None = None):
    rng = np.random.default_rng(seed)
    n, d = int(rng.integers(2, 8)), int(rng.integers(2, 5))
    X = rng.uniform(-2, 2, (n, d))
    y = rng.uniform(0.2, 2, n) * (rng.random(n) < 0.7)
    w0 = rng.normal(size=d) * (scale if scale is not None else rng.choice([0.01, 1.0, 3.0]))
    return X, y, w0


# ------------------------------------------------------------------------------ integrator
@pytest.mark.parametrize("seed", range(12))
def test_exact_matches_solve_ivp_with_events(seed):
    X, y, w0 = _generic(seed)
    p = relu_flow_exact(X, y, w0)
    if p.t_settle == 0.0:  # nothing active: w is static
        assert np.array_equal(p.w(5.0), w0)
        return
    T = min(p.t_settle, 60.0)
    q = relu_flow_ivp(X, y, w0, T, rtol=1e-12, atol=1e-14)
    ts = np.linspace(0, T, 40)
    scale = 1 + np.abs(p.w(ts)).max()
    assert np.abs(p.w(ts) - q.w(ts)).max() <= 1e-7 * scale
    # switches of positive-label points are sharp events and must coincide
    ev_p = [t for t, js in zip(p.event_times, p.event_points, strict=True) if t < T and np.any(y[js] > 0)]
    for t in ev_p:
        assert np.min(np.abs(q.event_times - t)) <= 1e-6 * max(1.0, t)


def test_exact_converges_to_ivp_as_tolerance_tightens():
    """solve_ivp's error shrinks towards the exact path as rtol decreases (the exact one is the oracle)."""
    X, y, w0 = _generic(136 % 12 + 100)
    p = relu_flow_exact(X, y, w0)
    T = min(p.t_settle, 60.0)
    ts = np.linspace(0, T, 30)
    errs = [
        np.abs(relu_flow_ivp(X, y, w0, T, rtol=r, atol=r * 1e-2).w(ts) - p.w(ts)).max() for r in (1e-8, 1e-12)
    ]
    assert errs[1] < errs[0] and errs[1] < 1e-8


def test_orthogonal_closed_form_independent():
    """Exact integrator vs the orthogonal closed form written out by hand (not via sympy)."""
    rng = np.random.default_rng(3)
    n, d = 4, 6
    Q, _ = np.linalg.qr(rng.normal(size=(d, n)))
    X = (Q * np.array([0.3, 1.0, 2.0, 3.0])).T
    y = np.array([1.0, 0.0, 1.5, 0.7])
    w0 = rng.normal(size=d)
    p = relu_flow_exact(X, y, w0)
    z0, a = X @ w0, np.sum(X * X, axis=1)
    for t in (0.0, 0.3, 2.0, 10.0, 200.0):
        w = w0.copy()
        for i in np.flatnonzero(z0 > 0):
            zi = y[i] + (z0[i] - y[i]) * math.exp(-a[i] * t / n)
            w += (zi - z0[i]) / a[i] * X[i]
        assert np.allclose(p.w(t), w, rtol=0, atol=1e-12)
        assert np.allclose(R.orthogonal_solution(X, y, w0, t), w, rtol=0, atol=1e-12)
    assert np.array_equal(p.ever_active, z0 > 0)
    assert p.event_times.size == 0


def test_vardi_shamir_single_event_and_zero_loss():
    X, y, w0 = R.vs_problem(1.0, 1e-2)
    p = relu_flow_exact(X, y, w0)
    assert p.event_times.size == 1
    assert list(p.event_points[0]) == [2]  # x3 switches off
    assert p.patterns[0].tolist() == [True, True, True]
    assert p.final_pattern.tolist() == [True, True, False]
    assert p.loss_inf < 1e-25
    assert np.allclose(p.w_inf[:2], [5.0, -1.0], atol=1e-12)
    assert p.w_inf[2] < w0[2]
    # at the switch, x3 . w = 0 to round-off
    assert abs(X[2] @ p.w(p.event_times[0])) < 1e-13


def test_coefficients_exact_vs_augmented_ivp():
    X, y, w0 = _generic(5)
    p = relu_flow_exact(X, y, w0)
    T = min(p.t_settle, 40.0)
    q = relu_flow_ivp(X, y, w0, T, rtol=1e-12, atol=1e-14, coefficients=True)
    for t in (0.5, T / 3, T):
        assert np.allclose(p.coefficients(t), q.coefficients(t), atol=1e-8)
        assert np.allclose(p.w(t) - w0, X.T @ p.coefficients(t), atol=1e-11)


def test_norm_rate_matches_derivative_of_norm():
    X, y, w0 = _generic(7, scale=0.5)
    p = relu_flow_exact(X, y, w0)
    ts = np.linspace(0.05, 3.0, 15)
    h = 1e-5
    fd = (p.norm2(ts + h) - p.norm2(ts - h)) / (2 * h)
    switches = p.event_times
    ok = np.array([np.all(np.abs(switches - t) > 2 * h) for t in ts])
    assert np.allclose(fd[ok], p.norm_rate(ts)[ok], rtol=1e-6, atol=1e-9)


def test_zero_input_row_never_active_and_side_rule():
    X = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
    y = np.array([1.0, 1.0, 1.0])
    w0 = np.array([0.1, 0.0])  # x3 . w0 = 0 exactly: inactive field pushes z3 up? x1.x3 = 0: no
    p = relu_flow_exact(X, y, w0)
    assert not p.ever_active[1]
    assert p.ever_active.tolist() == [True, False, False]
    assert np.allclose(p.w_inf, [1.0, 0.0])
    # a point on its surface is active iff the field without it pushes z up
    X2 = np.array([[1.0, 1.0], [0.0, 1.0]])
    w2 = np.array([0.1, -0.1])  # z2 = -0.1 < 0; move to z2 = 0 exactly
    w2 = np.array([0.1, 0.0])
    assert initial_pattern(X2, y[:2], w2).tolist() == [True, True]


def test_norm_identity_and_loss_helpers_hand_numbers():
    """Hand-derived: X = [[1,0],[0,1],[1,1]], y = (1,0,2), w = (2,-1): z = (2,-1,1), sigma(z) - y =
    (1,0,-1), so L = (1/6)(1 + 0 + 1) = 1/3; grad L = (1/3)[(2-1)(1,0) + (1-2)(1,1)] = (0,-1/3), so
    d||w||^2/dt = -2 w.grad L = -2/3."""
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = np.array([1.0, 0.0, 2.0])
    w = np.array([2.0, -1.0])
    assert loss(X, y, w) == pytest.approx(1 / 3, rel=1e-15)
    assert norm_rate(X, y, w) == pytest.approx(-2 / 3, rel=1e-15)


@pytest.mark.parametrize("seed", [2, 5, 9])
def test_norm_rate_is_minus_two_w_dot_finite_difference_gradient(seed):
    """d||w||^2/dt = 2 w.w' = -2 w.grad L, with grad L from central differences of the loss (checked
    by hand above), away from activation boundaries: independent of the identity's formula."""
    X, y, w0 = _generic(seed, scale=1.0)
    assert np.min(np.abs(X @ w0)) > 1e-3  # not on an activation boundary
    h = 1e-6
    g = np.array([(loss(X, y, w0 + h * e) - loss(X, y, w0 - h * e)) / (2 * h) for e in np.eye(w0.size)])
    assert norm_rate(X, y, w0) == pytest.approx(-2 * float(w0 @ g), rel=1e-6, abs=1e-9)


def test_found_counterexample_is_real_with_independent_integrator():
    """A small-init, in-U instance of the R12 search (integer data) loses norm; solve_ivp at two tight
    tolerances reproduces the drop measured on the exact path."""
    probs = R.integer_small_init_problems({"n": 6, "d": 3, "log10_scale": -2, "seed": 0})
    dips = [R.norm_dip(relu_flow_exact(X, y, w0)) for X, y, w0, _ in probs]
    k = int(np.argmax([d["rel_drop"] for d in dips]))
    X, y, w0, _ = probs[k]
    assert np.all(np.maximum(X @ w0, 0) <= y) and np.all((X @ w0)[y == 0] <= 0)  # w0 in U
    dip = R.norm_dip(relu_flow_exact(X, y, w0), num=200)
    assert dip["rel_drop"] > 1e-4
    T = dip["t_dip"] * 1.01
    for rt in (1e-10, 1e-12):
        q = relu_flow_ivp(X, y, w0, T, rtol=rt, atol=rt * 1e-3)
        nr = np.linalg.norm(q.w(np.array([dip["t_peak"], dip["t_dip"]])), axis=1)
        drop = (nr[0] - nr[1]) / nr[0]
        assert drop == pytest.approx(dip["rel_drop"], rel=1e-3)


# ------------------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    "X, y, w0, match",
    [
        ([[1.0, 0.0]], [-0.1], [0.1, 0.1], "non-negative"),
        ([[1.0, 0.0]], [1.0, 2.0], [0.1, 0.1], "y must have shape"),
        ([[1.0, 0.0]], [1.0], [0.1], "w0 must have shape"),
        ([1.0, 0.0], [1.0], [0.1, 0.1], "X must be a 2-D"),
        ([[np.nan, 0.0]], [1.0], [0.1, 0.1], "X must be finite"),
        ([[1.0, 0.0]], [np.inf], [0.1, 0.1], "y must be finite"),
    ],
)
def test_validation_errors(X, y, w0, match):
    with pytest.raises(ValueError, match=match):
        validate_problem(X, y, w0)
    with pytest.raises(ValueError, match=match):
        relu_flow_exact(X, y, w0)


def test_validation_other_arguments():
    X, y, w0 = [[1.0, 0.0]], [1.0], [0.1, 0.1]
    with pytest.raises(ValueError, match="grid_ratio"):
        relu_flow_exact(X, y, w0, grid_ratio=3.0)
    with pytest.raises(ValueError, match="T must be"):
        relu_flow_ivp(X, y, w0, -1.0)
    with pytest.raises(TypeError):
        validate_problem([["a", "b"]], y, w0)
    p = relu_flow_exact(X, y, w0)
    with pytest.raises(ValueError, match="t must be"):
        p.w(-1.0)


# ------------------------------------------------------------------------------ sympy
def test_sympy_residuals_vanish():
    assert R.derive_norm_identity() == 0
    D = R.derive_orthogonal()
    assert D["z_ode_residual"] == 0 and D["norm_increment_check"] == 0
    assert str(D["z_limit"]) == "y" and str(D["z_initial"]) == "z0"
    P = R.derive_population()
    assert P["kappa_check"] == 0 and P["rate_theta_check"] == 0 and P["radial"] == 2
    V = R.derive_vardi_shamir()
    assert V["w1"] == 5 and V["w2"] == -1 and str(V["w3_set"]) == "Interval(-oo, 1)"


@pytest.mark.parametrize("theta", [0.0, 0.3, math.pi / 2, 2.0, 3.0, math.pi])
def test_kappa_against_numerical_quadrature(theta):
    """E[relu(a.x) relu(b.x)] for unit a, b at angle theta, by polar quadrature (radial factor 2)."""
    f = lambda p: max(math.cos(p), 0.0) * max(math.cos(p - theta), 0.0)  # noqa: E731
    val = (
        2
        * quad(
            f,
            -math.pi,
            math.pi,
            points=[-math.pi / 2, math.pi / 2, theta - math.pi / 2, theta + math.pi / 2 - 2 * math.pi],
            limit=200,
        )[0]
    )
    assert float(R.kappa(theta)) == pytest.approx(val / (2 * math.pi), abs=1e-10)


def test_population_gradient_against_monte_carlo():
    rng = np.random.default_rng(0)
    d = 4
    v = np.array([1.0, 0.0, 0.0, 0.0])
    w = np.array([0.2, 0.5, 0.1, 0.0])
    N = 2_000_000
    Xs = rng.standard_normal((N, d))
    r = np.maximum(Xs @ w, 0) - np.maximum(Xs @ v, 0)
    g = (r * (Xs @ w > 0))[:, None] * Xs
    mc, se = g.mean(axis=0), g.std(axis=0) / math.sqrt(N)
    assert np.all(np.abs(mc - R.population_grad(w, v)) < 5 * se + 1e-12)
    wn = np.linalg.norm(w)
    th = math.acos(w @ v / wn)
    assert -(R.population_grad(w, v) @ w) / wn == pytest.approx(
        float(R.population_rate(wn, 1.0, th)), rel=1e-12
    )


@pytest.mark.parametrize("case", ["vardi_shamir", "generic_1", "generic_5"])
def test_exact_matches_generic_sim_gradient_flow(case):
    """Cross-check against the suite's generic event-driven flow (sim.dynamics.gradient_flow)."""
    dynamics = pytest.importorskip("sim.dynamics")
    problems = pytest.importorskip("sim.problems")
    if not hasattr(dynamics, "gradient_flow") or not hasattr(problems, "ReLUNeuron"):
        pytest.skip("generic gradient flow not available")
    if case == "vardi_shamir":
        X, y, w0 = R.vs_problem(1.5, 1e-2)
    else:
        X, y, w0 = _generic(int(case.split("_")[1]))
    p = relu_flow_exact(X, y, w0)
    T = min(p.t_settle, 40.0) or 1.0
    ts = np.linspace(0.0, T, 21)
    res = dynamics.gradient_flow(problems.ReLUNeuron(X, y), w0[None], T, t_eval=ts, rtol=1e-12, atol=1e-14)
    assert np.abs(res.theta[:, 0] - p.w(ts)).max() <= 1e-7 * (1 + np.abs(p.w(ts)).max())


# ------------------------------------------------------------------------- claim behaviour (issue 16)
def test_inactive_points_claim_reports_vacuous_instance():
    """An instance without a never-active point does not exercise the claim: vacuous, not a pass."""
    from theorems import Context, registry
    from theorems.relu_single_neuron.instances import generic_problem

    c = registry()["relu1.inactive_points_irrelevant"]
    for seed in range(50):
        inst = {"n": 2, "d": 2, "zero_frac": 0.0, "log10_scale": 0.0, "seed": seed}
        X, y, w0 = generic_problem(inst)
        if relu_flow_exact(X, y, w0).ever_active.all():
            break
    chk = c(inst, Context())
    assert chk.ok is None and chk.vacuous


def test_solve_ivp_failure_makes_cross_checks_inconclusive(monkeypatch):
    """A solve_ivp failure must not be replaced by the exact path (that would compare it with itself)."""
    from theorems import Context, registry
    from theorems.relu_single_neuron import claims_flow

    def boom(*a, **k):
        raise RuntimeError("chattering")

    monkeypatch.setattr(claims_flow, "relu_flow_ivp", boom)
    inst = {"n": 4, "d": 3, "zero_frac": 0.2, "log10_scale": -1.0, "seed": 1}
    for cid, i in (("relu1.norm_identity", inst), ("relu1.support_vector_span", {**inst, "n": 2})):
        chk = registry()[cid](i, Context())
        assert chk.ok is None and "solve_ivp" in chk.details["reason"]


def test_population_rate_underpowered_instance_is_inconclusive():
    """At theta = 0.05 the linear-teacher rate differs from the true one by ~||v|| theta^3/(6 pi) ~ 7e-6,
    far below what 2e5 draws detect: the non-rejection is inconclusive, and the detectable effect is
    reported. At theta = 1.5 the test is powered and holds."""
    from theorems import Context, registry

    c = registry()["relu1.population_norm_rate"]
    base = {"d": 4, "log10_ratio": -0.5, "v_norm": 1.0, "seed": 3}
    weak = c({**base, "theta": 0.05}, Context(level=0.01 / 3))
    assert weak.ok is None and weak.details["detectable_effect_90pct_power"] > 1e-4
    strong = c({**base, "theta": 1.5}, Context(level=0.01 / 3))
    assert strong.ok is True


def test_refuted_small_init_conjecture_pinned_counterexample_falsifies():
    import theorems
    from theorems.relu_single_neuron.claims_flow import SMALL_INIT_COUNTEREXAMPLE

    c = theorems.registry()["relu1.small_init_monotone_any_data"]
    assert c.status.value == "refuted" and c.pinned == [SMALL_INIT_COUNTEREXAMPLE]
    chk = theorems.replay("relu1.small_init_monotone_any_data", SMALL_INIT_COUNTEREXAMPLE)
    assert chk.ok is False and chk.details["rel_drop_fine"] > 1e-5
