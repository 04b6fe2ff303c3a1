"""Figures for Wang et al. (2021): direction error and margin gap against log t per optimizer."""

from __future__ import annotations

import os

import numpy as np

from theorems.adaptive_margin import instances as I
from theorems.adaptive_margin.formulas import angle
from theorems.core.claims import Context
from theorems.separable_gd.formulas import svm


def direction_and_margin(ctx: Context, directory: str) -> list[str]:
    """The spec's toy: angle of w(t) to w_hat_2 and the l2 margin gap, for GD, RMSProp, Adam, AdaGrad."""
    from theorems.core.io import pyplot, save_figure

    plt = pyplot()
    r = I.run(0, ctx.pick(dev=30_000, ci=100_000, thorough=100_000))
    w2 = svm(r.Z).w
    gamma = 1 / np.linalg.norm(w2)
    L = np.log(r.times)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.8))
    data: dict = {"log_t": L.tolist(), "runs": {}}
    for j, name in enumerate(I.NAMES):
        w = r.w[:, j]
        ang = np.array([angle(x, w2) for x in w])
        gap = gamma - (w @ r.Z.T).min(axis=1) / np.linalg.norm(w, axis=1)
        a1.plot(L, ang, label=name)
        a2.plot(L, np.maximum(gap, 1e-12), label=name)
        data["runs"][name] = {"angle_to_w2": ang.tolist(), "gap": gap.tolist()}
    a1.set(xlabel="log t", ylabel="angle(w(t), w_hat_2) [rad]", yscale="log")
    a2.set(xlabel="log t", ylabel="l2 margin gap", yscale="log")
    a1.legend(fontsize=7)
    return save_figure(fig, os.path.join(directory, "adaptive_margin_direction_margin"), data)
