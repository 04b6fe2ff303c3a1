"""Compiled (numba) kernels: numpy's PCG64 streams and standard normals, and fused SGF passes.

Imported only through :func:`sim._compiled.kernels` (numba is the optional ``fast`` extra). Every
function reproduces a numpy computation bit for bit, so the compiled path and the numpy path give
the same numbers:

* :func:`seed_states` -- the PCG64 states of ``PCG64(SeedSequence(entropy, spawn_key=(*key, r)))``
  for a range of replicas ``r``: numpy's SeedSequence hashing (``mix_entropy``, ``generate_state``)
  and ``pcg64_set_seed``, without building R Python generators;
* :func:`draw_normals` / the per-replica sampler ``_normal`` -- numpy's
  ``random_standard_normal`` (``numpy/random/src/distributions/distributions.c``: the 256-layer
  ziggurat with ``ki_double``/``wi_double``/``fi_double``, the exponential tail for layer 0 and the
  wedge test) over PCG64 (``pcg_setseq_128_xsl_rr_64``: a 128-bit LCG step, then the xor-shift-low
  and random rotation), with the 128-bit multiply emitted as one LLVM ``i128`` operation;
* :func:`sgf_residual_loss`, :func:`sgf_noise`, :func:`sgf_noise_given`, :func:`sgf_update` -- the
  elementwise passes of one fused Euler-Maruyama step of :func:`sim.diagonal_kernels.run_sgf`, one
  pass each and no temporaries; the row sums follow numpy's pairwise summation so the loss is
  bit-identical to ``0.25 * np.mean(r * r, axis=1)`` (rows of at most 128 values).

The states are (R, 4) uint64 arrays ``[state_hi, state_lo, inc_hi, inc_lo]``, updated in place.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from sim._ziggurat_tables import (
    FI_DOUBLE,
    KI_DOUBLE,
    WI_DOUBLE,
    ZIGGURAT_NOR_INV_R,
    ZIGGURAT_NOR_R,
)

_PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645  # PCG_DEFAULT_MULTIPLIER_128
_U1 = np.uint64(1)
_U8 = np.uint64(8)
_U11 = np.uint64(11)
_U16 = np.uint64(16)
_U32 = np.uint64(32)
_U58 = np.uint64(58)
_U63 = np.uint64(63)
_U64 = np.uint64(64)
_MASK8 = np.uint64(0xFF)
_MASK32 = np.uint64(0xFFFFFFFF)
_MASK52 = np.uint64(0x000FFFFFFFFFFFFF)
_TO_DOUBLE = 1.0 / 9007199254740992.0
_KI, _WI, _FI = KI_DOUBLE, WI_DOUBLE, FI_DOUBLE
_R, _INV_R = ZIGGURAT_NOR_R, ZIGGURAT_NOR_INV_R
# SeedSequence's hash constants (numpy/random/bit_generator.pyx)
_INIT_A = np.uint64(0x43B0D7E5)
_MULT_A = np.uint64(0x931E8875)
_INIT_B = np.uint64(0x8B51F9DD)
_MULT_B = np.uint64(0x58F38DED)
_MIX_L = np.uint64(0xCA01F9DD)
_MIX_R = np.uint64(0x4973F715)


@intrinsic
def _lcg128(typingctx, hi, lo, inc_hi, inc_lo):
    """(hi, lo) <- (hi:lo) * PCG_DEFAULT_MULTIPLIER_128 + (inc_hi:inc_lo) mod 2^128."""
    u64 = types.uint64
    sig = types.UniTuple(u64, 2)(u64, u64, u64, u64)

    def codegen(context, builder, signature, args):
        i64, i128 = ir.IntType(64), ir.IntType(128)
        sh = ir.Constant(i128, 64)

        def join(h, l):
            return builder.or_(builder.shl(builder.zext(h, i128), sh), builder.zext(l, i128))

        s = builder.add(
            builder.mul(join(args[0], args[1]), ir.Constant(i128, _PCG_MULT)), join(args[2], args[3])
        )
        new_hi = builder.trunc(builder.lshr(s, sh), i64)
        new_lo = builder.trunc(s, i64)
        return context.make_tuple(builder, signature.return_type, (new_hi, new_lo))

    return sig, codegen


@njit(inline="always")
def _next64(hi, lo, ihi, ilo):
    hi, lo = _lcg128(hi, lo, ihi, ilo)
    x = hi ^ lo
    rot = hi >> _U58
    return (x >> rot) | (x << ((_U64 - rot) & _U63)), hi, lo


@njit(inline="always")
def _next_double(hi, lo, ihi, ilo):
    r, hi, lo = _next64(hi, lo, ihi, ilo)
    return np.float64(r >> _U11) * _TO_DOUBLE, hi, lo


@njit(inline="always")
def _normal(hi, lo, ihi, ilo):
    """numpy's random_standard_normal; returns (z, new state_hi, new state_lo)."""
    while True:
        r, hi, lo = _next64(hi, lo, ihi, ilo)
        idx = np.int64(r & _MASK8)
        r = r >> _U8
        rabs = (r >> _U1) & _MASK52
        x = np.float64(rabs) * _WI[idx]
        if r & _U1:
            x = -x
        if rabs < _KI[idx]:
            return x, hi, lo  # 99.3% of draws
        if idx == 0:
            while True:
                u1, hi, lo = _next_double(hi, lo, ihi, ilo)
                xx = -_INV_R * np.log1p(-u1)
                u2, hi, lo = _next_double(hi, lo, ihi, ilo)
                yy = -np.log1p(-u2)
                if yy + yy > xx * xx:
                    if (rabs >> _U8) & _U1:
                        return -(_R + xx), hi, lo
                    return _R + xx, hi, lo
        else:
            u, hi, lo = _next_double(hi, lo, ihi, ilo)
            if (_FI[idx - 1] - _FI[idx]) * u + _FI[idx] < np.exp(-0.5 * x * x):
                return x, hi, lo


@njit(cache=True)
def draw_normals(states, out):
    """Fill ``out`` (R, k) with each replica's next k standard normals (row r from ``states[r]``)."""
    R, k = out.shape
    for i in range(R):
        hi, lo, ihi, ilo = states[i, 0], states[i, 1], states[i, 2], states[i, 3]
        for j in range(k):
            z, hi, lo = _normal(hi, lo, ihi, ilo)
            out[i, j] = z
        states[i, 0] = hi
        states[i, 1] = lo


@njit(cache=True)
def raw64(states, out):
    """Fill ``out`` (R, k) uint64 with each replica's next raw PCG64 outputs (``random_raw``)."""
    R, k = out.shape
    for i in range(R):
        hi, lo, ihi, ilo = states[i, 0], states[i, 1], states[i, 2], states[i, 3]
        for j in range(k):
            v, hi, lo = _next64(hi, lo, ihi, ilo)
            out[i, j] = v
        states[i, 0] = hi
        states[i, 1] = lo


# ------------------------------------------------------------------ seeding (SeedSequence, PCG64)
@njit(inline="always")
def _hashmix(value, hc):
    value = value ^ hc
    hc = (hc * _MULT_A) & _MASK32
    value = (value * hc) & _MASK32
    value = value ^ (value >> _U16)
    return value, hc


@njit(inline="always")
def _mix(x, y):
    result = ((_MIX_L * x) - (_MIX_R * y)) & _MASK32
    return result ^ (result >> _U16)


@njit(cache=True)
def seed_states(prefix, first, R):
    """PCG64 states of ``SeedSequence`` entropy words ``prefix + [first + r]``, r < R (pool size 4)."""
    out = np.empty((R, 4), dtype=np.uint64)
    ne = prefix.size + 1
    ent = np.empty(ne, dtype=np.uint64)
    for j in range(prefix.size):
        ent[j] = prefix[j]
    pool = np.empty(4, dtype=np.uint64)
    words = np.empty(8, dtype=np.uint64)
    for rr in range(R):
        ent[ne - 1] = np.uint64(first + rr)
        hc = _INIT_A
        for i in range(4):  # mix_entropy
            if i < ne:
                pool[i], hc = _hashmix(ent[i], hc)
            else:
                pool[i], hc = _hashmix(np.uint64(0), hc)
        for i_src in range(4):
            for i_dst in range(4):
                if i_src != i_dst:
                    hv, hc = _hashmix(pool[i_src], hc)
                    pool[i_dst] = _mix(pool[i_dst], hv)
        for i_src in range(4, ne):
            for i_dst in range(4):
                hv, hc = _hashmix(ent[i_src], hc)
                pool[i_dst] = _mix(pool[i_dst], hv)
        hb = _INIT_B
        for i in range(8):  # generate_state(4, uint64): 8 uint32 words, little-endian pairs
            v = pool[i % 4] ^ hb
            hb = (hb * _MULT_B) & _MASK32
            v = (v * hb) & _MASK32
            words[i] = v ^ (v >> _U16)
        s_hi = words[0] | (words[1] << _U32)
        s_lo = words[2] | (words[3] << _U32)
        q_hi = words[4] | (words[5] << _U32)
        q_lo = words[6] | (words[7] << _U32)
        # pcg_setseq_128_srandom_r: inc = (seq << 1) | 1; state = 0; step; state += init; step
        ihi = (q_hi << _U1) | (q_lo >> _U63)
        ilo = (q_lo << _U1) | _U1
        hi, lo = _lcg128(np.uint64(0), np.uint64(0), ihi, ilo)
        lo2 = lo + s_lo
        hi = hi + s_hi + (_U1 if lo2 < lo else np.uint64(0))
        hi, lo = _lcg128(hi, lo2, ihi, ilo)
        out[rr, 0] = hi
        out[rr, 1] = lo
        out[rr, 2] = ihi
        out[rr, 3] = ilo
    return out


# ------------------------------------------------------------------ SGF step passes
@njit(inline="always")
def _pairwise(a, lo, n):
    """numpy's pairwise sum of a[lo:lo+n]**2 for n <= 128 (DOUBLE_pairwise_sum: 8 accumulators)."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[lo + i] * a[lo + i]
        return res
    if n <= 128:
        r0 = a[lo] * a[lo]
        r1 = a[lo + 1] * a[lo + 1]
        r2 = a[lo + 2] * a[lo + 2]
        r3 = a[lo + 3] * a[lo + 3]
        r4 = a[lo + 4] * a[lo + 4]
        r5 = a[lo + 5] * a[lo + 5]
        r6 = a[lo + 6] * a[lo + 6]
        r7 = a[lo + 7] * a[lo + 7]
        i = 8
        while i < n - (n % 8):
            r0 += a[lo + i] * a[lo + i]
            r1 += a[lo + i + 1] * a[lo + i + 1]
            r2 += a[lo + i + 2] * a[lo + i + 2]
            r3 += a[lo + i + 3] * a[lo + i + 3]
            r4 += a[lo + i + 4] * a[lo + i + 4]
            r5 += a[lo + i + 5] * a[lo + i + 5]
            r6 += a[lo + i + 6] * a[lo + i + 6]
            r7 += a[lo + i + 7] * a[lo + i + 7]
            i += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n:
            res += a[lo + i] * a[lo + i]
            i += 1
        return res
    return np.nan  # not reached: the callers keep n <= 128 (numpy recurses above; no recursion
    # here, because numba's cache mishandles recursive functions)


@njit(cache=True)
def sgf_residual_loss(r, y, L):
    """In place: ``r -= y`` row by row and ``L = 0.25 * mean(r * r, axis=1)`` (numpy's bits; rows of
    at most 128 values, which numpy sums in one pairwise block)."""
    R, n = r.shape
    for i in range(R):
        for j in range(n):
            r[i, j] -= y[j]
        L[i] = 0.25 * (_pairwise(r[i], 0, n) / n)


@njit(cache=True)
def sgf_noise(states, r, L, amp_c, sd, c_h, v):
    """Draw each replica's increment dB = sd * z (z: its next n normals) and write
    ``v = dB * s - r * c_h`` with ``s = 2 sqrt(amp_c L)``: the vector whose product with X is the
    fused step's ``u``."""
    R, n = r.shape
    for i in range(R):
        s = 2.0 * np.sqrt(amp_c * L[i])
        hi, lo, ihi, ilo = states[i, 0], states[i, 1], states[i, 2], states[i, 3]
        for j in range(n):
            z, hi, lo = _normal(hi, lo, ihi, ilo)
            v[i, j] = (z * sd) * s - r[i, j] * c_h
        states[i, 0] = hi
        states[i, 1] = lo


@njit(cache=True)
def sgf_noise_given(dB, r, L, amp_c, c_h, v):
    """As :func:`sgf_noise` with the increments given: ``v = dB * s - r * c_h``."""
    R, n = r.shape
    for i in range(R):
        s = 2.0 * np.sqrt(amp_c * L[i])
        for j in range(n):
            v[i, j] = dB[i, j] * s - r[i, j] * c_h


@njit(cache=True)
def sgf_update(u, live, wp, wm, beta, L, h, J):
    """``w+ *= 1 + u``, ``w- *= 1 - u`` (``u`` zeroed on frozen replicas: ``live`` 0/1),
    ``beta = w+^2 - w-^2`` and ``J += h L live``, in one pass."""
    R, d = u.shape
    for i in range(R):
        lv = live[i]
        for j in range(d):
            uj = u[i, j] * lv
            a = wp[i, j] * (1.0 + uj)
            b = wm[i, j] * (1.0 - uj)
            wp[i, j] = a
            wm[i, j] = b
            beta[i, j] = a * a - b * b
        J[i] += h * L[i] * lv
