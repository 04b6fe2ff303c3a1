"""Run BLAS single-threaded inside a block: ``with single_threaded(): ...``.

The long loops of small matrix products in :mod:`sim.perceptron` and :mod:`sim.deep_relu` run one to
two orders of magnitude slower with a multi-threaded BLAS on a loaded 2-core machine (spec
``related_claims.md`` section 9). Setting ``OPENBLAS_NUM_THREADS=1`` before numpy is imported is the
clean fix; this context manager is the fallback when the process was started without it. It uses
``threadpoolctl`` when installed, else the ``set_num_threads`` entry point of the OpenBLAS that numpy
ships (found with ctypes), else does nothing. The previous thread count is restored on exit.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import os
from collections.abc import Iterator

_NAMES = (
    ("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
    ("scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads"),
    ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
    ("openblas_set_num_threads", "openblas_get_num_threads"),
)
_api: tuple | None = None
_searched = False


def _openblas() -> tuple | None:
    global _api, _searched
    if _searched:
        return _api
    _searched = True
    import numpy

    base = os.path.dirname(numpy.__file__)
    for path in sorted(glob.glob(os.path.join(base, "..", "numpy.libs", "*openblas*"))) + sorted(
        glob.glob(os.path.join(base, ".dylibs", "*openblas*"))
    ):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for set_name, get_name in _NAMES:
            if hasattr(lib, set_name) and hasattr(lib, get_name):
                _api = (getattr(lib, set_name), getattr(lib, get_name))
                return _api
    return None


@contextlib.contextmanager
def single_threaded() -> Iterator[None]:
    """Limit BLAS to one thread inside the block (no-op when no control is available)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    if threadpool_limits is not None:
        with threadpool_limits(1, user_api="blas"):
            yield
        return
    api = _openblas()
    if api is None:
        yield
        return
    set_n, get_n = api
    before = int(get_n())
    set_n(1)
    try:
        yield
    finally:
        set_n(before)
