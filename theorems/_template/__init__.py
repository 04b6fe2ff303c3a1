r"""TEMPLATE for a new paper package: copy this directory to ``theorems/<paper>/`` and edit.

(The leading underscore keeps discovery from loading the template itself; your copy is discovered as
soon as it has a ``claims.py``.) To start a paper:

1. ``cp -r theorems/_template theorems/<paper>`` and replace ``theorems._template`` by
   ``theorems.<paper>`` in the imports, ``template.`` by your claim prefix (``<paper key>.``) in the ids;
2. this docstring: the citation and a one-paragraph summary of the paper, then the rooms below;
3. ``formulas.py``: the sympy derivations and the closed forms/solvers users import (no claims);
4. ``instances.py``: the hypothesis strategies (the paper's assumptions) and instance builders;
5. ``claims.py``: the claims, each followed by its false variants, in the paper's order (split into
   ``claims_<section>.py`` modules imported by ``claims.py`` beyond ~800 lines);
6. ``figures.py``: ``fn(ctx, directory) -> [paths]`` functions, attached in ``claims.py``;
7. shared caches or runners used by several claims: ``simulations.py``;
8. re-export the public functions here, run ``theorems verify '<paper key>.*'`` and
   ``theorems docs docs/claims``, and add tests for the formulas in ``tests/test_<paper>.py``.

The example paper, kept deliberately small: **gradient descent on least squares has a closed form.**
For $L(\theta) = \frac1{2n}\|X\theta - y\|^2$ with $H = X^\top X/n$ invertible ($n > d$) and
$\theta^\star$ its minimiser, GD with step $\eta$ satisfies
$\theta_k - \theta^\star = (I - \eta H)^k(\theta_0 - \theta^\star)$ (every textbook; e.g. Nesterov,
*Introductory Lectures on Convex Optimization*, 2004, Sec. 1.2.3). It is **not** gradient flow sampled
at $t = \eta k$, $e^{-\eta k H}(\theta_0 - \theta^\star)$: the false variant the suite must reject.

Public functions: :func:`derivations`, :func:`gd_closed_form`, :func:`flow_closed_form`
(:mod:`~theorems._template.formulas`); :func:`build` (:mod:`~theorems._template.instances`).
"""

from __future__ import annotations

from theorems import Citation

PAPER = Citation(
    authors="Y. Nesterov",
    year=2004,
    title="Introductory Lectures on Convex Optimization",
    venue="Kluwer",
    where="Sec. 1.2.3 (gradient method on a quadratic)",
)

# The public functions, re-exported after the citation (claims.py imports PAPER from here).
from theorems._template.formulas import derivations, flow_closed_form, gd_closed_form  # noqa: E402
from theorems._template.instances import build  # noqa: E402

__all__ = ["PAPER", "build", "derivations", "flow_closed_form", "gd_closed_form"]
