"""sim.optimizers, sim.classification, sim.training: every expected number is computed by hand here."""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.classification import LinearClassifier, TwoLayerClassifier, linear_adaptive_path
from sim.optimizers import (
    EntropyPotential,
    PNormPotential,
    QuadraticPotential,
    adagrad,
    adam,
    gd,
    inverse_loss,
    mirror_descent,
    momentum,
    rmsprop,
    schedule,
    steepest_descent,
)
from sim.problems import LeastSquares
from sim.training import train


def steps(opt, grads, theta=None, **kw):
    """Feed a sequence of (1, p) gradients; return the list of steps."""
    grads = [np.atleast_2d(np.asarray(g, float)) for g in grads]
    th = np.zeros_like(grads[0]) if theta is None else np.atleast_2d(np.asarray(theta, float))
    state = opt.init(th)
    out = []
    for g in grads:
        s, state = opt.update(g, state, th, **kw)
        out.append(s)
        th = th + s
    return out


def test_gd_and_per_replica_lr():
    (s,) = steps(gd(0.1), [[0.5, -1.0]])
    np.testing.assert_allclose(s, [[-0.05, 0.1]], rtol=0, atol=1e-15)
    opt = gd(np.array([0.1, 1.0]))
    th = np.zeros((2, 1))
    s, _ = opt.update(np.array([[2.0], [2.0]]), opt.init(th), th)
    np.testing.assert_allclose(s, [[-0.2], [-2.0]], atol=1e-15)


def test_heavy_ball_and_nesterov():
    # b1 = 1, b2 = 0.9 * 1 + 2 = 2.9; heavy ball -0.1 b; Nesterov -0.1 (g + 0.9 b)
    hb = steps(momentum(0.1, 0.9), [[1.0], [2.0]])
    np.testing.assert_allclose(np.ravel(hb), [-0.1, -0.29], atol=1e-15)
    nv = steps(momentum(0.1, 0.9, nesterov=True), [[1.0], [2.0]])
    np.testing.assert_allclose(np.ravel(nv), [-0.19, -0.461], atol=1e-15)


def test_adagrad_hand_steps():
    # v = (9, 16) -> steps -0.1*(3/3, 4/4); then v = (25, 16) -> (-0.1*4/5, 0)
    s1, s2 = steps(adagrad(0.1, eps=0.0), [[3.0, 4.0], [4.0, 0.0]])
    np.testing.assert_allclose(s1, [[-0.1, -0.1]], atol=1e-15)
    np.testing.assert_allclose(s2, [[-0.08, 0.0]], atol=1e-15)


def test_rmsprop_and_where_epsilon_sits():
    # v = 0.5 * 4 = 2 -> step -2 / (sqrt(2) + 0.1) = -1.3208177
    (s,) = steps(rmsprop(1.0, beta2=0.5, eps=0.1), [[2.0]])
    assert s[0, 0] == pytest.approx(-1.3208177, abs=1e-7)
    # torch (eps outside the root) vs optax's rmsprop (eps inside): v = 1
    (a,) = steps(rmsprop(1.0, beta2=0.0, eps=3.0), [[1.0]])
    (b,) = steps(rmsprop(1.0, beta2=0.0, eps=0.0, eps_root=3.0), [[1.0]])
    assert a[0, 0] == pytest.approx(-0.25, abs=1e-15)
    assert b[0, 0] == pytest.approx(-0.5, abs=1e-15)


def test_adam_bias_correction_on_and_off():
    # b1 = 0.5, b2 = 0.75, eps = 0. Step 1, g = 2: m = 1, v = 1, mhat = 2, vhat = 4 -> -1.
    # Step 2, g = 4: m = 0.5 + 2 = 2.5, v = 0.75 + 4 = 4.75; mhat = 2.5/0.75 = 3.3333,
    # vhat = 4.75/0.4375 = 10.857142 -> -3.3333/3.2950 = -1.011628
    s1, s2 = steps(adam(1.0, 0.5, 0.75, eps=0.0), [[2.0], [4.0]])
    assert s1[0, 0] == pytest.approx(-1.0, abs=1e-15)
    assert s2[0, 0] == pytest.approx(-1.011628, abs=1e-6)
    # no correction: -1/1 then -2.5/sqrt(4.75) = -1.147079
    t1, t2 = steps(adam(1.0, 0.5, 0.75, eps=0.0, bias_correction=False), [[2.0], [4.0]])
    assert t1[0, 0] == pytest.approx(-1.0, abs=1e-15)
    assert t2[0, 0] == pytest.approx(-1.147079, abs=1e-6)


def test_mirror_descent_potentials():
    # entropy: w = (1, 2), g = (ln 2, 0), eta = 1 -> w (0.5, 2)
    (s,) = steps(mirror_descent(1.0, EntropyPotential()), [[math.log(2.0), 0.0]], theta=[1.0, 2.0])
    np.testing.assert_allclose(s, [[-0.5, 0.0]], atol=1e-15)
    # quadratic Q = (2, 4): step -eta Q^{-1} g = -0.5 (1, 1)
    (s,) = steps(mirror_descent(0.5, QuadraticPotential([2.0, 4.0])), [[2.0, 4.0]])
    np.testing.assert_allclose(s, [[-0.5, -0.5]], atol=1e-15)
    # p = 3: grad psi(1, -1) = (1, -1); minus g = (-3, 0) gives (4, -1); inverse (2, -1)
    (s,) = steps(mirror_descent(1.0, PNormPotential(3)), [[-3.0, 0.0]], theta=[1.0, -1.0])
    np.testing.assert_allclose(s, [[1.0, 0.0]], atol=1e-15)
    with pytest.raises(ValueError, match="positive"):
        mirror_descent(1.0, EntropyPotential()).init(np.array([[1.0, -1.0]]))


def test_bregman_divergences():
    # KL(w, w0) unnormalised: w = (1, 1), w0 = (2, 1): 1*log(1/2) - 1 + 2 = 1 - log 2
    d = EntropyPotential().bregman(np.array([1.0, 1.0]), np.array([2.0, 1.0]))
    assert d[0] == pytest.approx(1 - math.log(2.0), abs=1e-15)
    d = QuadraticPotential([2.0, 1.0]).bregman(np.array([1.0, 1.0]), np.array([0.0, 0.0]))
    assert d[0] == pytest.approx(1.5, abs=1e-15)


def test_steepest_descent_norms():
    g = [[1.0, -3.0, 2.0]]
    np.testing.assert_allclose(steps(steepest_descent(0.1, 1), [g])[0], [[0, 0.3, 0]], atol=1e-15)
    np.testing.assert_allclose(steps(steepest_descent(0.1, "inf"), [g])[0], [[-0.6, 0.6, -0.6]], atol=1e-15)
    np.testing.assert_allclose(steps(steepest_descent(0.1, 2), [g])[0], [[-0.1, 0.3, -0.2]], atol=1e-15)
    with pytest.raises(ValueError, match="norm"):
        steepest_descent(0.1, 3)


def test_inverse_loss_policy_is_exact_when_the_loss_underflows():
    # eta = 0.5 / L. Plain: L = 2, g = 1 -> step -0.25.
    (s,) = steps(gd(inverse_loss(0.5)), [[1.0]], loss=np.array([2.0]))
    assert s[0, 0] == pytest.approx(-0.25, abs=1e-15)
    # Scaled inputs: true L = 2 e^{-800}, true g = e^{-800} (both underflow): the step is still -0.25
    (s,) = steps(gd(inverse_loss(0.5)), [[1.0]], loss=np.array([2.0]), log_scale=np.array([800.0]))
    assert s[0, 0] == pytest.approx(-0.25, abs=1e-15)
    with pytest.raises(ValueError, match="needs the loss"):
        steps(gd(inverse_loss(0.5)), [[1.0]])
    # a schedule eta_t = 1/(t+1): steps -1, -1/2 for g = 1
    s = steps(gd(schedule(lambda t: 1.0 / (t + 1))), [[1.0], [1.0]])
    np.testing.assert_allclose(np.ravel(s), [-1.0, -0.5], atol=1e-15)


def test_bad_hyperparameters_raise():
    with pytest.raises(ValueError):
        gd(-1.0)
    with pytest.raises(ValueError):
        adam(0.1, beta1=1.0)
    with pytest.raises(ValueError):
        rmsprop(0.1, eps=-1.0)
    with pytest.raises(ValueError, match="shape"):
        gd(0.1).update(np.zeros((1, 3)), {"count": 0}, np.zeros((1, 2)))


# ------------------------------------------------------------------------- problems
Z2 = np.array([[1.0, 0.0], [0.0, 1.0]])


def test_logistic_and_exponential_losses_by_hand():
    w = np.array([[0.0, math.log(3.0)]])  # margins (0, ln 3)
    lg = LinearClassifier.from_margins_data(Z2, "logistic", "sum")
    assert lg.loss(w)[0] == pytest.approx(math.log(8.0 / 3.0), abs=1e-15)
    np.testing.assert_allclose(lg.grad(w), [[-0.5, -0.25]], atol=1e-15)
    ex = LinearClassifier.from_margins_data(Z2, "exponential", "mean")
    assert ex.loss(w)[0] == pytest.approx((1 + 1 / 3) / 2, abs=1e-15)
    np.testing.assert_allclose(ex.grad(w), [[-0.5, -1 / 6]], atol=1e-15)
    # labels are absorbed: X = -Z with y = -1 is the same problem
    same = LinearClassifier(-Z2, [-1.0, -1.0], "logistic")
    np.testing.assert_allclose(same.grad(w), lg.grad(w), atol=1e-15)


def test_large_margins_are_stable():
    w = np.array([[1000.0, 1001.0]])
    ex = LinearClassifier.from_margins_data(Z2, "exponential")
    assert ex.loss(w)[0] == 0.0  # the naive value underflows
    assert ex.log_loss(w)[0] == pytest.approx(-1000 + math.log1p(math.exp(-1.0)), abs=1e-12)
    s, L, g = ex.scaled_loss_grad(w)
    assert s[0] == 1000.0 and L[0] == pytest.approx(1 + math.exp(-1.0), abs=1e-15)
    np.testing.assert_allclose(g, [[-1.0, -math.exp(-1.0)]], atol=1e-15)
    lg = LinearClassifier.from_margins_data(Z2, "logistic")
    # log l(q) = log log(1 + e^{-q}) = -q - e^{-q}/2 + ...; at q = 40: -40 - 2.1e-18
    assert lg.log_loss(np.array([[40.0, 1e4]]))[0] == pytest.approx(-40.0, abs=1e-12)
    s, L, g = lg.scaled_loss_grad(w)
    assert L[0] == pytest.approx(1 + math.exp(-1.0), rel=1e-12)


def test_two_layer_network_homogeneous_and_gradient():
    X = np.array([[1.0, 1.0], [2.0, -0.5], [-1.0, 0.7]])  # no preactivation at a kink
    net = TwoLayerClassifier(X, [1.0, -1.0, 1.0], width=2, leak=0.1)
    # theta = [W = [[1, 2], [0.5, -1]], a = [3, -1]]; x1 = (1, 1): pre (3, -0.5) -> act (3, -0.05)
    th = np.array([[1.0, 2.0, 0.5, -1.0, 3.0, -1.0]])
    assert net.outputs(th)[0, 0] == pytest.approx(3 * 3 + (-1) * (-0.05), abs=1e-15)
    np.testing.assert_allclose(net.margins(2.0 * th), 4.0 * net.margins(th), atol=1e-12)
    h = 1e-6
    fd = np.array([(net.loss(th + h * e) - net.loss(th - h * e))[0] / (2 * h) for e in np.eye(6)])
    np.testing.assert_allclose(net.grad(th)[0], fd, atol=1e-8)


# ------------------------------------------------------------------------- the training loop
def test_train_gd_by_hand_and_checkpoints():
    # L = 1/2 (w - 1)^2 (n = 1): GD with lr 0.5 halves the error: w_k = 1 - 2^{-k} from 0
    P = LeastSquares([[1.0]], [1.0])
    r = train(P, gd(0.5), [0.0], 10, checkpoints=[1, 3])
    np.testing.assert_allclose(r.times, [0, 1, 3, 10])
    np.testing.assert_allclose(r.records["loss"][:, 0], [0.5 * 0.25**k for k in (0, 1, 3, 10)])
    assert r.theta[0, 0] == pytest.approx(1 - 2.0**-10, abs=1e-15)
    # the same with sim.gd
    ref = sim.gd(P, [0.0], 0.5, 10)
    np.testing.assert_allclose(r.theta, ref.theta, atol=0)


def test_train_stops_a_diverging_replica():
    P = LeastSquares([[1.0]], [1.0])
    r = train(P, gd(np.array([0.5, 3.0])), np.zeros((2, 1)), 200, bound=1e6)
    assert r.active.tolist() == [True, False]
    assert r.diverged[0].replica == 1 and np.isfinite(r.theta).all()


def test_train_minibatch_matches_shared_indices():
    P = LeastSquares(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), [1.0, 2.0, 0.0])
    a = train(P, gd(0.1), np.zeros(2), 50, batch_size=1, seed=3, n_replicas=2)
    b = sim.sgd(P, np.zeros(2), 0.1, 50, batch_size=1, seed=3, n_replicas=2)
    np.testing.assert_allclose(a.theta, b.theta, atol=1e-15)


def test_train_adaptive_steepest_descent_survives_underflow():
    Z = np.array([[1.0, 0.2], [0.3, 1.0], [1.0, 1.0]])
    P = LinearClassifier.from_margins_data(Z, "exponential")
    B = np.abs(Z).max()  # dual of l1 is linf
    r = train(P, steepest_descent(inverse_loss(1 / B**2), 1), np.zeros(2), 5000)
    assert np.isfinite(r.theta).all() and P.margins(r.theta).min() > 800  # L underflowed long ago


@pytest.mark.parametrize("kind", ["gd", "rmsprop", "adam", "adagrad"])
def test_fused_linear_path_matches_train(kind):
    Z = np.array([[1.0, 2.0], [20.0, 2.0], [3.0, 4.0]])
    P = LinearClassifier.from_margins_data(Z)
    opt = {
        "gd": gd(0.005),
        "rmsprop": rmsprop(0.01, 0.99, 1e-3),
        "adam": adam(0.01, 0.9, 0.99, 1e-3),
        "adagrad": adagrad(0.1, 1e-8),
    }[kind]
    r = train(P, opt, np.zeros(2), 300)
    f = linear_adaptive_path(
        P,
        np.zeros(2),
        [300],
        {"gd": 0.005, "rmsprop": 0.01, "adam": 0.01, "adagrad": 0.1}[kind],
        kind=kind,
        beta1=0.9,
        beta2=0.99,
        eps={"gd": 1.0, "adagrad": 1e-8}.get(kind, 1e-3),
        bias_correction=kind == "adam",
    )
    np.testing.assert_allclose(f.w[-1], r.theta, rtol=1e-12, atol=1e-12)
