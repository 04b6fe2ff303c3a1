"""``theorems report REPORT.json... --html DIR``: a static, browsable site built from JSON reports alone.

The site needs no server and no network: ``index.html`` has the verdict table (sortable by any column,
filterable by paper, status, verdict and free text; vanilla JavaScript in ``static/table.js``), and
``claims/<id>.html`` has one page per claim with its statement, citation, evidence, counterexamples with
their replay commands, false variants, seed stability (for ``--seeds`` runs) and figures (copied into
``figures/`` when the files exist). Pages are rendered by Jinja2 templates in ``templates/``; Jinja2 is
the optional extra ``html`` (``pip install -e ".[html]"``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from theorems.report_html.model import SiteModel, load_reports

HTML_EXTRA_MESSAGE = (
    "theorems report --html needs Jinja2, which is not installed: pip install -e '.[html]' "
    "(or pip install 'sgd-theorems[html]')"
)
_HERE = Path(__file__).resolve().parent

__all__ = ["HTML_EXTRA_MESSAGE", "build_site", "cmd_report"]


class JinjaMissing(Exception):
    pass


def _environment():
    try:
        import jinja2
    except ImportError as exc:
        raise JinjaMissing(HTML_EXTRA_MESSAGE) from exc
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_HERE / "templates")),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pretty"] = lambda x: json.dumps(x, indent=2, sort_keys=False, default=str)
    env.filters["num"] = _num
    return env


def _num(x: Any) -> str:
    if isinstance(x, bool) or x is None:
        return str(x)
    if isinstance(x, float):
        return f"{x:.4g}"
    if isinstance(x, int):
        return str(x)
    s = json.dumps(x, default=str) if not isinstance(x, str) else x
    return s if len(s) <= 80 else s[:77] + "..."


def build_site(report_paths: list[str], outdir: str) -> list[Path]:
    """Write the site for ``report_paths`` into ``outdir``; returns the pages written."""
    env = _environment()
    model: SiteModel = load_reports(report_paths)
    out = Path(outdir)
    (out / "claims").mkdir(parents=True, exist_ok=True)
    (out / "static").mkdir(exist_ok=True)
    for f in (_HERE / "static").iterdir():
        shutil.copyfile(f, out / "static" / f.name)
    model.copy_figures(out / "figures")
    pages = []
    index = out / "index.html"
    index.write_text(env.get_template("index.html.j2").render(site=model, root="."), encoding="utf-8")
    pages.append(index)
    tpl = env.get_template("claim.html.j2")
    for claim in model.claims:
        p = out / "claims" / f"{claim.page}"
        p.write_text(tpl.render(site=model, claim=claim, root=".."), encoding="utf-8")
        pages.append(p)
    return pages


def cmd_report(args: argparse.Namespace) -> int:
    """``theorems report``: exit 0, or 2 (a usage error) for a missing/bad report or missing Jinja2."""
    try:
        pages = build_site(list(args.reports), args.html)
    except (JinjaMissing, FileNotFoundError, ValueError) as exc:
        print(f"theorems: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {len(pages)} pages to {args.html} (open {Path(args.html) / 'index.html'})")
    return 0
