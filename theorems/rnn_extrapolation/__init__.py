"""Cohen-Karlik, Ben David, Cohen, Globerson: temporal extrapolation of linear RNNs (``rnn_extrapolation``).

E. Cohen-Karlik, A. Ben David, N. Cohen, A. Globerson. *On the Implicit Bias of Gradient Descent for
Temporal Extrapolation.* AISTATS 2022, PMLR 151:10966-10981. arXiv:2202.04302.

With a memoryless teacher ``y = x_k``, an RNN can fit every training length-``k`` sequence and still
extrapolate badly to longer ones: :func:`shift_counterexample` gives an exact linear one
(:func:`impulse_response` ``= delta_0 + delta_k``). The paper shows that GD nevertheless converges to
perfect extrapolation under assumptions on the initialisation that we did **not** recover; here GD
from small Gaussian inits is checked empirically (the extrapolation error grows like ``sigma^{2k}``
with the init scale), and a mechanism of our own (GD preserves ``{A = A^T, C = B^T}``, on which
fitting ``k >= 3`` lags forces extrapolation) is derived in sympy and checked. The model is
:class:`sim.rnn.LinearRNN`; the spec is ``shared/claims/related_claims.md`` section 5.
"""

from theorems.rnn_extrapolation.formulas import (
    derive_shift_response,
    derive_symmetric_mechanism,
    impulse_response,
    shift_counterexample,
    symmetric_extrapolation_bound,
)

__all__ = [
    "derive_shift_response",
    "derive_symmetric_mechanism",
    "impulse_response",
    "shift_counterexample",
    "symmetric_extrapolation_bound",
]
