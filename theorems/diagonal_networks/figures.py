r"""Figures of Pesme, Pillaud-Vivien, Flammarion (2021): the reproduction protocol F1-F3 of the spec.

* :func:`test_error_vs_step` (F1) -- test error of SGD and GD against the step size, with GF and the
  minimum-l1 interpolant (attached to ``pesme2021.generalisation.sgf_beats_gf``);
* :func:`shrink_vs_loss_integral` (F2) -- the realised log-shrink of SGF and SGD against
  $2\gamma\,\mathrm{diag}\int L$ (attached to ``pesme2021.bias.slower_is_stronger``);
* :func:`gd_from_alpha_inf` (F3) -- GD started at $\alpha_\infty$ lands on the SGD solution
  (attached to ``pesme2021.sgd.limit_exact``).

Each is ``fn(ctx, directory) -> [paths]`` (PNG plus JSON data); :mod:`theorems.diagonal_networks.claims`
attaches them to their claims, and ``theorems verify --figures DIR`` draws them. Importing this module
registers no claim.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.diagonal_kernels import run_gd, run_sgd
from theorems.diagonal_networks.formulas import effective_init
from theorems.diagonal_networks.instances import SparseRegression, setup
from theorems.diagonal_networks.simulations import _noise_seed, implicit_for, sgd_runs, sgf_runs
from theorems.diagonal_networks.solvers import min_l1_interpolant


def _figure_instance(ctx) -> dict:
    # The reference size of the paper's experiments in `thorough`; a smaller one otherwise.
    n, d, s = ctx.pick(dev=(20, 50, 3), ci=(20, 50, 3), thorough=(40, 100, 5))
    return {"n": n, "d": d, "s": s, "a": 0.3, "spread": 0.0, "f": 1.0, "seed": 0}


def _figure_setup(ctx, **overrides: Any) -> tuple[Any, dict, tuple[SparseRegression, np.ndarray, float]]:
    """pyplot, the figure instance (:func:`_figure_instance` with ``overrides``) and its setup."""
    from theorems.core.io import pyplot

    inst = {**_figure_instance(ctx), **overrides}
    return pyplot(), inst, setup(inst)


def _save_figure(
    fig: Any, ax: Any, directory: str, stem: str, data: dict, *, xlabel: str, ylabel: str, log_x: bool = False
) -> list[str]:
    """Label the axes, add the legend and save ``pesme2021_<stem>.png`` with its data."""
    import os

    from theorems.core.io import save_figure

    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7)
    return save_figure(fig, os.path.join(directory, f"pesme2021_{stem}.png"), data)


def test_error_vs_step(ctx, directory: str) -> list[str]:
    """F1: test error of SGD (seed mean +- 95% CI) and GD against the step, with GF and min-l1."""
    plt, inst, (data, alpha, gamma0) = _figure_setup(ctx, a=0.1)
    R = ctx.pick(dev=8, ci=8, thorough=32)
    fs = [0.5, 1.0, 2.0, 3.0, 4.0]
    te_gf = float(data.test_error(implicit_for(inst, alpha)))
    te_l1 = float(data.test_error(min_l1_interpolant(data.X, data.y)))
    rows = []
    for f in fs:
        run = sgd_runs(inst, R, tol=1e-10, t_max=3000.0, f_mult=f)
        live = ~run.diverged & (run.loss <= 1e-8)
        te = data.test_error(run.beta[live])
        g = run_gd(data.X, data.y, alpha, gamma0 * f, int(3000 / (gamma0 * f)), tol_loss=1e-10)
        rows.append(
            {
                "f": f,
                "gamma": gamma0 * f,
                "sgd_mean": float(te.mean()) if te.size else None,
                "sgd_ci": float(1.96 * te.std(ddof=1) / math.sqrt(te.size)) if te.size > 1 else None,
                "sgd_converged": int(te.size),
                "gd": float(data.test_error(g.beta)[0]),
            }
        )
    fig, ax = plt.subplots(figsize=(5.5, 4))
    xs = [r["gamma"] for r in rows if r["sgd_mean"] is not None]
    ax.errorbar(
        xs,
        [r["sgd_mean"] for r in rows if r["sgd_mean"] is not None],
        yerr=[r["sgd_ci"] or 0 for r in rows if r["sgd_mean"] is not None],
        marker="o",
        label=f"SGD (mean of {R} seeds, 95% CI)",
    )
    ax.plot([r["gamma"] for r in rows], [r["gd"] for r in rows], marker="s", label="GD")
    ax.axhline(te_gf, color="k", ls="--", label="GF (argmin phi_alpha)")
    ax.axhline(te_l1, color="g", ls=":", label=f"min-l1 ({te_l1:.2g})")
    ax.set_title(f"n={data.n}, d={data.d}, s={inst['s']}, alpha={inst['a']}")
    return _save_figure(
        fig,
        ax,
        directory,
        "test_error_vs_step",
        {"instance": inst, "rows": rows, "te_gf": te_gf, "te_l1": te_l1},
        xlabel="step size gamma",
        ylabel="test error |beta - beta*|^2",
        log_x=True,
    )


def shrink_vs_loss_integral(ctx, directory: str) -> list[str]:
    """F2: realised mean log-shrink against 2 gamma mean(diag) int L, SGF (Milstein) and SGD."""
    plt, inst, (data, alpha, gamma0) = _figure_setup(ctx, n=12, d=30, s=2)
    R = ctx.pick(dev=6, ci=6, thorough=24)
    pts: dict[str, list] = {"sgf": [], "sgd": []}
    for f in (0.5, 1.0, 2.0):
        sgf = sgf_runs(inst, R, h_div=2.0, scheme="milstein", tol=1e-10, f_mult=f)
        sgd = sgd_runs(inst, R, tol=1e-10, f_mult=f)
        for name, run in (("sgf", sgf), ("sgd", sgd)):
            for r in np.flatnonzero(~run.diverged):
                pts[name].append(
                    [
                        2 * gamma0 * f * data.diag.mean() * float(run.loss_integral[r]),
                        float(-run.log_shrink[r].mean()),
                    ]
                )
    fig, ax = plt.subplots(figsize=(5, 4.5))
    for name, mk in (("sgf", "o"), ("sgd", "x")):
        a = np.asarray(pts[name])
        ax.scatter(
            a[:, 0],
            a[:, 1],
            marker=mk,
            label={"sgf": "SGF (Milstein, realised)", "sgd": "SGD (exact discrete shrink)"}[name],
        )
    lim = max(max(p[0] for p in pts["sgf"]), max(p[1] for p in pts["sgd"]))
    ax.plot([0, lim], [0, lim], "k--", lw=1, label="y = x (SGF formula)")
    return _save_figure(
        fig,
        ax,
        directory,
        "shrink_vs_loss_integral",
        {"instance": inst, "points": pts},
        xlabel="2 gamma mean_i diag_i  int L",
        ylabel="mean_i ln(alpha_i / alpha_inf,i)",
    )


def gd_from_alpha_inf(ctx, directory: str) -> list[str]:
    """F3: test error over time of GD(alpha), SGD(alpha) and GD started at alpha_inf of that run."""
    plt, inst, (data, alpha, gamma) = _figure_setup(ctx, f=3.0)
    T = 3000.0
    every = max(1, int(1.0 / gamma))
    sgd = run_sgd(
        data.X,
        data.y,
        alpha,
        gamma,
        int(T / gamma),
        n_replicas=1,
        seed=_noise_seed(inst, 9),
        tol_loss=1e-12,
        trace_every=every,
    )
    a_ex = alpha * np.exp(sgd.log_shrink[0])
    a_sgf = effective_init(alpha, gamma, data.X, float(sgd.loss_integral[0]))
    small = gamma / 4  # GD at a small step as a proxy for GF (its own gain is O(gamma^2))
    curves = {"SGD(alpha)": sgd}
    for name, a0 in (
        ("GD(alpha)", alpha),
        ("GD(alpha_inf exact)", a_ex),
        ("GD(alpha_inf SGF formula)", a_sgf),
    ):
        curves[name] = run_gd(
            data.X, data.y, a0, small, int(T / small), tol_loss=1e-12, trace_every=max(1, int(1.0 / small))
        )
    fig, ax = plt.subplots(figsize=(5.5, 4))
    out = {}
    for name, run in curves.items():
        te = data.test_error(run.trace["beta"][:, 0, :])
        ax.plot(run.trace["t"], te, label=name)
        out[name] = {"t": run.trace["t"], "test_error": te, "final": float(data.test_error(run.beta)[0])}
    return _save_figure(
        fig,
        ax,
        directory,
        "gd_from_alpha_inf",
        {"instance": inst, "curves": out},
        xlabel="time t = gamma k",
        ylabel="test error |beta - beta*|^2",
        log_x=True,
    )
