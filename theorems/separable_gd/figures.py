"""Figures for Soudry et al. (2018): direction error and margin gap against log t (``--figures DIR``)."""

from __future__ import annotations

import os

import numpy as np

from theorems.core.claims import Context
from theorems.separable_gd import instances as I
from theorems.separable_gd.formulas import direction_constant, predicted_direction_error


def direction_and_margin(ctx: Context, directory: str) -> list[str]:
    """Designed instance, GD at eta and eta/4: (left) ||w/||w|| - u|| log t with the derived c* and the
    expansion's prediction; (right) the l2 margin gap gamma - min_n z_n^T w/||w|| against log t."""
    from theorems.core.io import pyplot, save_figure

    plt = pyplot()
    r = I.run(0, ctx.pick(dev=20_000, ci=100_000, thorough=1_000_000))
    u = r.w_hat / np.linalg.norm(r.w_hat)
    gamma = 1 / np.linalg.norm(r.w_hat)
    L = np.log(r.times)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.8))
    data: dict = {"log_t": L.tolist(), "runs": []}
    for j, eta in enumerate(r.etas):
        w = r.w[:, j]
        err = np.linalg.norm(w / np.linalg.norm(w, axis=1, keepdims=True) - u, axis=1)
        gap = gamma - (w @ r.Z.T).min(axis=1) / np.linalg.norm(w, axis=1)
        c = direction_constant(r.w_hat, r.w_tilde[j])
        pred = predicted_direction_error(r.w_hat, r.w_tilde[j], r.times)
        (line,) = a1.plot(L, err * L, label=f"GD, eta={eta:.3g}")
        a1.plot(L, pred * L, ":", color=line.get_color(), label="w_hat log t + w_tilde")
        a1.axhline(c, color="k", lw=0.8)
        a2.plot(L, gap, label=f"GD, eta={eta:.3g}")
        data["runs"].append({"eta": float(eta), "err": err.tolist(), "gap": gap.tolist(), "c_star": c})
    a1.set(xlabel="log t", ylabel="direction error x log t", title="-> c* (black)")
    a2.set(xlabel="log t", ylabel="margin gap", yscale="log", title="l2 margin gap")
    a1.legend(fontsize=7)
    a2.legend(fontsize=7)
    return save_figure(fig, os.path.join(directory, "separable_gd_direction_margin"), data)
