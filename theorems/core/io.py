"""Atomic file output: reports and figures are written to a temporary file, then renamed."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same directory, then rename)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        # mkstemp creates the file 0600; a report is an ordinary file, so honour the umask
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    from theorems.core.runner import jsonable

    return atomic_write_text(path, json.dumps(jsonable(obj), indent=2, sort_keys=False) + "\n")


def save_figure(fig: Any, path: str | os.PathLike[str], data: dict[str, Any] | None = None) -> list[str]:
    """Save a matplotlib figure as PNG atomically, with its data as JSON beside it.

    The JSON lets a figure be redrawn without re-simulating. Returns the paths written.
    """
    import io

    target = Path(path).with_suffix(".png")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120, bbox_inches="tight")
    atomic_write_bytes(target, buf.getvalue())
    out = [str(target)]
    if data is not None:
        out.append(str(atomic_write_json(target.with_suffix(".json"), data)))
    try:
        import matplotlib.pyplot as plt

        plt.close(fig)
    except Exception:  # pragma: no cover
        pass
    return out


def pyplot():
    """matplotlib.pyplot with the non-interactive Agg backend, or a clear error if not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("figures need matplotlib: pip install 'sgd-theorems[figures]'") from exc
    return plt
