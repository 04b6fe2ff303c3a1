"""Input validation shared by the engine: clear errors that name the argument and what was expected."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def as_matrix(a: Any, name: str) -> np.ndarray:
    """A finite float64 2-D array."""
    try:
        arr = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 2-D array of numbers, got {type(a).__name__}") from exc
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains non-finite values (NaN or inf)")
    return arr


def as_vector(a: Any, name: str, length: int | None = None) -> np.ndarray:
    """A finite float64 1-D array, optionally of a given length."""
    try:
        arr = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 1-D array of numbers, got {type(a).__name__}") from exc
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if length is not None and arr.shape[0] != length:
        raise ValueError(f"{name} must have length {length}, got {arr.shape[0]}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains non-finite values (NaN or inf)")
    return arr


def as_replicas(theta: Any, n_params: int, name: str = "theta") -> np.ndarray:
    """Parameters with a leading replica axis: shape (p,) becomes (1, p); (R, p) is kept."""
    try:
        arr = np.array(theta, dtype=np.float64)  # copy: the engine never mutates the caller's array
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers, got {type(theta).__name__}") from exc
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != n_params:
        raise ValueError(f"{name} must have shape ({n_params},) or (R, {n_params}), got {np.shape(theta)}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one replica, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains non-finite values (NaN or inf)")
    return arr


def positive(x: Any, name: str) -> float:
    """A finite, strictly positive real number."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}")
    x = float(x)
    if not np.isfinite(x) or x <= 0:
        raise ValueError(f"{name} must be finite and > 0, got {x}")
    return x


def positive_int(x: Any, name: str, minimum: int = 1) -> int:
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(x).__name__}")
    if int(x) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {x}")
    return int(x)


def seed_like(seed: Any, name: str = "seed") -> int | np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or int(seed) < 0:
        raise TypeError(f"{name} must be a non-negative integer or a numpy SeedSequence, got {seed!r}")
    return int(seed)
