"""Claims about the gradient flow on finite data (Lee, Sim & Ye 2022, reconstructed).

The norm identity, the support-vector span, inactive points, orthogonal inputs (closed form and norm
monotonicity) and non-positively correlated inputs (the invariant set, and the small-initialisation
monotonicity conjecture that the suite refutes).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st

from sim.relu_flow import ReLUFlowPath, relu_flow_exact, relu_flow_ivp
from theorems import Check, Context, claim
from theorems.relu_single_neuron import LSY
from theorems.relu_single_neuron import instances as S
from theorems.relu_single_neuron.formulas import derive_norm_identity, orthogonal_solution
from theorems.relu_single_neuron.instances import (
    _vs_gamma1_problem,
    generic_problem,
    integer_small_init_problems,
    nonpos_problem,
    orthogonal_problem,
)
from theorems.relu_single_neuron.simulations import (
    DROP_THRESHOLD,
    _certified_dip,
    _error_check,
    _horizon,
    _in_U_violation,
    _monotone_check,
    _norm_identity_residual,
    _problem_path,
    norm_dip,
)


@claim(
    id="relu1.norm_identity",
    paper=LSY,
    status="derived",
    kind="equality",
    statement=r"Along the gradient flow of a single ReLU neuron with square loss, "
    r"$\frac{d}{dt}\|w\|^2 = \frac2n\sum_{i\in A(w)} z_i(y_i - z_i)$, $z_i = x_i^\top w$, "
    r"$A(w) = \{i: z_i > 0\}$, across activation switches.",
    strategy=S.generic_seeded(log10_scale=(-3.0, 1.0)),
    tolerance="Relative 1e-7 of (||w0||^2 + ||w(T)||^2 + int|RHS|): the exact path is accurate to "
    "~1e-13 and composite 10-point Gauss-Legendre per switch-free piece to ~1e-14; the "
    "solve_ivp cross-check (DOP853, rtol 1e-11) carries ~1e-9 global error (measured: "
    "tightening rtol 100x moves it by <1e-8).",
    assumptions="Generic data: n in [2,8], d in [2,5], X ~ U[-2,2], labels U[0.2,2] with exact zeros, "
    "any init scale (1e-3 to 10 times min y_i/||x_i||), random direction.",
    closed_form="d||w||^2/dt = (2/n) sum_{i in A} z_i (y_i - z_i)  (sympy: 2 w.wdot - RHS == 0)",
    examples={"dev": 3, "ci": 6, "thorough": 100},
)
def norm_identity(inst: dict, ctx: Context) -> Check:
    """Norm identity (N): integrate RHS(N) by Gauss-Legendre piece by piece between switches and compare
    with the change of ||w||^2 along (a) the exact piecewise path and (b) an independent solve_ivp path
    with terminal switch events. Derived by sympy in :func:`derivations` (residual 0)."""
    if derive_norm_identity() != 0:
        return Check(False, details={"reason": "sympy residual of the norm identity is not 0"})
    X, y, w0, path = _problem_path(generic_problem, inst)
    T = _horizon(path)
    d_ex, i_ex, sc = _norm_identity_residual(path, T)
    try:
        ivp = relu_flow_ivp(X, y, w0, T, rtol=1e-11, atol=1e-14 * max(1.0, float(np.linalg.norm(w0))))
        d_iv, i_iv, _ = _norm_identity_residual(path, T, w_of=ivp.w)
    except RuntimeError as exc:  # solve_ivp chatters when the path grazes w = 0
        # No independent path: agreement with the exact path alone would not cross-check anything.
        return Check.inconclusive(
            f"solve_ivp cross-check failed ({exc}); the exact path alone is not an independent check",
            exact_delta=d_ex,
            exact_integral=i_ex,
        )
    err = max(abs(d_ex - i_ex), abs(d_iv - i_iv))
    return _error_check(
        err,
        1e-7 * sc,
        d_ex,
        i_ex,
        ivp_delta=d_iv,
        ivp_integral=i_iv,
        T=T,
        switches=int(path.event_times.size),
        scale=sc,
    )


def _identity_variant(inst: dict, coeff: float, all_points: bool) -> Check:
    _, _, _, path = _problem_path(generic_problem, inst)
    d_ex, i_ex, sc = _norm_identity_residual(path, _horizon(path), coeff=coeff, all_points=all_points)
    return _error_check(abs(d_ex - i_ex), 1e-7 * sc, d_ex, i_ex)


@norm_identity.false_variant(
    "all_points",
    "Linear-regression form: the sum runs over all points, active or not."
    " (A wrong formula against an exact identity checked to 1e-7 relative: inherently far, "
    "~1e6-1e7 tolerances.)",
)
def _(inst, ctx):
    return _identity_variant(inst, 2.0, True)


@norm_identity.false_variant(
    "opposite_sign",
    "d||w||^2/dt = -(2/n) sum_A z_i (y_i - z_i)."
    " (A wrong formula against an exact identity checked to 1e-7 relative: inherently far, "
    "~1e6-1e7 tolerances.)",
)
def _(inst, ctx):
    return _identity_variant(inst, -2.0, False)


@norm_identity.false_variant(
    "missing_factor_2",
    "d||w||^2/dt = (1/n) sum_A z_i (y_i - z_i)."
    " (A wrong formula against an exact identity checked to 1e-7 relative: inherently far, "
    "~1e6-1e7 tolerances.)",
)
def _(inst, ctx):
    return _identity_variant(inst, 1.0, False)


# ---------------------------------------------------------------------------- support vectors
def _span_residual(V: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Rows of V minus their projection onto the row space of B (B may be empty)."""
    if B.shape[0] == 0:
        return V
    Q, s, _ = np.linalg.svd(B.T, full_matrices=False)
    Q = Q[:, s > 1e-12 * max(s.max(), 1e-300)]
    return V - (V @ Q) @ Q.T


@claim(
    id="relu1.support_vector_span",
    paper=LSY,
    status="derived",
    kind="equality",
    statement=r"$w(t) - w(0) = \sum_i c_i(t)x_i$ with $c_i(t) = -\frac1n\int_0^t(z_i - y_i)"
    r"\mathbb 1[z_i > 0]ds$; $c_i \equiv 0$ for points never active, so the displacement lies "
    r"in the span of the ever-active points (the support vectors).",
    strategy=S.underdetermined_seeded(),
    tolerance="1e-8 (1 + ||w||_max): the augmented solve_ivp (rtol 1e-11) carries ~1e-9 relative "
    "error; projections are exact up to round-off.",
    assumptions="Generic data with n < d (so the span is a proper subspace); any init scale.",
    closed_form="w(t) - w(0) = X^T c(t), c_i' = -(1/n)(z_i - y_i) 1[z_i > 0]",
    examples={"dev": 3, "ci": 6, "thorough": 100},
)
def support_vector_span(inst: dict, ctx: Context) -> Check:
    """Integrate (w, c) with solve_ivp and switch events; check w(t) - w(0) = X^T c(t), c_i = 0 for
    never-active points, and that the part of w(t) - w(0) orthogonal to span{ever-active x_i} vanishes
    (ever-active set from the exact integrator). Also compares c(t) with the exact piecewise integral."""
    X, y, w0, path = _problem_path(generic_problem, inst)
    T = _horizon(path)
    ts = np.linspace(0.0, T, 25)
    try:
        ivp = relu_flow_ivp(X, y, w0, T, rtol=1e-11, atol=1e-14, coefficients=True)
        W, C = ivp.w(ts), ivp.coefficients(ts)
    except RuntimeError as exc:  # solve_ivp chatters when the path grazes w = 0
        # The exact integrals in place of the independent path would compare the exact path with itself.
        return Check.inconclusive(f"solve_ivp cross-check failed ({exc}); no independent path")
    scale = 1.0 + float(np.abs(W).max())
    ever = path.ever_active
    r_lin = float(np.abs(W - w0 - C @ X).max())
    r_never = float(np.abs(C[:, ~ever]).max()) if (~ever).any() else 0.0
    r_span = float(np.abs(_span_residual(path.w(ts) - w0, X[ever])).max())
    c_exact = path.coefficients(T)
    r_coef = float(np.abs(c_exact - C[-1]).max()) / scale
    err = max(r_lin, r_never, r_span, r_coef)
    return _error_check(
        err,
        1e-8 * scale,
        err,
        0.0,
        ever_active=ever.astype(int).tolist(),
        final_active=path.final_pattern.astype(int).tolist(),
        lin=r_lin,
        never=r_never,
        span=r_span,
        coef_vs_exact=r_coef,
    )


@support_vector_span.false_variant(
    "final_active_set",
    "The displacement lies in the span of the FINAL active set (Vardi-Shamir construction, where x3 "
    "is active early and inactive at the end; the residual is the O(eps) early motion along x3 "
    "against a 1e-8 integration tolerance: inherently far, ~1e3-1e4 tolerances).",
    strategy=S.vardi_shamir_pair(),
)
def _(inst, ctx):
    X, y, w0, path = _problem_path(_vs_gamma1_problem, inst)
    res = float(np.abs(_span_residual((path.w_inf - w0)[None], X[path.final_pattern])).max())
    return _error_check(
        res,
        1e-8 * (1.0 + float(np.abs(path.w_inf).max())),
        res,
        0.0,
        final_active=path.final_pattern.astype(int).tolist(),
        ever_active=path.ever_active.astype(int).tolist(),
    )


@claim(
    id="relu1.inactive_points_irrelevant",
    paper=LSY,
    status="derived",
    kind="equality",
    statement=r"Deleting every point that is never active leaves the gradient-flow path unchanged up "
    r"to the time change $t \mapsto t\,n'/n$, hence leaves the limit unchanged.",
    strategy=S.generic_seeded(log10_scale=(-2.0, 0.5), zero_label_prob=(0.2, 0.6), n=(4, 8)),
    tolerance="1e-9 (1 + ||w||): both paths are exact piecewise solutions (round-off only).",
    assumptions="Generic data with n >= 4 (about 70% of draws have a never-active point); an "
    "instance without one is vacuous (rejected and counted, not evidence).",
    closed_form="w_reduced(s) = w(s n / n'), n' = number of points kept",
    examples={"dev": 5, "ci": 10, "thorough": 100},
)
def inactive_points_irrelevant(inst: dict, ctx: Context) -> Check:
    """Metamorphic check with the exact integrator: drop the never-active points, compare the limits and
    the paths at rescaled times."""
    X, y, w0, path = _problem_path(generic_problem, inst)
    keep = path.ever_active
    if keep.all() or not keep.any():
        return Check.vacuous_instance("no never-active point" if keep.all() else "no point is ever active")
    n, n2 = X.shape[0], int(keep.sum())
    red = relu_flow_exact(X[keep], y[keep], w0)
    ts = path.sample_times(20, _horizon(path))
    scale = 1.0 + float(np.abs(path.w(ts)).max())
    err = max(
        float(np.abs(red.w(ts * n2 / n) - path.w(ts)).max()), float(np.abs(red.w_inf - path.w_inf).max())
    )
    return _error_check(err, 1e-9 * scale, err, 0.0, deleted=int(n - n2), n=n)


def _limit_after_deleting(X, y, w0, path: ReLUFlowPath, keep: np.ndarray) -> tuple:
    """(reduced path, max |change of the limit|, tolerance 1e-9 (1 + ||w_inf||_max)) when only the
    points in ``keep`` are kept."""
    red = relu_flow_exact(X[keep], y[keep], w0)
    diff = float(np.abs(red.w_inf - path.w_inf).max())
    return red, diff, 1e-9 * (1.0 + float(np.abs(path.w_inf).max()))


@inactive_points_irrelevant.false_variant(
    "deleting_inactive_changes_limit", "Deleting a never-active point changes the limit."
)
def _(inst, ctx):
    X, y, w0, path = _problem_path(generic_problem, inst)
    keep = path.ever_active
    if keep.all() or not keep.any():
        return Check.vacuous_instance("no never-active point to delete")
    _, diff, tol = _limit_after_deleting(X, y, w0, path, keep)
    return Check(diff > tol, measured=diff, predicted=f"> {tol:.3g}", margin=diff - tol, tolerance=tol)


@inactive_points_irrelevant.false_variant(
    "deleting_finally_inactive_is_harmless",
    "Deleting points inactive at the END (rather than never active) leaves the limit unchanged "
    "(the limit then moves by O(eps), the early motion along x3, against a round-off tolerance: "
    "inherently far).",
    strategy=S.vardi_shamir_pair(),
)
def _(inst, ctx):
    X, y, w0, path = _problem_path(_vs_gamma1_problem, inst)
    red, diff, tol = _limit_after_deleting(X, y, w0, path, path.final_pattern)
    return Check(diff <= tol, measured=red.w_inf, predicted=path.w_inf, margin=tol - diff, tolerance=tol)


# --------------------------------------------------------------------------- orthogonal inputs
@claim(
    id="relu1.orthogonal_closed_form",
    paper=LSY,
    status="derived",
    kind="equality",
    statement=r"For pairwise orthogonal inputs, $z_i(t) = y_i + (z_i(0) - y_i)e^{-\|x_i\|^2t/n}$ for "
    r"$i\in A_0 = A(w(0))$, inactive points never move, "
    r"$w(\infty) = w(0) + \sum_{A_0}\frac{y_i - z_i(0)}{\|x_i\|^2}x_i$ (the projection of $w(0)$ "
    r"onto $\{w^\top x_i = y_i, i\in A_0\}$), the support vectors are exactly $A_0$ and the "
    r"final loss is $\frac1{2n}\sum_{i\notin A_0}y_i^2$.",
    strategy=S.orthogonal("any"),
    tolerance="1e-9 (1 + ||w||): the closed form is exact and so is the integrator (round-off).",
    assumptions="x_i^T x_j = 0 (QR directions, norms in [0.3, 3]), n <= d, labels >= 0, any init.",
    closed_form="z(t) = y + (z0 - y) exp(-a t / n), a = ||x||^2 (sympy dsolve); "
    "||w(t)||^2 - ||w0||^2 = sum_{A0} (z_i(t)^2 - z_i(0)^2)/||x_i||^2",
    examples={"dev": 5, "ci": 10, "thorough": 100},
)
def orthogonal_closed_form(inst: dict, ctx: Context) -> Check:
    """Compare the exact integrator with the sympy closed form at several times and in the limit; check
    the support set, the projection property and the final loss."""
    X, y, w0, path = _problem_path(orthogonal_problem, inst)
    n = X.shape[0]
    A0 = X @ w0 > 0
    ts = np.concatenate([path.sample_times(15, _horizon(path)), [np.inf]])
    W_cf = orthogonal_solution(X, y, w0, ts)
    W_fl = np.vstack([path.w(ts[:-1]), path.w_inf[None]])
    scale = 1.0 + float(np.abs(W_cf).max())
    e_path = float(np.abs(W_cf - W_fl).max())
    # projection: w_inf - w0 in span{x_i : A0} and w_inf fits A0's labels
    proj_res = float(np.abs(_span_residual((path.w_inf - w0)[None], X[A0])).max())
    fit_res = float(np.abs(X[A0] @ path.w_inf - y[A0]).max()) if A0.any() else 0.0
    loss_pred = 0.5 / n * float(np.sum(y[~A0] ** 2))
    e_loss = abs(path.loss_inf - loss_pred)
    support_ok = bool(np.array_equal(path.ever_active, A0))
    err = max(e_path, proj_res, fit_res, e_loss)
    tol = 1e-9 * scale
    ok = err <= tol and support_ok
    return Check(
        ok,
        measured=path.w_inf,
        predicted=W_cf[-1],
        margin=tol - err,
        tolerance=tol,
        details={
            "path_err": e_path,
            "projection_residual": proj_res,
            "fit": fit_res,
            "loss": path.loss_inf,
            "loss_pred": loss_pred,
            "support_is_A0": support_ok,
            "A0": A0.astype(int).tolist(),
        },
    )


@orthogonal_closed_form.false_variant(
    "limit_fits_all_positive_labels",
    "The limit fits every positive-label point (zero final loss). A wrong formula against an exact "
    "closed form checked to round-off: the final loss is sum_{i not in A0} y_i^2 / 2n = O(1), "
    "inherently ~1e7 tolerances; the near-boundary statement about the support is "
    "support_is_positive_labels (one point).",
)
def _(inst, ctx):
    X, y, w0, path = _problem_path(orthogonal_problem, inst)
    tol = 1e-9 * (1.0 + float(y.max()))
    return Check.close(path.loss_inf, 0.0, atol=tol)


@orthogonal_closed_form.false_variant(
    "support_is_positive_labels", "The support vectors are exactly the points with y_i > 0."
)
def _(inst, ctx):
    X, y, w0, path = _problem_path(orthogonal_problem, inst)
    ok = bool(np.array_equal(path.ever_active, y > 0))
    return Check(
        ok,
        measured=path.ever_active.astype(int).tolist(),
        predicted=(y > 0).astype(int).tolist(),
        margin=1.0 if ok else -1.0,
    )


@claim(
    id="relu1.orthogonal_small_init_increasing",
    paper=LSY,
    status="derived",
    kind="monotone",
    statement=r"Orthogonal inputs, small init ($0 < z_i(0) < y_i$ on $A_0 \ne \emptyset$) and no active "
    r"zero-label point: $\|w(t)\|$ is strictly increasing and "
    r"$\|w(\infty)\|^2 = \|w(0)\|^2 + \sum_{A_0}(y_i^2 - z_i(0)^2)/\|x_i\|^2$.",
    strategy=S.orthogonal("small"),
    tolerance="rate >= -delta with delta = state error (1e-10 relative) propagated through (N); strict "
    "positivity asserted where |rate| > 100 delta; limit norm to 1e-9 relative.",
    assumptions="Orthogonal inputs, zero-label points inactive at t=0, ||w(0)|| between 1e-3 and 0.3 "
    "of min y_i/z_i(u).",
    closed_form="||w(inf)||^2 = ||w0||^2 + sum_{A0} (y_i^2 - z_i(0)^2)/||x_i||^2",
    examples={"dev": 5, "ci": 10, "thorough": 100},
)
def orthogonal_small_init_increasing(inst: dict, ctx: Context) -> Check:
    """Sample d||w||^2/dt (identity (N) on the exact path) on a grid that resolves every piece; check
    positivity before convergence and the closed-form limit norm."""
    X, y, w0, path = _problem_path(orthogonal_problem, inst)
    mono = _monotone_check(path, +1)
    z0 = X @ w0
    A0 = z0 > 0
    a = np.einsum("ij,ij->i", X, X)
    pred = float(w0 @ w0 + np.sum((y[A0] ** 2 - z0[A0] ** 2) / a[A0]))
    meas = float(path.w_inf @ path.w_inf)
    e = abs(meas - pred)
    tol = 1e-9 * max(pred, 1e-300)
    ok = mono["margin"] >= 0 and mono["strict_min"] > 0 and e <= tol
    return Check(
        ok, measured=meas, predicted=pred, margin=min(mono["margin"], tol - e), tolerance=tol, details=mono
    )


def _orthogonal_norm_nondecreasing(inst, ctx):
    """d||w||^2/dt >= -delta along the exact flow (orthogonal inputs), without the claim's conditions."""
    mono = _monotone_check(_problem_path(orthogonal_problem, inst)[3], +1)
    return Check(
        mono["margin"] >= 0, measured=mono["rate_min"], predicted=">= 0", margin=mono["margin"], details=mono
    )


orthogonal_small_init_increasing.false_variant(
    "with_active_zero_label",
    "The same with 'no active zero-label point' dropped.",
    strategy=S.orthogonal("small_zero_active"),
    examples={"dev": 60, "ci": 80, "thorough": 200},  # a thin region: 30 draws missed it on 1 seed in 20
)(_orthogonal_norm_nondecreasing)
orthogonal_small_init_increasing.false_variant(
    "any_init", "||w|| increases from any initialisation (orthogonal inputs).", strategy=S.orthogonal("large")
)(_orthogonal_norm_nondecreasing)


@claim(
    id="relu1.orthogonal_large_init_decreasing",
    paper=LSY,
    status="derived",
    kind="monotone",
    statement=r"Orthogonal inputs and $z_i(0) > y_i$ on all of $A_0$: $\|w(t)\|$ is strictly decreasing.",
    strategy=S.orthogonal("large"),
    tolerance="-rate >= -delta, delta as in relu1.orthogonal_small_init_increasing.",
    assumptions="Orthogonal inputs; init scale 1.6-10 times the smallest scale with z_i(0) > y_i on A0.",
    closed_form="||w(t)||^2 = ||w0||^2 + sum_{A0} (z_i(t)^2 - z_i(0)^2)/||x_i||^2, z_i(t) decreasing",
    examples={"dev": 5, "ci": 10, "thorough": 100},
)
def orthogonal_large_init_decreasing(inst: dict, ctx: Context) -> Check:
    """Sample d||w||^2/dt on the exact path: it must be <= 0 (strictly < 0 where it is resolvable)."""
    mono = _monotone_check(_problem_path(orthogonal_problem, inst)[3], -1)
    ok = mono["margin"] >= 0 and mono["strict_min"] > 0
    return Check(ok, measured=mono["rate_max"], predicted="< 0", margin=mono["margin"], details=mono)


@orthogonal_large_init_decreasing.false_variant(
    "monotone_from_every_init",
    "For orthogonal data ||w|| is monotone from every initialisation.",
    strategy=S.orthogonal("mixed"),
    examples={"dev": 30, "ci": 40, "thorough": 200},
)
def _(inst, ctx):
    path = _problem_path(orthogonal_problem, inst)[3]
    up, down = _monotone_check(path, +1), _monotone_check(path, -1)
    ok = up["margin"] >= 0 or down["margin"] >= 0
    return Check(
        ok,
        measured=[up["rate_min"], up["rate_max"]],
        predicted="one sign",
        margin=max(up["margin"], down["margin"]),
        details={"up": up, "down": down},
    )


# ------------------------------------------------------------- non-positively correlated inputs


@claim(
    id="relu1.nonpos_corr_invariant_set",
    paper=LSY,
    status="derived",
    kind="monotone",
    statement=r"If $x_i^\top x_j \le 0$ for $i \ne j$ and $w(0) \in U = \{w: \sigma(w^\top x_i) \le y_i\ "
    r"\forall i\}$, then $w(t) \in U$ for all $t$, no inactive point ever activates (the "
    r"active set only shrinks) and $\|w(t)\|$ is non-decreasing.",
    strategy=S.nonpositive_correlation(),
    tolerance="U-violation <= 1e-10 (1 + max y) and rate >= -delta (state error through (N)); the "
    "exact path has round-off error only.",
    assumptions="Gram matrix D - W (W >= 0 symmetric, diagonal slack > 0), d >= n, random rotation; "
    "mixed zero and positive labels; small init in U with zero-label points inactive.",
    closed_form="on the face z_j = y_j: z_j' = (1/n) sum_{i in A, i != j} (y_i - z_i) x_i.x_j <= 0",
    examples={"dev": 6, "ci": 12, "thorough": 100},
)
def nonpos_corr_invariant_set(inst: dict, ctx: Context) -> Check:
    """Integrate exactly; check U along the path, that the active set only shrinks (no point switches
    on) and that d||w||^2/dt >= -delta."""
    X, y, w0 = nonpos_problem(inst)
    G = X @ X.T
    if np.max(G - np.diag(np.diag(G))) > 1e-12 * np.abs(G).max():
        return Check(False, details={"reason": "generator produced a positive correlation"})
    path = relu_flow_exact(X, y, w0)
    u_viol = _in_U_violation(path)
    P = path.patterns
    activations = int(np.sum(P[1:] & ~P[:-1])) if P.shape[0] > 1 else 0
    mono = _monotone_check(path, +1)
    tol = 1e-10 * (1.0 + float(y.max()))
    ok = u_viol <= tol and activations == 0 and mono["margin"] >= 0
    return Check(
        ok,
        measured=mono["rate_min"],
        predicted=">= 0",
        margin=min(tol - u_viol, mono["margin"], -float(activations)),
        details={
            "U_violation": u_viol,
            "activations": activations,
            "switches": int(path.event_times.size),
            **mono,
        },
    )


@nonpos_corr_invariant_set.false_variant(
    "u_invariant_generic",
    "U is forward-invariant for arbitrary data (small init in U). A point overshoots its label by "
    "O(0.1) against a round-off tolerance (1e-10): inherently far, ~1e8 tolerances.",
    strategy=S.generic_seeded(log10_scale=(-3.0, -0.5), zero_label_prob=(0.0, 0.3)),
    examples={"dev": 20, "ci": 30, "thorough": 200},
)
def _(inst, ctx):
    X, y, w0 = generic_problem(inst)
    X[(y == 0) & (X @ w0 > 0)] *= -1.0  # zero-label points start inactive: w0 in U
    path = relu_flow_exact(X, y, w0)
    u_viol = _in_U_violation(path)
    tol = 1e-10 * (1.0 + float(y.max()))
    return Check(u_viol <= tol, measured=u_viol, predicted=0.0, margin=tol - u_viol, tolerance=tol)


@nonpos_corr_invariant_set.false_variant(
    "no_reactivation_generic",
    "A point that deactivates never re-activates, for arbitrary data.",
    strategy=S.generic_seeded(log10_scale=(-2.0, 0.5), zero_label_prob=(0.0, 0.5), n=(4, 8)),
    examples={"dev": 150, "ci": 200, "thorough": 1000},
)
def _(inst, ctx):
    _, _, _, path = _problem_path(generic_problem, inst)
    P = path.patterns
    seen = P[0].copy()
    reac = []
    for k in range(1, P.shape[0]):
        # switched on now, off just before, active at some earlier time: a re-activation
        reac += [int(j) for j in np.flatnonzero(P[k] & ~P[k - 1] & seen)]
        seen |= P[k]
    return Check(
        not reac,
        measured=reac,
        predicted=[],
        margin=-float(len(reac)),
        details={"patterns": P.astype(int).tolist(), "event_times": path.event_times.tolist()},
    )


# The pinned counterexample: found by the search at seed 0 (dev) and shrunk; n = 4, d = 3 integer
# data, small init in U, the norm dips by a certified relative 5.3e-5 after two activation switches.
SMALL_INIT_COUNTEREXAMPLE = {"n": 4, "d": 3, "log10_scale": -1, "seed": 0}


@claim(
    id="relu1.small_init_monotone_any_data",
    paper=LSY,
    status="refuted",
    kind="monotone",
    statement=r"Conjecture (spec R12; the README's 'from a small initialisation the norm increases for "
    r"any data'): for ANY data with $y \ge 0$ and any small $w(0) \in U$, $\|w(t)\|$ is "
    r"non-decreasing. Refuted: generic integer data where the norm dips after activation switches "
    r"(the non-positive-correlation condition of relu1.nonpos_corr_invariant_set cannot be dropped).",
    strategy=S.integer_data_small_init(),
    tolerance="A dip counts only above 1e-7 relative (1e6 times the exact path's ~1e-13 round-off) and "
    "only when re-measured at 100x tighter integrator settings (rtol 1e-14, finer grid) within 5%.",
    assumptions="Integer data X in {-2..2}^{n x d}, labels in {0, 0.5, .., 2}, three small integer "
    "inits in U per data set (||w(0)|| 10^-3..10^-1 of min y_i/||x_i||).",
    closed_form="(none: a counterexample search; the pinned instance is replayed first)",
    examples={"dev": 300, "ci": 400, "thorough": 3000},
    pinned=[SMALL_INIT_COUNTEREXAMPLE],
)
def small_init_monotone_any_data(inst, ctx):
    from hypothesis import target

    probs = integer_small_init_problems(inst)
    worst: dict[str, Any] | None = None
    for k, (X, y, w0, _) in enumerate(probs):
        d = norm_dip(relu_flow_exact(X, y, w0))
        d["init"] = k
        if worst is None or d["min_log_rate"] < worst["min_log_rate"]:
            worst = d
    if worst is None or not math.isfinite(worst["min_log_rate"]):
        return Check.vacuous_instance("no usable init")
    try:
        target(-float(worst["min_log_rate"]), label="most negative dlog||w||/dt")
    except Exception:  # noqa: BLE001 - outside a hypothesis run (replay)
        pass
    # Count a drop only above 1e-7 relative: 1e6 times the exact path's round-off (~1e-13), so a hit
    # is unmistakable; it is then re-measured at 100x tighter integrator settings.
    if worst["rel_drop"] <= DROP_THRESHOLD:
        return Check(
            True, measured=worst["min_log_rate"], predicted=">= 0", margin=max(0.0, -worst["min_log_rate"])
        )
    X, y, w0, ui = probs[worst["init"]]
    cert = _certified_dip(X, y, w0)
    c, f = cert["coarse"]["rel_drop"], cert["fine"]["rel_drop"]
    certified = f > DROP_THRESHOLD and abs(c - f) <= 0.05 * f
    return Check(
        not certified,
        measured=f"relative drop {f:.3g}",
        predicted="no drop",
        margin=-f if certified else 0.0,
        details={
            "X": X.tolist(),
            "y": y.tolist(),
            "init_direction": ui.tolist(),
            "w0": w0.tolist(),
            "t_peak": cert["fine"]["t_peak"],
            "t_dip": cert["fine"]["t_dip"],
            "norm_peak": cert["fine"]["norm_peak"],
            "norm_dip": cert["fine"]["norm_dip"],
            "norm0": cert["fine"]["norm0"],
            "rel_drop_coarse": c,
            "rel_drop_fine": f,
            "min_dlog_norm_dt_per_lambda": worst["min_log_rate"],
        },
    )


@small_init_monotone_any_data.false_variant(
    "dip_is_integration_artefact",
    "The dip of the pinned counterexample is an artefact of the exact piecewise integrator: an "
    "independent integrator (solve_ivp DOP853 with switch events, rtol 1e-11) shows no relative drop "
    "above the detection threshold 1e-7 between the peak and the dip. (The certified dip, 5.3e-5, is "
    "~500 thresholds: inherently far, the variant checks the counterexample's independence of the "
    "integrator.)",
    strategy=st.just(SMALL_INIT_COUNTEREXAMPLE),
    examples={"dev": 1, "ci": 1, "thorough": 1},
)
def _(inst, ctx):
    probs = integer_small_init_problems(inst)
    dips = [norm_dip(relu_flow_exact(X, y, w0)) for X, y, w0, _ in probs]
    k = int(np.argmax([d["rel_drop"] for d in dips]))
    X, y, w0, _ = probs[k]
    dip = dips[k]
    ivp = relu_flow_ivp(X, y, w0, dip["t_dip"] * 1.01, rtol=1e-11, atol=1e-14)
    nr = np.linalg.norm(ivp.w(np.array([dip["t_peak"], dip["t_dip"]])), axis=1)
    drop = float((nr[0] - nr[1]) / nr[0])
    return Check.upper(drop, 0.0, tol=DROP_THRESHOLD, exact_path_drop=dip["rel_drop"], init=k)
