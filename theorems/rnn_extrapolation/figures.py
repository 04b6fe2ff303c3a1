"""Figure: extrapolation error of GD-trained linear RNNs against the init scale (log-log)."""

from __future__ import annotations

from typing import Any

import numpy as np

from theorems import Context
from theorems.rnn_extrapolation import instances as I
from theorems.rnn_extrapolation.claims import N_FIT, SIGMAS, error_grows_with_init_scale


@error_grows_with_init_scale.add_figures
def extrapolation_vs_init_scale(ctx: Context, directory: str) -> list[str]:
    """E_40 after GD against sigma for k in {2, 3, 5}: thin lines per seed, markers the median,
    dotted the fitted law sigma^{2k}; train loss L_k in the right panel."""
    from theorems.core.io import pyplot, save_figure

    plt = pyplot()
    steps = ctx.pick(dev=3000, ci=5000, thorough=10000)
    sig = SIGMAS + (0.3,)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    data: dict[str, Any] = {"sigma": list(sig), "steps": steps}
    for k, col in zip((2, 3, 5), ("C0", "C1", "C2"), strict=True):
        r = I.gd_runs(k, 0, sig, 6, steps)
        med = np.median(r.extrap, axis=1)
        slope = np.polyfit(np.log(SIGMAS[:N_FIT]), np.log(med[:N_FIT]), 1)[0]
        ax.loglog(sig, r.extrap, color=col, lw=0.5, alpha=0.5)
        ax.loglog(
            sig,
            med,
            "o-",
            color=col,
            label=f"k={k}: slope {slope:.2f} on sigma <= {SIGMAS[N_FIT - 1]} (2k = {2 * k})",
        )
        ax2.loglog(sig, np.median(r.loss, axis=1), "o-", color=col, label=f"k={k}")
        data[f"k{k}"] = {"E40": r.extrap.tolist(), "L_k": r.loss.tolist(), "slope": float(slope)}
    ax.set_xlabel("init scale sigma")
    ax.set_ylabel("E_40 = sum_{j>=k} (C A^j B)^2")
    ax.set_title(f"Linear RNN, GD eta=0.01, {steps} steps: extrapolation error", fontsize=9)
    ax.legend(fontsize=7)
    ax2.set_xlabel("init scale sigma")
    ax2.set_ylabel("median train loss L_k")
    ax2.set_title("train loss at the same budget (k >= 3 plateaus ~ sigma^4)", fontsize=9)
    ax2.legend(fontsize=7)
    return save_figure(fig, f"{directory}/rnn_extrapolation_error_vs_init_scale", data)
