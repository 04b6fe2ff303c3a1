"""Figures for the deep-ReLU width claims (drawn by ``theorems verify --figures DIR``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from theorems import Context
from theorems.deep_relu_width import formulas as F


def movement_against_width(ctx: Context, directory: str) -> list[str]:
    """Relative movement after 400 GD steps against width (log-log): one dot per initialisation, the
    mean per width, and the least-squares line through the means with its slope."""
    from theorems.core.io import pyplot, save_figure

    plt = pyplot()
    c = F.config(ctx.profile)
    widths = tuple(c["widths"])
    seeds = range(ctx.pick(dev=2, ci=3, thorough=5))
    fig, ax = plt.subplots(figsize=(5.5, 4.0))
    data: dict[str, Any] = {"widths": list(widths)}
    for s in seeds:
        sw = F.gd_sweep(s, tuple(sorted(set(widths) | set(c["fit_widths"]))), c["replicas"])
        mov = np.array([sw[m].movement for m in widths])
        means = mov.mean(axis=1)
        slope, icpt = np.polyfit(np.log(widths), np.log(means), 1)
        for m, row in zip(widths, mov, strict=True):
            ax.plot([m] * row.size, row, ".", color=f"C{s}", alpha=0.35, ms=4)
        ax.plot(widths, means, "o", color=f"C{s}", label=f"data seed {s}: slope {slope:.2f}")
        ax.plot(widths, np.exp(icpt) * np.asarray(widths, float) ** slope, "-", color=f"C{s}", lw=1)
        data[f"seed_{s}"] = {"movement": mov.tolist(), "slope_of_means": float(slope)}
    ref = np.asarray(widths, float)
    ax.plot(
        ref,
        0.8 * data["seed_0"]["movement"][0][0] * (ref / ref[0]) ** -0.5,
        "k--",
        lw=0.8,
        label="slope -1/2",
    )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("width m")
    ax.set_ylabel("max_l ||W_l - W_l(0)||_F / ||W_l(0)||_F")
    ax.set_title("Deep ReLU net, GD eta = 1/m, 400 steps", fontsize=9)
    ax.legend(fontsize=7)
    return save_figure(fig, f"{directory}/deep_relu_width_movement", data)
