r"""Exact pieces for the linear-RNN extrapolation claims (no claims are registered here).

* :func:`shift_counterexample` / :func:`impulse_response`: the shift-register RNN that fits the
  memoryless teacher on every training lag ``j < k`` yet answers 1 at lag ``k`` (integer matrices,
  exact arithmetic).
* :func:`derive_shift_response` (sympy): the same, symbolically.
* :func:`derive_symmetric_mechanism` (sympy): on the manifold ``{A = A^T, C = B^T}`` the lag-``j``
  response is ``b^T A^j b = (Ab)^T A^{j-2} (Ab)`` and the GD field is tangent to the manifold.
* :func:`symmetric_extrapolation_bound`: the resulting bound
  ``E_K <= L_k \sum_{j=k}^{K-1} \|A\|_2^{2(j-2)}`` for ``k >= 3`` (memoryless teacher).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np


def shift_counterexample(d: int, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The counterexample of Cohen-Karlik et al. (AISTATS 2022), [reconstructed] linear form.

    ``A`` = the lower shift on :math:`\mathbb R^d` (``A e_i = e_{i+1}``), ``B = e_1``,
    ``C = e_1^T + e_{k+1}^T``, so that :math:`CA^jB = \delta_{j0} + \delta_{jk}`: the population loss
    at training length ``k`` is exactly 0 while the lag-``k`` response is 1. Needs ``d > k >= 1``.
    Returns integer arrays ``A`` (d, d), ``B`` (d,), ``C`` (d,).
    """
    for name, v in (("d", d), ("k", k)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{name} must be an integer, got {type(v).__name__}")
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    if d <= k:
        raise ValueError(f"the shift counterexample needs d > k (state e_(k+1) must exist); got d={d}, k={k}")
    A = np.eye(d, k=-1, dtype=np.int64)
    B = np.zeros(d, dtype=np.int64)
    B[0] = 1
    C = np.zeros(d, dtype=np.int64)
    C[0] = 1
    C[k] = 1
    return A, B, C


def impulse_response(A: Any, B: Any, C: Any, K: int) -> np.ndarray:
    """``[C A^j B for j in range(K)]`` for A (d, d), B (d,), C (d,).

    Integer inputs are computed exactly (Python integers, returned as an ``object`` array if they
    exceed int64); float inputs in float64 by :func:`sim.rnn.impulse_response` (which also accepts a
    leading replica axis).
    """
    if isinstance(K, bool) or not isinstance(K, (int, np.integer)) or K < 1:
        raise ValueError(f"K must be a positive integer, got {K!r}")
    arrs = [np.asarray(m) for m in (A, B, C)]
    if all(np.issubdtype(a.dtype, np.integer) for a in arrs) and arrs[0].ndim == 2:
        A_, B_, C_ = (a.astype(object) for a in arrs)
        d = A_.shape[0]
        if A_.shape != (d, d) or B_.reshape(-1).shape != (d,) or C_.reshape(-1).shape != (d,):
            raise ValueError(f"need A (d, d), B (d,), C (d,); got {A_.shape}, {B_.shape}, {C_.shape}")
        u, out = B_.reshape(-1), []
        for _ in range(K):
            out.append(int(C_.reshape(-1) @ u))
            u = A_ @ u
        big = max(abs(v) for v in out) >= 2**62
        return np.array(out, dtype=object if big else np.int64)
    from sim.rnn import impulse_response as _numeric

    return _numeric(A, B, C, K)


@functools.cache
def derive_shift_response(d: int, k: int, K: int) -> tuple[Any, ...]:
    """sympy: ``(C A^j B for j < K)`` of :func:`shift_counterexample` as exact sympy Integers."""
    import sympy as sp

    A, B, C = (sp.Matrix(m.tolist()) for m in shift_counterexample(d, k))
    u, out = B, []
    for _ in range(K):
        out.append(sp.Integer((C.T * u)[0]))
        u = A * u
    return tuple(out)


@functools.cache
def derive_symmetric_mechanism(d: int = 2, k: int = 3) -> dict[str, Any]:
    r"""sympy, fully symbolic ``d x d`` symmetric ``A`` and vector ``b`` (default d = 2, k = 3).

    * ``response_identity``: :math:`b^TA^jb - (Ab)^TA^{j-2}(Ab)` for ``j = 2..k+1`` (all 0);
    * ``lag2_is_norm``: :math:`b^TA^2b - \|Ab\|^2` (0);
    * ``grad_A_asymmetry`` / ``grad_C_minus_B``: the population-loss gradient (memoryless teacher,
      length ``k``, A, B, C all symbolic) evaluated at ``A = A^T``, ``C = B^T``: ``dL/dA`` is
      symmetric and ``dL/dC = (dL/dB)^T`` (both lists of 0), so GD stays on the manifold.
    """
    import sympy as sp

    a = sp.symbols(f"a0:{d * d}", real=True)
    bs = sp.Matrix(sp.symbols(f"b0:{d}", real=True))
    cs = sp.Matrix(sp.symbols(f"c0:{d}", real=True))
    A = sp.Matrix(d, d, a)
    sym = {A[i, j]: A[j, i] for i in range(d) for j in range(d) if i > j}
    As = A.subs(sym)
    Ab = As * bs
    ident = [sp.expand((bs.T * As**j * bs)[0] - (Ab.T * As ** (j - 2) * Ab)[0]) for j in range(2, k + 2)]
    lag2 = sp.expand((bs.T * As**2 * bs)[0] - (Ab.T * Ab)[0])
    L = sum(((cs.T * A**j * bs)[0] - (1 if j == 0 else 0)) ** 2 for j in range(k))
    point = {**sym, **{cs[i]: bs[i] for i in range(d)}}
    gA = sp.Matrix(d, d, [sp.diff(L, A[i, j]) for i in range(d) for j in range(d)]).subs(point)
    gB = sp.Matrix([sp.diff(L, bs[i]) for i in range(d)]).subs(point)
    gC = sp.Matrix([sp.diff(L, cs[i]) for i in range(d)]).subs(point)
    return {
        "response_identity": ident,
        "lag2_is_norm": lag2,
        "grad_A_asymmetry": [sp.expand(x) for x in (gA - gA.T)],
        "grad_C_minus_B": [sp.expand(x) for x in (gC - gB)],
    }


def symmetric_extrapolation_bound(A: Any, loss: float, k: int, K: int) -> float:
    r"""``L_k * sum_{j=k}^{K-1} ||A||_2^{2(j-2)}``: an upper bound on ``E_K`` on the symmetric manifold.

    Derivation (``k >= 3``, memoryless teacher): :math:`h_j = b^TA^jb = (Ab)^TA^{j-2}(Ab)`, so
    :math:`|h_j| \le \|Ab\|^2\|A\|_2^{j-2}`, and :math:`\|Ab\|^2 = h_2` is a trained lag, so
    :math:`\|Ab\|^4 = h_2^2 \le L_k`. Not valid for ``k = 2`` (lag 2 is not trained).
    """
    if k < 3:
        raise ValueError(f"the symmetric bound needs k >= 3 (lag 2 must be trained), got k={k}")
    return bound_expression(A, loss, k, K)


def bound_expression(A: Any, loss: float, k: int, K: int) -> float:
    """The expression of :func:`symmetric_extrapolation_bound` without its ``k >= 3`` guard (used to
    show that the bound fails at ``k = 2``)."""
    a = float(np.linalg.norm(np.asarray(A, dtype=float), 2))
    return float(loss) * float(sum(a ** (2 * (j - 2)) for j in range(k, K)))
