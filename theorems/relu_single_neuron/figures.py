"""Figures of the ReLU claims: the norm along orthogonal-input flows, and the Vardi-Shamir limits against
gamma (``theorems verify --figures DIR``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.relu_flow import relu_flow_exact
from theorems import Context
from theorems.relu_single_neuron.claims_flow import orthogonal_small_init_increasing
from theorems.relu_single_neuron.claims_population import vardi_shamir_limit_depends_on_gamma
from theorems.relu_single_neuron.formulas import orthogonal_solution
from theorems.relu_single_neuron.instances import integer_small_init_problems, orthogonal_problem
from theorems.relu_single_neuron.simulations import _horizon, norm_dip, vardi_shamir_limit


@orthogonal_small_init_increasing.add_figures
def _figures_norms(ctx: Context, directory: str) -> list[str]:
    """||w(t)|| along the exact flow: orthogonal inputs from a small and from a large init (dots: the
    closed form), and a generic-data small-init instance of the counterexample search whose norm
    decreases after its peak."""
    from theorems.core.io import pyplot, save_figure

    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.0))
    data: dict[str, Any] = {}
    for ax, mode in zip(axes[:2], ("small", "large"), strict=True):
        for seed in range(4):
            inst = {
                "n": 3,
                "d": 4,
                "zero_frac": 0.0,
                "log10_scale": -1.5 if mode == "small" else 0.5,
                "init": mode,
                "seed": seed,
            }
            X, y, w0 = orthogonal_problem(inst)
            p = relu_flow_exact(X, y, w0)
            ts = np.linspace(0.0, _horizon(p) / 4, 300)
            nr = np.sqrt(p.norm2(ts)) / np.linalg.norm(w0)
            ax.plot(ts, nr, lw=1.2, label=f"seed {seed}")
            cf = np.linalg.norm(orthogonal_solution(X, y, w0, ts), axis=1) / np.linalg.norm(w0)
            ax.plot(ts[::15], cf[::15], "k.", ms=3)
            data[f"{mode}_{seed}"] = {"t": ts.tolist(), "norm_over_norm0": nr.tolist()}
        ax.set_title(f"orthogonal inputs, {mode} init (dots: closed form)", fontsize=9)
        ax.set_xlabel("t")
        ax.set_ylabel("||w(t)|| / ||w(0)||")
        ax.set_yscale("log" if mode == "small" else "linear")
        ax.legend(fontsize=7)
    # a generic-data counterexample to "small init => ||w|| non-decreasing" (found by the search)
    inst = {"n": 6, "d": 3, "log10_scale": -2, "seed": 0}
    probs = integer_small_init_problems(inst)
    dips = [norm_dip(relu_flow_exact(X, y, w0)) for X, y, w0, _ in probs]
    k = int(np.argmax([d["rel_drop"] for d in dips]))
    X, y, w0, _ = probs[k]
    p = relu_flow_exact(X, y, w0)
    ts = np.linspace(0.0, 3 * dips[k]["t_dip"], 600)
    nr = np.sqrt(p.norm2(ts))
    ax = axes[2]
    ax.plot(ts, nr / nr.max(), lw=1.2)
    for te in p.event_times[p.event_times < ts[-1]]:
        ax.axvline(te, color="0.7", lw=0.6, ls=":")
    ax.set_ylim(1 - 4 * dips[k]["rel_drop"], 1 + dips[k]["rel_drop"])
    ax.set_title("generic integer data (n=6, d=3, seed 0), small init in U", fontsize=9)
    ax.set_xlabel("t (dotted: activation switches)")
    ax.set_ylabel("||w(t)|| / max ||w||")
    data["generic_counterexample"] = {
        "instance": inst,
        "t": ts.tolist(),
        "norm": nr.tolist(),
        "switch_times": p.event_times.tolist(),
    }
    return save_figure(fig, f"{directory}/relu1_norm_small_large_init", data)


@vardi_shamir_limit_depends_on_gamma.add_figures
def _figures_vs(ctx: Context, directory: str) -> list[str]:
    """w3(inf) of the Vardi-Shamir construction against gamma (the zero-loss set is fixed)."""
    from theorems.core.io import pyplot, save_figure

    plt = pyplot()
    gammas = np.linspace(0.0, 3.0, ctx.pick(dev=31, ci=61, thorough=121))
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    data: dict[str, Any] = {"gamma": gammas.tolist()}
    for eps in (1e-3, 1e-2, 1e-1):
        w3 = [float(vardi_shamir_limit(float(g), eps).w_inf[2]) for g in gammas]
        ax.plot(gammas, w3, marker=".", label=f"eps = {eps:g}")
        data[f"w3_eps_{eps:g}"] = w3
    ax.axhline(0.0, color="k", lw=0.6, ls="--", label="min-norm zero-loss w3 = 0")
    ax.set_xlabel("gamma")
    ax.set_ylabel("w3(inf)")
    ax.set_title("Vardi-Shamir: same zero-loss set, limit depends on gamma")
    ax.legend(fontsize=7)
    return save_figure(fig, f"{directory}/relu1_vardi_shamir_limits", data)
