"""Figure: the loss gap along GD against the linear-rate bound of Theorem 1 (Xu et al. 2021)."""

from __future__ import annotations

from typing import Any

import numpy as np

from theorems import Context
from theorems.linear_gnn import formulas as F
from theorems.linear_gnn import instances as I
from theorems.linear_gnn.claims import LR, linear_rate_bound


@linear_rate_bound.add_figures
def loss_against_bound(ctx: Context, directory: str) -> list[str]:
    """L_t - L* (solid) and the bound (L_0 - L*) exp(-4 sigma_min^2 int lambda_min) (dashed), log scale,
    for the plain GNN at depths 1-3 and the skip model at depth 1 (graph/data seed 0, one init)."""
    from theorems.core.io import pyplot, save_figure

    plt = pyplot()
    steps = ctx.pick(dev=2000, ci=4000, thorough=8000)
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    data: dict[str, Any] = {"eta": LR, "steps": steps}
    for (depth, skip), col in zip(
        [(1, False), (2, False), (3, False), (1, True)], "C0 C1 C2 C3".split(), strict=True
    ):
        gnn = I.problem(0, depth, skip)
        c = F.rate_constants(gnn)
        p = I.gd_path(0, depth, skip, LR, steps)
        integral = np.concatenate([[0.0], LR * np.cumsum(p.lam_min[:-1, 0])])
        bound = F.linear_rate_bound(gnn, p.loss[0, 0], integral, c) - c.L_star
        gap = np.maximum(p.loss[:, 0] - c.L_star, 1e-16)
        t = np.arange(gap.size) * LR
        label = f"H={depth}{' skip' if skip else ''}"
        ax.semilogy(t, gap, color=col, label=f"{label}: L - L*")
        ax.semilogy(t, bound, color=col, ls="--", lw=1)
        data[label] = {
            "sigma_min": c.sigma_min,
            "L_star": c.L_star,
            "gap": gap[::10].tolist(),
            "bound": bound[::10].tolist(),
        }
    ax.set_xlabel("t = eta * step")
    ax.set_ylabel("L_t - L*  (dashed: Theorem 1 bound)")
    ax.set_title("Linear GNN: loss gap against the linear-rate bound (loose)", fontsize=9)
    ax.legend(fontsize=7)
    return save_figure(fig, f"{directory}/linear_gnn_loss_vs_bound", data)
