"""Figures for Gunasekar et al. (2018): own-norm and l2 margin gaps of steepest descent against log t."""

from __future__ import annotations

import os

import numpy as np

import sim
from theorems.core.claims import Context
from theorems.optimization_geometry import instances as I
from theorems.optimization_geometry.formulas import max_margin


def margin_gaps(ctx: Context, directory: str) -> list[str]:
    """Data seed 3 (l1, l2, linf max-margin directions all differ): for each steepest descent, the gap to
    the max margin in its own norm (solid) and in l2 (dashed), against log t."""
    from theorems.core.io import pyplot, save_figure

    plt = pyplot()
    Z = I.classification_data(3)
    P = sim.LinearClassifier.from_margins_data(Z, "exponential")
    T = ctx.pick(dev=3000, ci=10_000)
    cps = np.unique(np.round(np.logspace(1, np.log10(T), 25)).astype(int))
    fig, ax = plt.subplots(figsize=(6.5, 4))
    data: dict = {"times": cps.tolist(), "runs": {}}
    g2 = max_margin(Z, 2).gamma
    for norm, (o, dual) in I.NORMS.items():
        B = float(np.linalg.norm(Z, ord=dual, axis=1).max())
        opt = sim.optimizers.steepest_descent(sim.optimizers.inverse_loss(1 / B**2), norm)
        r = sim.train(
            P,
            opt,
            np.zeros(3),
            T,
            checkpoints=cps[cps < T],
            recorder=sim.Recorder(loss=False, loss_integral=False, iterates=True),
        )
        W = r.records["iterates"][1:, 0]
        own = max_margin(Z, norm).gamma - np.array([I.normalized_margin(Z, w, o) for w in W])
        l2 = g2 - np.array([I.normalized_margin(Z, w, 2) for w in W])
        (line,) = ax.plot(np.log(r.times[1:]), np.maximum(own, 1e-12), label=f"l{norm} SD: own norm")
        ax.plot(
            np.log(r.times[1:]), np.maximum(l2, 1e-12), "--", color=line.get_color(), label=f"l{norm} SD: l2"
        )
        data["runs"][f"l{norm}"] = {"own_gap": own.tolist(), "l2_gap": l2.tolist()}
    ax.set(xlabel="log t", ylabel="margin gap", yscale="log", title="steepest descent, eta_t = 1/(B^2 L)")
    ax.legend(fontsize=7)
    return save_figure(fig, os.path.join(directory, "optimization_geometry_margin_gaps"), data)
