"""Formulas of the three classics against hand-derived cases (the spec's sympy unit cases and KKT)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from theorems.adaptive_margin import angle, derive_single_sv, single_sv_direction, weighted_svm
from theorems.optimization_geometry import bregman_limit, max_margin, min_norm_interpolant, unit_cases
from theorems.separable_gd import (
    DESIGNED_Z,
    designed_closed_forms,
    direction_constant,
    offset,
    predicted_direction_error,
    svm,
)


# ----------------------------------------------------------------------------- Gunasekar
def test_unit_cases_sympy():
    uc = unit_cases()
    assert all(r == 0 for r in uc["residuals"])


@pytest.mark.parametrize(("q1", "q2"), [(1.0, 3.0), (0.2, 5.0)])
def test_bregman_quadratic_unit_case(q1, q2):
    # X = [1 1], y = 1, Q = diag(q1, q2), w0 = 0 -> (q2, q1)/(q1 + q2)
    w = bregman_limit([[1.0, 1.0]], [1.0], [0.0, 0.0], "quadratic", Q=[q1, q2])
    np.testing.assert_allclose(w, [q2 / (q1 + q2), q1 / (q1 + q2)], atol=1e-15)


def test_bregman_entropy_and_gd_unit_cases():
    a, b = 0.3, 1.1
    np.testing.assert_allclose(
        bregman_limit([[1.0, 1.0]], [1.0], [a, b], "entropy"), [a / (a + b), b / (a + b)], atol=1e-13
    )
    np.testing.assert_allclose(
        bregman_limit([[1.0, 1.0]], [1.0], [a, b], "quadratic"),
        [a + (1 - a - b) / 2, b + (1 - a - b) / 2],
        atol=1e-15,
    )


def test_bregman_l3_by_hand():
    # X = [1 1], y = 1, w0 = 0, psi = sum |w|^3/3: grad psi(w) = lam (1, 1) -> w = (1/2, 1/2) by symmetry
    np.testing.assert_allclose(bregman_limit([[1.0, 1.0]], [1.0], [0.0, 0.0], "l3"), [0.5, 0.5], atol=1e-12)
    # w0 = (1, 0), X = [1 0 ; 0 1] (square) -> the unique solution y
    np.testing.assert_allclose(
        bregman_limit(np.eye(2), [2.0, -1.0], [1.0, 0.0], "l3"), [2.0, -1.0], atol=1e-12
    )


def test_bregman_kkt_on_random_instance():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(3, 7))
    y = X @ rng.uniform(0.5, 1.5, 7)
    w0 = rng.uniform(0.5, 1.5, 7)
    for pot, grad in (("entropy", np.log), ("l3", lambda w: np.sign(w) * w * w)):
        w = bregman_limit(X, y, w0, pot)
        assert np.abs(X @ w - y).max() < 1e-11
        # grad psi(w) - grad psi(w0) must lie in row(X)
        r = grad(w) - grad(w0)
        resid = r - X.T @ np.linalg.lstsq(X.T, r, rcond=None)[0]
        assert np.abs(resid).max() < 1e-9


def test_bregman_errors():
    with pytest.raises(ValueError, match="w0 > 0"):
        bregman_limit([[1.0, 1.0]], [1.0], [-1.0, 1.0], "entropy")
    with pytest.raises(ValueError, match="potential"):
        bregman_limit([[1.0, 1.0]], [1.0], [1.0, 1.0], "cubic")
    with pytest.raises(ValueError, match="no Bregman projection"):
        bregman_limit([[1.0, 1.0]], [-1.0], [1.0, 1.0], "entropy")  # no positive interpolant


def test_max_margin_by_hand():
    # z1 = (1, 0), z2 = (0, 2): l2: w_hat = (1, 1/2), gamma = 1/||w_hat|| = 2/sqrt(5)
    Z = np.array([[1.0, 0.0], [0.0, 2.0]])
    m2 = max_margin(Z, 2)
    assert m2.gamma == pytest.approx(2 / math.sqrt(5), abs=1e-12)
    np.testing.assert_allclose(m2.w, np.array([1.0, 0.5]) / math.sqrt(1.25), atol=1e-9)
    # l1: max min(a, 2b) on a + b = 1 -> a = 2/3, gamma = 2/3; linf: w = (1, 1), gamma = 1
    m1 = max_margin(Z, 1)
    assert m1.gamma == pytest.approx(2 / 3, abs=1e-12)
    np.testing.assert_allclose(m1.w, [2 / 3, 1 / 3], atol=1e-12)
    mi = max_margin(Z, "inf")
    assert mi.gamma == pytest.approx(1.0, abs=1e-12)
    with pytest.raises(ValueError, match="separable"):
        max_margin(np.array([[1.0, 0.0], [-1.0, 0.0]]), 1)


def test_min_norm_interpolants_by_hand():
    X, y = [[1.0, 2.0]], [2.0]
    np.testing.assert_allclose(min_norm_interpolant(X, y, 2), [0.4, 0.8], atol=1e-15)
    np.testing.assert_allclose(min_norm_interpolant(X, y, 1), [0.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(min_norm_interpolant(X, y, "inf"), [2 / 3, 2 / 3], atol=1e-12)


# ----------------------------------------------------------------------------- Soudry
def test_svm_designed_instance_by_hand():
    s = svm(DESIGNED_Z)
    np.testing.assert_allclose(s.w, [1.0, 0.5], atol=1e-12)
    np.testing.assert_allclose(s.alpha, [1.0, 0.25, 0, 0, 0, 0], atol=1e-12)
    assert s.support.tolist() == [0, 1] and s.kkt < 1e-12


def test_designed_closed_forms_sympy():
    cf = designed_closed_forms()
    eta = cf["eta"]
    assert cf["w_hat"] == sp.Matrix([1, sp.Rational(1, 2)])
    assert cf["M"] == sp.eye(2)
    assert sp.simplify(cf["c_star"] - sp.Rational(4, 5) * sp.log(2)) == 0
    assert sp.simplify(cf["loss_constant"] - sp.Rational(5, 4) / eta) == 0
    assert min(cf["non_sv_margins"]) == 2


def test_offset_by_hand():
    # eta exp(-z_n^T w) = alpha_n: z1 = (1, 0), alpha 1 -> w1 = log eta; z2 = (0, 2), alpha 1/4 ->
    # 2 w2 = log(4 eta)
    eta = 0.2
    np.testing.assert_allclose(offset(DESIGNED_Z, eta), [math.log(eta), 0.5 * math.log(4 * eta)], atol=1e-12)
    np.testing.assert_allclose(offset(DESIGNED_Z, eta, "exponential"), offset(DESIGNED_Z, eta), atol=0)
    # mean reduction: eta/N (N = 6)
    np.testing.assert_allclose(
        offset(DESIGNED_Z, eta, reduction="mean"), offset(DESIGNED_Z, eta / 6), atol=1e-12
    )
    # c* = ||P_perp w_tilde||/||w_hat|| = (4/5) log 2 for every eta (sympy above)
    assert direction_constant(np.array([1.0, 0.5]), offset(DESIGNED_Z, eta)) == pytest.approx(
        0.8 * math.log(2.0), abs=1e-12
    )
    with pytest.raises(ValueError, match="span"):
        offset(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), 0.1)


def test_predicted_direction_error_small_angle():
    # w = (log t, 0) + (0, 1): error = 2 sin(atan(1/log t)/2) ~ 1/log t
    e = predicted_direction_error(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 1e6)
    phi = math.atan2(1.0, math.log(1e6))
    assert e == pytest.approx(2 * math.sin(phi / 2), abs=1e-15)


def test_svm_errors():
    with pytest.raises(ValueError, match="separable"):
        svm(np.array([[1.0, 0.0], [-1.0, 0.0]]))
    with pytest.raises(ValueError, match="non-finite"):
        svm(np.array([[np.nan, 0.0]]))


# ----------------------------------------------------------------------------- Wang
def test_single_sv_direction_sympy_and_weighted_svm():
    assert all(r == 0 for r in derive_single_sv()["residual"])
    Z = np.array([[1.0, 2.0], [20.0, 2.0], [15.0, 5.0]])
    # H = I: z/||z||^2 = (0.2, 0.4)
    np.testing.assert_allclose(weighted_svm(Z, np.ones(2)).w, [0.2, 0.4], atol=1e-12)
    # H = diag(0.5, 1): (0.5, 2)/(0.5 + 4) = (1/9, 4/9)
    s = weighted_svm(Z, np.array([0.5, 1.0]))
    np.testing.assert_allclose(s.w, [1 / 9, 4 / 9], atol=1e-12)
    np.testing.assert_allclose(single_sv_direction(Z[0], [0.5, 1.0]), [1 / 9, 4 / 9], atol=1e-15)
    assert s.kkt < 1e-12


def test_angle_is_accurate_for_tiny_angles():
    assert angle([1.0, 0.0], [1.0, 1e-9]) == pytest.approx(1e-9, rel=1e-6)
    assert angle([1.0, 0.0], [-1.0, 0.0]) == pytest.approx(math.pi, abs=1e-15)


# ----------------------------------------------------------------------------- Wang: instances
def test_random_family_has_the_stated_max_margin_solution():
    """Independent solver (the SVM dual) against the family's guarantee: z_s is the unique support
    vector, so w_hat_2 = z_s/||z_s||^2; the angle band holds; --seed changes the data."""
    from theorems.adaptive_margin import instances as I

    for seed, draw in [(0, 0), (0, 1), (7, 3), (123, 5)]:
        Z = I.random_dataset(seed, draw)
        s = svm(Z)
        assert list(s.support) == [0]
        np.testing.assert_allclose(s.w, Z[0] / (Z[0] @ Z[0]), rtol=1e-9)
        assert (Z[1:] @ s.w).min() >= I.MIN_OTHER_MARGIN
        lo, hi = I.ANGLE_BAND
        assert lo <= angle(s.w, max_margin(Z, "inf").w) <= hi
    assert not np.array_equal(I.random_dataset(0, 0), I.random_dataset(1, 0))
    np.testing.assert_array_equal(I.random_dataset(5, 2), I.random_dataset(5, 2))


def test_fused_block_diagonal_runs_equal_separate_runs():
    """The optimizers are coordinatewise, so training a block-diagonal stack equals training each
    data set alone (up to summation order in the matrix products)."""
    from theorems.adaptive_margin import instances as I

    Zs = [I.DATASETS[0], I.random_dataset(3, 1), I.DATASETS[2]]
    fused = I.fused_runs(Zs, 2000)
    for Z, f in zip(Zs, fused, strict=True):
        alone = I.fused_runs([Z], 2000)[0]
        np.testing.assert_allclose(f.w, alone.w, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(f.h, alone.h, rtol=1e-12)
        np.testing.assert_allclose(f.log_loss, alone.log_loss, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(f.sqrt_v_t1, alone.sqrt_v_t1, rtol=1e-12, atol=1e-300)
        assert f.k1 == alone.k1 and f.times[f.k1] == 200
