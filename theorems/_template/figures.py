"""Figures of the template paper: ``fn(ctx, directory) -> [paths]``, attached to claims in ``claims.py``
and drawn by ``theorems verify --figures DIR``. Importing this module registers no claim."""

from __future__ import annotations

import os

import numpy as np

from theorems._template.formulas import flow_closed_form, gd_closed_form
from theorems._template.instances import build


def gd_error_vs_step(ctx, directory: str) -> list[str]:
    """|theta_k - theta*| of the GD closed form and of gradient flow at t = eta k, against k."""
    from theorems.core.io import pyplot, save_figure

    plt = pyplot()
    prob, theta0, lr, _ = build({"n": 20, "d": 3, "f": 0.9, "k": 1, "seed": 0})
    star = np.linalg.lstsq(prob.X, prob.y, rcond=None)[0]
    ks = list(range(0, 40))
    gd_err = [float(np.linalg.norm(gd_closed_form(prob.X, prob.y, theta0, lr, k) - star)) for k in ks]
    gf_err = [float(np.linalg.norm(flow_closed_form(prob.X, prob.y, theta0, lr * k) - star)) for k in ks]
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.semilogy(ks, gd_err, "o", label="GD (closed form)")
    ax.semilogy(ks, gf_err, "-", label="gradient flow at t = eta k")
    ax.set_xlabel("step k")
    ax.set_ylabel("|theta_k - theta*|")
    ax.legend()
    return save_figure(
        fig, os.path.join(directory, "template_gd_error_vs_step.png"), {"k": ks, "gd": gd_err, "flow": gf_err}
    )
