"""Finding claims: the built-in paper modules, installed plugins, and users' conjecture files.

* Every top-level package of ``theorems`` that has a ``claims.py`` is a paper: its ``claims`` module is
  imported on first use of the registry (adding ``theorems/<paper>/claims.py`` with ``@claim``
  functions is all it takes to add claims; no list to edit). Importing the paper package itself, or its
  ``formulas``, registers nothing. A top-level plain module that is not infrastructure is imported as a
  whole (the older one-file layout).
* Other packages can contribute claims through the entry-point group ``theorems.claims``.
* ``load_file(path)`` imports a single file (``theorems falsify FILE.py``).
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from theorems.core.claims import REGISTRY, Claim, Registry

# Top-level modules of `theorems` that hold no claims.
INFRASTRUCTURE = {"cli", "pytest_plugin", "__main__", "core", "strategies", "reports", "docs_gen"}

_loaded = False
LOAD_ERRORS: list[tuple[str, str]] = []


def paper_modules() -> list[str]:
    """The modules whose import registers the built-in claims."""
    import theorems

    found = []
    for m in pkgutil.iter_modules(theorems.__path__):
        if m.name in INFRASTRUCTURE or m.name.startswith("_"):
            continue
        if m.ispkg:
            pkg_dir = Path(theorems.__path__[0]) / m.name
            if (pkg_dir / "claims.py").is_file() or (pkg_dir / "claims").is_dir():
                found.append(f"theorems.{m.name}.claims")
        else:
            found.append(f"theorems.{m.name}")
    return sorted(found)


def load_builtin_claims() -> Registry:
    """Import every paper module (once) and the ``theorems.claims`` entry points."""
    global _loaded
    if _loaded:
        return REGISTRY
    _loaded = True
    for name in paper_modules():
        try:
            importlib.import_module(name)
        except Exception:
            LOAD_ERRORS.append((name, traceback.format_exc()))
    try:
        from importlib.metadata import entry_points

        for ep in entry_points(group="theorems.claims"):
            try:
                ep.load()
            except Exception:
                LOAD_ERRORS.append((ep.name, traceback.format_exc()))
    except Exception:  # pragma: no cover - metadata unavailable
        pass
    return REGISTRY


@dataclass
class LoadedFile:
    path: str
    claims: list[Claim]
    error: str | None = None


def load_file(path: str | Path, registry: Registry = REGISTRY) -> LoadedFile:
    """Import a user's file of claims/conjectures; report (not raise) an import failure.

    The built-in claims are loaded first, so that a user's claim that reuses a built-in id is refused
    with both places named. Only the claims *defined in the file* are returned: built-in claims that
    the file's imports register (e.g. ``from theorems.diagonal_networks import ...`` in the older
    one-module layout) are not the file's.
    """
    p = Path(path)
    if str(path) == "" or not p.exists():
        return LoadedFile(str(p), [], f"no such file: {p}")
    if p.is_dir():
        return LoadedFile(
            str(p), [], f"not a file: {p} is a directory; give the path of a Python file of claims"
        )
    if p.suffix != ".py":
        return LoadedFile(str(p), [], f"not a Python file: {p} (expected a .py file of claims)")
    if registry is REGISTRY:
        load_builtin_claims()
    import zlib

    mod_name = f"theorems_user_{zlib.crc32(str(p.resolve()).encode())}"
    for c in list(registry):  # loading the same file again replaces its claims
        if c.module == mod_name:
            registry.remove(c.id)
    before = set(registry.ids())
    spec = importlib.util.spec_from_file_location(mod_name, p)
    if spec is None or spec.loader is None:
        return LoadedFile(str(p), [], f"cannot import {p}: not a Python file?")
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:  # SystemExit/KeyboardInterrupt from user code too
        if isinstance(exc, KeyboardInterrupt):
            raise
        for cid in set(registry.ids()) - before:
            if registry[cid].module == mod_name:
                registry.remove(cid)
        sys.modules.pop(mod_name, None)
        return LoadedFile(str(p), [], "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    new = [registry[c] for c in sorted(set(registry.ids()) - before) if registry[c].module == mod_name]
    return LoadedFile(str(p), new)
