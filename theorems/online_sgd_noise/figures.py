"""Figures of the SGD-noise claims (``theorems verify --figures DIR``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from theorems import Context
from theorems.online_sgd_noise.claims_dln_online import dln_online_golden_path_flat
from theorems.online_sgd_noise.formulas import matched_rho
from theorems.online_sgd_noise.instances import dln_problem_seed
from theorems.online_sgd_noise.simulations import (
    Sweep,
    SweepConfig,
    _offline_switch_finals,
    _switch_finals,
    config,
    offline_sweep,
    online_sweep,
)


def _rho_figure(plt: Any, on: Sweep, off: Sweep, cfg: SweepConfig, seed: int, path: Path) -> list[str]:
    """rho(l) against l (log-log), online and offline, one curve per batch size."""
    from theorems.core.io import save_figure

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    data: dict[str, Any] = {"seed": seed, "convention": "P: loss (x.beta-y)^2/4, eta=0.04; levels in MSE"}
    for ax, sw, name, batches in (
        (axes[0], on, "online", cfg.online_batches),
        (axes[1], off, "offline", cfg.offline_batches),
    ):
        data[name] = {"levels": sw.levels.tolist()}
        for b in batches:
            rho = matched_rho(sw.runs[f"b{b}"], sw.runs["gd"], sw.teacher.Sigma)
            mean = np.nanmean(rho, axis=0)
            se = np.nanstd(rho, axis=0, ddof=1) / np.sqrt(np.sum(np.isfinite(rho), axis=0))
            ax.errorbar(sw.levels, mean, yerr=se, marker="o", ms=3, label=f"B = {b}")
            data[name][f"b{b}"] = mean.tolist()
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.invert_xaxis()
        ax.set_xlabel(
            "matched loss level (population MSE)" if name == "online" else "matched loss level (train MSE)"
        )
        ax.set_title(f"{name}: distance to GD at equal loss")
        ax.legend()
    axes[0].set_ylabel(r"$\rho = D/\ell$")
    fig.tight_layout()
    return save_figure(fig, path, data)


def _loss_figure(plt: Any, on: Sweep, off: Sweep, cfg: SweepConfig, path: Path) -> list[str]:
    """m(t) per step and per sample; final loss against the switch step, online and offline."""
    from theorems.core.io import save_figure

    fig, axes = plt.subplots(1, 4, figsize=(19, 4))
    curves: dict[str, Any] = {}
    steps = np.arange(on.steps + 1)
    for key in ["gd"] + [f"b{b}" for b in cfg.online_batches]:
        r = on.runs[key]
        geo = np.exp(np.log(r.mse).mean(axis=1))
        B = 1 if key == "gd" else int(key[1:])
        axes[0].loglog(steps[1:], geo[1:], label=key)
        if key != "gd":
            axes[1].loglog(steps[1:] * B, geo[1:], label=key)
        curves[key] = geo[:: max(1, on.steps // 200)].tolist()
    axes[0].set_xlabel("step")
    axes[1].set_xlabel("samples N = tB")
    for ax, title in ((axes[0], "online, per step"), (axes[1], "online, per sample")):
        ax.set_ylabel("population MSE (geometric mean)")
        ax.set_title(title)
        ax.legend()
    taus, finals = _switch_finals(on, cfg)
    geo = [float(np.exp(f.mean())) for f in finals]
    axes[2].plot(np.array(taus) / on.steps, geo, marker="o")
    axes[2].set_yscale("log")
    axes[2].set_xlabel(r"switch to population GD at $\tau/T$")
    axes[2].set_ylabel("final population MSE (geometric mean)")
    axes[2].set_title("online: switching earlier never hurts")
    taus_off, finals_off = _offline_switch_finals(off, cfg)
    off_means = [float(f.mean()) for f in finals_off]
    axes[3].plot(np.array(taus_off) / off.steps, off_means, marker="o", color="C3")
    axes[3].set_xlabel(r"switch to full-batch GD at $\tau/T$")
    axes[3].set_ylabel("final test MSE (mean)")
    axes[3].set_title("offline: noise kept longer ends better")
    fig.tight_layout()
    return save_figure(
        fig,
        path,
        {
            "curves_every": max(1, on.steps // 200),
            "curves": curves,
            "switch_tau": taus,
            "switch_final": geo,
            "offline_switch_tau": taus_off,
            "offline_switch_final": off_means,
        },
    )


@dln_online_golden_path_flat.add_figures
def _figures(ctx: Context, directory: str) -> list[str]:
    """rho(l) against l (log-log), online and offline, one curve per batch size; m(t) per step and
    per sample; final loss against the switch step."""
    from theorems.core.io import pyplot

    plt = pyplot()
    cfg = config(ctx)
    seed = dln_problem_seed({"draw": 0}, ctx.seed)
    on, off = online_sweep(seed, cfg), offline_sweep(seed, cfg)
    out = _rho_figure(plt, on, off, cfg, seed, Path(directory) / "online_noise_rho_vs_loss")
    return out + _loss_figure(plt, on, off, cfg, Path(directory) / "online_noise_loss_curves")
