"""Exact pieces of the deep_relu_width and effective_noise packages (issue 13, second half)."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import sympy as sp

from theorems.deep_relu_width import formulas as DR
from theorems.effective_noise import formulas as EN


def test_psgd_chain_derivation():
    D = EN.derive_psgd()
    b, eta, tau = sp.symbols("b eta tau", positive=True)
    assert sp.simplify(D["stationary"] - b) == 0
    assert sp.simplify(D["eigenvalue"] - (1 - eta / (b * tau))) == 0
    assert D["tau_iid"] == [eta / b]
    assert D["P_at_tau_iid"] == sp.Matrix([[1 - b, b], [1 - b, b]])
    assert sp.simplify(D["tau_min_p10"][0] - (1 - b) * eta / b) == 0
    assert D["tau_min_p01"] == [eta]


def test_pair_bound_derivation():
    D = DR.derive_pair_bound()
    assert D["g_prime_at_0"] == 0 and D["g_second_positive"]
    assert sp.simplify(D["minimum"] - 2 * sp.log(2)) == 0
    z = np.linspace(-5, 5, 101)
    g = np.logaddexp(0, -z) + np.logaddexp(0, z)
    assert g.min() >= 2 * math.log(2) - 1e-15


def test_interval_test_semantics():
    e = EN.Estimate(1.0, 0.01, 30)
    assert EN.interval_test(e, 0.5, 1.5, 0.01)["supports"]
    assert EN.interval_test(e, 1.2, 2.0, 0.01)["reject"]
    t = EN.interval_test(EN.Estimate(1.0, 1.0, 30), 0.9, 1.1, 0.01)
    assert not t["reject"] and not t["supports"]
    d = EN.Estimate(2.0, 0.3, 10) - EN.Estimate(1.0, 0.4, 20)
    assert d.value == 1.0 and math.isclose(d.se, 0.5)


def test_log_replica_distance_matches_definition():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((6, 50))
    w *= np.sqrt(50) / np.linalg.norm(w, axis=1, keepdims=True)
    e = EN.log_replica_distance(w)
    q = w @ w.T / 50
    assert math.isclose(e.value, math.log(1 - q[np.triu_indices(6, 1)].mean()))
    assert e.se > 0 and e.dof == 5


def test_ratio_of_means_recovers_a_known_ratio():
    rng = np.random.default_rng(1)
    den = rng.uniform(1, 2, 400)
    num = 0.05 * den + rng.normal(0, 1e-3, 400)
    e = EN.ratio_of_means(num, den)
    lo, hi = e.ci(0.01)
    assert lo < 0.05 < hi and hi - lo < 1e-3


def test_loglog_slopes_exact_on_a_power_law():
    widths = (16, 32, 64, 128)
    mov = np.array([[3.0 * m**-0.5, 2.0 * m**-0.7] for m in widths])
    assert np.allclose(DR.loglog_slopes(widths, mov), [-0.5, -0.7])


def test_formulas_register_no_claims():
    code = (
        "import theorems.deep_relu_width.formulas, theorems.effective_noise.formulas\n"
        "import theorems.deep_relu_width, theorems.effective_noise\n"
        "from theorems.core.claims import REGISTRY\n"
        "assert len(REGISTRY) == 0, REGISTRY.ids()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_persistent_chain_at_tau_eta_over_b_equals_sgd_in_the_dynamics():
    """At tau = eta/b the p-SGD chain has the law of i.i.d. Bernoulli(b) selection: the replica
    distances of the two dynamics agree statistically (same data and start, independent streams)."""
    from sim.perceptron import SphericalPerceptron
    from sim.selection import BernoulliSelection, PersistentSelection

    pr = SphericalPerceptron.random(60, 1.0, seed=3)
    w0 = pr.random_point(4, 1)
    b, eta = 0.2, 0.1
    runs = EN._sat_runs(
        pr,
        w0,
        eta,
        1500,
        [BernoulliSelection(b, pr.n_samples), PersistentSelection(b, eta, eta / b, pr.n_samples)],
        16,
        5,
    )
    d = EN.log_replica_distance(runs[1].w) - EN.log_replica_distance(runs[0].w)
    assert all(r.converged for r in runs)
    assert EN.interval_test(d, 0.0, 0.0, 0.001)["reject"] is False
