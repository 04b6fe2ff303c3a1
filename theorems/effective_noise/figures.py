"""Figures for the effective-noise claims (drawn by ``theorems verify --figures DIR``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from theorems import Context
from theorems.effective_noise import formulas as F


def noise_against_batch_fraction(ctx: Context, directory: str) -> list[str]:
    """Left: replica distance Delta (SAT, alpha = 1) against the batch fraction b for eta = 0.05, 0.2.
    Right: T_eff in the window [0, 50) (UNSAT, alpha = 3, eta = 0.05) against b, with the
    delta-method 95% intervals; b = 1 is GD."""
    from theorems.core.io import pyplot, save_figure

    plt = pyplot()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4.0))
    data: dict[str, Any] = {}
    seeds = range(ctx.pick(dev=2, ci=3, thorough=5))
    for s in seeds:
        for j, eta in enumerate((0.05, 0.2)):
            sw = F.sat_sweep(s, eta, ctx.profile)
            bs = [b for b in sw if b < 1]
            a1.plot(
                bs,
                [sw[b].delta for b in bs],
                "o-" if j == 0 else "s--",
                color=f"C{s}",
                label=f"seed {s}, eta = {eta}",
            )
            data[f"delta_seed{s}_eta{eta}"] = {str(b): sw[b].delta for b in sw}
        tw = F.teff_sweep(s, ctx.profile)
        est = {b: r.estimate(0) for b, r in tw.items()}
        bs = sorted(est)
        vals = np.array([est[b].value for b in bs])
        err = np.array(
            [[est[b].value - est[b].ci(0.05)[0] for b in bs], [est[b].ci(0.05)[1] - est[b].value for b in bs]]
        )
        a2.errorbar(bs, vals, yerr=err, fmt="o-", color=f"C{s}", capsize=3, label=f"seed {s}")
        data[f"teff_seed{s}"] = {str(b): [est[b].value, *est[b].ci(0.05)] for b in bs}
    for ax in (a1, a2):
        ax.set_xscale("log")
        ax.set_xlabel("batch fraction b")
        ax.legend(fontsize=7)
    a1.set_yscale("log")
    a1.set_ylabel("replica distance Delta = 1 - mean q")
    a1.set_title("SAT (alpha = 1): GD has Delta = 0 (not drawn)", fontsize=9)
    a2.set_yscale("symlog", linthresh=1e-5)
    a2.set_ylim(bottom=0.0)
    a2.set_ylabel("T_eff, window [0, 50)")
    a2.set_title("UNSAT (alpha = 3), eta = 0.05; b = 1 is GD", fontsize=9)
    return save_figure(fig, f"{directory}/effective_noise_vs_batch", data)
