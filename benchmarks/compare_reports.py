"""Compare two ``theorems verify --json`` reports, ignoring timings.

    python benchmarks/compare_reports.py BEFORE.json AFTER.json

Two runs with the same seed and profile must agree on everything except wall-clock times: the claim
ids, verdicts, reasons, evidence (measured/predicted/margins, the worst instance, the shrunk
counterexample, details), the false variants and the summary. Ignored: the keys ``created``,
``command`` and ``versions`` of the report and every key ending in ``seconds`` at any depth
(``seconds``, ``total_seconds``, ``sim_seconds``). Tracebacks are compared too: an ``error`` verdict
in either report is a difference worth a look anyway.

Prints each difference (path, first value, second value) and exits 1 if there is any, 0 if the
reports agree, 2 on unreadable input. Used to check that a refactoring (issue 10, one package per
paper) leaves every report unchanged.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

IGNORED_TOP = {"created", "command", "versions"}


def _ignored(key: str) -> bool:
    return key.endswith("seconds")


def _index(items: list[Any]) -> dict[str, Any] | None:
    """A list of records with unique ``id`` keys, by id (so order changes show as such)."""
    if not items or not all(isinstance(x, dict) and "id" in x for x in items):
        return None
    ids = [x["id"] for x in items]
    return dict(zip(ids, items, strict=True)) if len(set(ids)) == len(ids) else None


def diff(a: Any, b: Any, path: str = "$") -> list[str]:
    """The differences between two JSON values, ignoring timing keys, as readable lines."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if _ignored(k) or (path == "$" and k in IGNORED_TOP):
                continue
            if k not in a:
                out.append(f"{path}.{k}: only in the second report")
            elif k not in b:
                out.append(f"{path}.{k}: only in the first report")
            else:
                out += diff(a[k], b[k], f"{path}.{k}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        ia, ib = _index(a), _index(b)
        if ia is not None and ib is not None:
            out = []
            for k in ia.keys() | ib.keys():
                if k not in ia:
                    out.append(f"{path}[{k}]: only in the second report")
                elif k not in ib:
                    out.append(f"{path}[{k}]: only in the first report")
                else:
                    out += diff(ia[k], ib[k], f"{path}[{k}]")
            if not out and list(ia) != list(ib):
                out.append(f"{path}: same ids in a different order")
            return sorted(out)
        if len(a) != len(b):
            return [f"{path}: length {len(a)} != {len(b)}"]
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            out += diff(x, y, f"{path}[{i}]")
        return out
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return []
    if type(a) is not type(b) or a != b:
        return [f"{path}: {_short(a)} != {_short(b)}"]
    return []


def _short(v: Any, n: int = 120) -> str:
    s = json.dumps(v) if not isinstance(v, str) else repr(v)
    return s if len(s) <= n else s[: n - 3] + "..."


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("first", type=Path)
    ap.add_argument("second", type=Path)
    args = ap.parse_args(argv)
    try:
        a = json.loads(args.first.read_text())
        b = json.loads(args.second.read_text())
    except (OSError, ValueError) as exc:
        print(f"cannot read the reports: {exc}", file=sys.stderr)
        return 2
    for name, r in ((args.first, a), (args.second, b)):
        if not isinstance(r, dict) or "claims" not in r:
            print(f"{name}: not a theorems report (no 'claims')", file=sys.stderr)
            return 2
    lines = diff(a, b)
    n_claims = len(a["claims"])
    n_variants = sum(len(c.get("false_variants", [])) for c in a["claims"])
    if lines:
        print(f"{len(lines)} difference(s) between {args.first} and {args.second}:")
        for line in lines:
            print("  " + line)
        return 1
    print(f"same report: {n_claims} claims, {n_variants} false variants (timings ignored)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
