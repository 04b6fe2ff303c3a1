"""The template paper's claims (``template.*``), in the paper's order, each followed by its false
variants. Importing this module registers them; discovery does it for every paper package (but not for
this template: its name starts with an underscore)."""

from __future__ import annotations

import numpy as np

from sim import Recorder, gd
from theorems import Check, claim
from theorems._template import PAPER, figures
from theorems._template.formulas import flow_closed_form, gd_closed_form
from theorems._template.instances import build, overdetermined


def _gd_check(inst: dict, predict: str) -> Check:
    """sim's GD after k steps against a closed form (``"gd"`` or the gradient flow at t = lr k)."""
    prob, theta0, lr, k = build(inst)
    run = gd(prob, theta0[None, :], lr, k, recorder=Recorder(every=k, loss_integral=False))
    if predict == "gd":
        pred = gd_closed_form(prob.X, prob.y, theta0, lr, k)
    else:
        pred = flow_closed_form(prob.X, prob.y, theta0, lr * k)
    scale = 1.0 + float(np.linalg.norm(theta0 - pred))
    return Check.close(run.theta[0], pred, atol=1e-9 * scale, lr=lr, k=k)


@claim(
    id="template.gd_closed_form",
    paper=PAPER,
    status="derived",
    kind="equality",
    statement=r"Gradient descent on $L(\theta)=\frac1{2n}\|X\theta-y\|^2$ ($n>d$) with step $\eta$: "
    r"$\theta_k=\theta^\star+(I-\eta H)^k(\theta_0-\theta^\star)$, $H=X^\top X/n$.",
    strategy=overdetermined(),
    assumptions="Gaussian X with n > d (H invertible a.s.), step f * 2 / lambda_max(H), f in [0.05, "
    "0.95], k in [1, 50] steps.",
    closed_form=r"$\theta_k=\theta^\star+V\,\mathrm{diag}(1-\eta\lambda_i)^k V^\top(\theta_0-\theta^\star)$",
    tolerance="1e-9 (1 + |theta_0 - theta_k|) in max-norm: k <= 50 float64 steps of a contraction "
    "accumulate ~1e-14.",
    examples={"dev": 5, "ci": 10, "thorough": 200},
)
def gd_closed_form_claim(inst: dict, ctx) -> Check:
    """Run ``sim.gd`` for k steps and compare with the closed form."""
    return _gd_check(inst, "gd")


@gd_closed_form_claim.false_variant(
    "is_gradient_flow", "GD's k-th iterate is gradient flow at time t = eta k."
)
def _(inst: dict, ctx) -> Check:
    return _gd_check(inst, "flow")


gd_closed_form_claim.add_figures(figures.gd_error_vs_step)
