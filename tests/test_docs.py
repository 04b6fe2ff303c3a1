"""Every claim id and every ``theorems`` command shown in the README and the docs is real.

A user copies them: an id that does not exist, or a command that fails with a usage error, is a bug in
the documentation. Commands are parsed (not run: running every one would take minutes) and their ids
resolved against the registry; ``list``/``show`` commands are run for real since they are instant.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

import theorems
from theorems.cli import _parser, main

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "theorems" / "pytest_plugin.py"]
PAPER_PREFIXES = sorted({cid.split(".")[0] for cid in theorems.registry().ids()})
# an id in backticks or quotes: <known paper prefix>.<name>[.<name>...][:variant]
ID_RE = re.compile(
    r"[`'\"](?P<id>(?:" + "|".join(map(re.escape, PAPER_PREFIXES)) + r")\.[a-z0-9_.]+(?::[a-z0-9_]+)?)[`'\"]"
)
CMD_RE = re.compile(r"^\s*(?:\$\s*)?(theorems (?:list|show|verify|falsify|docs)\b[^\n`]*)", re.M)


def _ids_in(path: Path) -> list[str]:
    return sorted({m.group("id").rstrip(".") for m in ID_RE.finditer(path.read_text())})


def _commands_in(path: Path) -> list[str]:
    out = []
    for m in CMD_RE.finditer(path.read_text()):
        cmd = m.group(1).strip()
        if "[" in cmd or "<" in cmd or " ID" in cmd or "FILE" in cmd or "..." in cmd:
            continue  # a synopsis, not a command to copy
        out.append(cmd)
    return out


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_every_documented_claim_id_exists(path):
    reg = theorems.registry()
    known = set(reg.ids()) | {v.id for c in reg for v in c.false_variants}
    missing = [i for i in _ids_in(path) if i not in known]
    assert not missing, f"{path.name} names ids that do not exist: {missing}"


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_every_documented_command_parses_and_its_ids_resolve(path):
    reg = theorems.registry()
    for cmd in _commands_in(path):
        argv = shlex.split(cmd, comments=True)[1:]
        args = _parser().parse_args(argv)  # a usage error raises
        ours = (
            [i for i in args.ids if i.split(".")[0].strip("'*") in PAPER_PREFIXES]
            if (args.command == "verify")
            else []
        )
        if ours:  # ids of the built-in papers (an example paper a user would write is skipped)
            reg.select(ours)  # an unknown id or pattern raises UnknownClaimError
        if args.command == "show":
            assert main(argv + ["--report", "/nonexistent"]) == 0, cmd
        if args.command == "falsify":
            assert (ROOT / args.file).is_file() or args.file == "my_conjectures.py", cmd
