"""Figures of the heavy-tail claims: alpha against eta/b with Hill estimates, and the survival of
simulated iterates against the predicted slope -alpha (``theorems verify --figures DIR``).
"""

from __future__ import annotations

import numpy as np

from sim import online
from theorems.heavy_tail.claims_tail_index import infinite_variance_window
from theorems.heavy_tail.formulas import (
    TailIndexOutOfRange,
    critical_step_size,
    lyapunov_exponent,
    max_step_size,
    step_for_tail_index,
    tail_index,
)
from theorems.heavy_tail.simulations import _hill_check


def _figure_chains(seed: int, R: int, alpha: float, b: int) -> tuple[float, np.ndarray]:
    """(eta, final states) of R d = 1, sigma2 = 1 chains at the step with tail index alpha, run for
    20/|rho| + 30 steps (figures only)."""
    eta = step_for_tail_index(alpha, b, 1)
    rho = lyapunov_exponent(eta, b, 1)
    return eta, online.scalar_chains(seed, R, int(20 / abs(rho)) + 30, eta, b).state


def _alpha_figure(plt, R: int, path: str) -> list[str]:
    """alpha against eta/b: theory curves for several b, d and Hill estimates with CIs in d = 1."""
    from theorems.core.io import save_figure

    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    data: dict = {"curves": [], "estimates": []}
    for d, ls in ((1, "-"), (5, "--")):
        for b in (1, 2, 4):
            ec, em = critical_step_size(b, d), max_step_size(b, d)
            etas = np.linspace(0.35 * ec, em * (1 - 1e-3), 40)
            al = []
            for e in etas:
                try:
                    al.append(tail_index(e, b, d))
                except TailIndexOutOfRange:
                    al.append(np.nan)
            (line,) = ax.plot(etas / b, al, ls, label=f"b={b}, d={d}")
            data["curves"].append({"b": b, "d": d, "eta_over_b": (etas / b).tolist(), "alpha": al})
            if d == 1:
                for k_, target in enumerate((0.8, 1.5, 3.0)):
                    eta, z = _figure_chains(1000 + 10 * b + k_, R, target, b)
                    h = _hill_check(z, target, 0.01)
                    ax.errorbar(
                        [eta / b],
                        [h["alpha_hat"]],
                        yerr=[[h["half_width"]], [h["half_width"]]],
                        fmt="o",
                        color=line.get_color(),
                        ms=4,
                        capsize=2,
                    )
                    data["estimates"].append({"b": b, "eta": eta, "alpha": target, **h})
    ax.axhline(2, color="grey", lw=0.8, ls=":")
    ax.set_xlabel(r"$\eta/b$")
    ax.set_ylabel(r"tail index $\alpha$")
    ax.set_ylim(0, 8)
    ax.set_title("Tail index of online SGD (sigma^2 = 1); dots: Hill estimates, d = 1")
    ax.legend(fontsize=7)
    return save_figure(fig, path, data)


def _survival_figure(plt, R: int, path: str) -> list[str]:
    """Log-log survival of simulated iterates against the predicted slope -alpha."""
    from theorems.core.io import save_figure

    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    sdata = []
    for b, target in ((1, 1.0), (2, 1.6), (1, 3.0)):
        eta, z = _figure_chains(77 + b, R, target, b)
        z = np.sort(np.abs(z))[::-1]
        surv = np.arange(1, z.size + 1) / z.size
        (line,) = ax.loglog(z, surv, lw=1, label=f"b={b}, alpha={target}")
        t0 = z[int(0.01 * z.size)]
        tt = np.geomspace(t0, z[0], 10)
        ax.loglog(tt, 0.01 * (tt / t0) ** (-target), "--", color=line.get_color(), lw=1)
        sdata.append({"b": b, "alpha": target, "eta": eta, "t": z[:2000].tolist()})
    ax.set_xlabel("t")
    ax.set_ylabel(r"$P(|x_\infty| > t)$")
    ax.set_title("Survival of simulated iterates; dashed: slope -alpha")
    ax.legend(fontsize=7)
    return save_figure(fig, path, {"series": sdata})


@infinite_variance_window.add_figures
def _(ctx, directory: str) -> list[str]:
    """alpha against eta/b (theory curves for several b, d, Hill estimates with CIs in d = 1), and a
    log-log survival plot of simulated iterates against the predicted slope -alpha."""
    import os

    from theorems.core.io import pyplot

    plt = pyplot()
    R = ctx.pick(dev=20_000, ci=100_000, thorough=1_000_000)
    paths = _alpha_figure(plt, R, os.path.join(directory, "heavy_tail_alpha_vs_eta_over_b"))
    return paths + _survival_figure(plt, R, os.path.join(directory, "heavy_tail_survival"))
