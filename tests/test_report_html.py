"""``theorems report --html``: the static site, built from a real report and checked in a real browser.

The browser tests drive the system's Chromium (Debian packages ``chromium`` and ``chromium-driver``)
through Selenium, headless and offline; they skip with the reason when either is missing.
"""

from __future__ import annotations

import json
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest

import theorems
from theorems.cli import main
from theorems.core.claims import REGISTRY

jinja2 = pytest.importorskip("jinja2", reason="the HTML report needs Jinja2: pip install -e '.[html]'")

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

TOY = """
from hypothesis import strategies as st
from theorems import Check, Citation, claim

P = Citation(authors="T. Ester", year=2026, title="Toys for the HTML report", arxiv="2601.00001",
             where="Theorem 1")
Q = Citation(authors="A. Other", year=2025, title="More toys")

@claim(id="htmla.square_nonneg", paper=P, status="derived", kind="lower_bound",
       statement="$x^2 \\\\ge 0$ for <every> real x & more", method="Evaluate x**2.",
       strategy=st.fixed_dictionaries({"x": st.floats(-10, 10)}))
def square_nonneg(inst, ctx):
    return Check.lower(inst["x"] ** 2, 0.0)

@square_nonneg.false_variant("cube", "x^3 >= 0")
def _(inst, ctx):
    return Check.lower(inst["x"] ** 3, 0.0)

@square_nonneg.add_figures
def _figures(ctx, directory):
    import os, struct, zlib
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\\x00" + bytes([200, 30, 30]) * 8 for _ in range(8))  # an 8x8 red square
    png = (b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "square.png")
    with open(path, "wb") as fh:
        fh.write(png)
    return [path]

@claim(id="htmla.wrong", paper=P, status="conjecture", kind="upper_bound",
       statement="x <= 3 for every x", strategy=st.fixed_dictionaries({"x": st.floats(-10, 10)}))
def wrong(inst, ctx):
    return Check.upper(inst["x"], 3.0)

@claim(id="htmlb.raises", paper=Q, status="conjecture", kind="equality",
       statement="raises for x > 1", strategy=st.fixed_dictionaries({"x": st.floats(-10, 10)}))
def raises(inst, ctx):
    if inst["x"] > 1:
        raise ZeroDivisionError("user bug at x > 1")
    return Check.close(1.0, 1.0)

@claim(id="htmlb.seed_parity", paper=Q, status="theorem", kind="upper_bound",
       statement="the seed is even", strategy=st.fixed_dictionaries({"x": st.integers(0, 2)}))
def seed_parity(inst, ctx):
    return Check.upper(float(ctx.seed % 2), 0.0)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Two real reports (a 3-seed sweep and a single run) of a toy file, and the site built from them."""
    tmp = tmp_path_factory.mktemp("html")
    theorems.registry()
    before = set(REGISTRY.ids())
    f = tmp / "toys.py"
    f.write_text(textwrap.dedent(TOY))
    try:
        sweep, single = tmp / "sweep.json", tmp / "single.json"
        figs = str(tmp / "figures")
        argv = ["falsify", str(f), "--seeds", "3", "--quiet", "--json", str(sweep), "--figures", figs]
        assert main(argv) == 1
        assert main(["falsify", str(f), "--seed", "5", "--quiet", "--json", str(single)]) == 1
    finally:
        for cid in set(REGISTRY.ids()) - before:
            REGISTRY.remove(cid)
    out = tmp / "site"
    assert main(["report", str(sweep), str(single), "--html", str(out)]) == 0
    return {"dir": out, "sweep": sweep, "single": single}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("href", "src"):
            if a.get(key):
                self.links.append(a[key])


def test_site_has_an_index_and_a_page_per_claim(site):
    out = site["dir"]
    pages = sorted(p.name for p in (out / "claims").glob("*.html"))
    assert pages == [
        "htmla.square_nonneg.html",
        "htmla.wrong.html",
        "htmlb.raises.html",
        "htmlb.seed_parity.html",
    ]
    index = (out / "index.html").read_text()
    # 4 claims x 2 reports
    assert index.count("<tr data-paper=") == 8
    page = (out / "claims" / "htmla.square_nonneg.html").read_text()
    assert "&lt;every&gt; real x &amp; more" in page  # the statement, escaped
    assert "T. Ester (2026). Toys for the HTML report." in page and "arXiv:2601.00001" in page
    assert "htmla.square_nonneg:cube" in page and "x^3 &gt;= 0" in page
    wrong = (out / "claims" / "htmla.wrong.html").read_text()
    assert "Counterexample" in wrong and "theorems falsify" in wrong  # with its replay command
    assert "theorems.replay(&#39;htmla.wrong&#39;" in wrong
    assert "ZeroDivisionError" in (out / "claims" / "htmlb.raises.html").read_text()
    assert '<img src="../figures/0-square.png"' in page and (out / "figures" / "0-square.png").is_file()
    parity = (out / "claims" / "htmlb.seed_parity.html").read_text()
    assert "Stability over seeds 0-2" in parity and "diagnosis" in parity


def test_every_local_link_resolves(site):
    out = site["dir"]
    checked = 0
    for page in [out / "index.html", *(out / "claims").glob("*.html")]:
        parser = _Links()
        parser.feed(page.read_text())
        for link in parser.links:
            if urlparse(link).scheme in ("http", "https"):
                continue  # the arXiv link (the machine is offline)
            target = (page.parent / urldefrag(link)[0]).resolve()
            assert target.is_file(), f"{page.name}: {link} -> {target}"
            checked += 1
    assert checked > 10


def test_the_report_json_carries_what_the_site_needs(site):
    data = json.loads(site["sweep"].read_text())
    c = {c["id"]: c for c in data["claims"]}["htmlb.seed_parity"]
    assert c["statement"] == "the seed is even" and c["citation"]["authors"] == "A. Other"
    assert data["stability"]["claims"]["htmlb.seed_parity"]["flaky"]


def test_bad_input_is_a_usage_error(tmp_path, capsys):
    assert main(["report", str(tmp_path / "missing.json"), "--html", str(tmp_path / "o")]) == 2
    assert "no such report" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["report", str(bad), "--html", str(tmp_path / "o")]) == 2
    assert "not a JSON report" in capsys.readouterr().err


# --------------------------------------------------------------------------- a real browser
def _driver():
    if not (Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()):
        pytest.skip(
            f"browser tests need {CHROMIUM} and {CHROMEDRIVER}: apt-get install chromium chromium-driver"
        )
    webdriver = pytest.importorskip(
        "selenium.webdriver", reason="browser tests need Selenium: pip install -e '.[browser]'"
    )
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,900",
    ):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)


@pytest.fixture(scope="module")
def browser():
    d = _driver()
    try:
        yield d
    finally:
        d.quit()


def _errors(browser) -> list[dict]:
    return [e for e in browser.get_log("browser") if e.get("level") in ("SEVERE", "ERROR")]


def _visible_ids(browser) -> list[str]:
    from selenium.webdriver.common.by import By

    rows = browser.find_elements(By.CSS_SELECTOR, "#verdicts tbody tr")
    return [r.find_element(By.CSS_SELECTOR, 'td[data-key="claim"]').text for r in rows if r.is_displayed()]


@pytest.mark.browser
def test_pages_load_without_console_errors(site, browser):
    out = site["dir"]
    for page in [out / "index.html", *(out / "claims").glob("*.html")]:
        browser.get(page.as_uri())
        assert browser.title, page
        assert _errors(browser) == [], page.name


@pytest.mark.browser
def test_table_sorts_and_filters(site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get((site["dir"] / "index.html").as_uri())
    shown = browser.find_element(By.ID, "shown")
    assert shown.text == "8 of 8 shown"
    ids = _visible_ids(browser)
    claim_th = browser.find_element(By.CSS_SELECTOR, 'th[data-key="claim"]')
    claim_th.click()
    assert _visible_ids(browser) == sorted(ids)
    claim_th.click()
    assert _visible_ids(browser) == sorted(ids, reverse=True)
    assert claim_th.get_attribute("aria-sort") == "descending"
    secs_th = browser.find_element(By.CSS_SELECTOR, 'th[data-key="seconds"]')
    secs_th.click()
    cells = browser.find_elements(By.CSS_SELECTOR, '#verdicts tbody td[data-key="seconds"]')
    values = [float(c.get_attribute("data-value")) for c in cells]
    assert values == sorted(values)  # numerically, not as text

    Select(browser.find_element(By.ID, "f-paper")).select_by_visible_text("Other 2025")
    assert set(_visible_ids(browser)) == {"htmlb.raises", "htmlb.seed_parity"}
    Select(browser.find_element(By.ID, "f-verdict")).select_by_visible_text("error")
    assert _visible_ids(browser) == ["htmlb.raises", "htmlb.raises"]
    assert shown.text == "2 of 8 shown"
    Select(browser.find_element(By.ID, "f-paper")).select_by_index(0)
    Select(browser.find_element(By.ID, "f-verdict")).select_by_index(0)
    Select(browser.find_element(By.ID, "f-status")).select_by_visible_text("derived")
    assert set(_visible_ids(browser)) == {"htmla.square_nonneg"}
    Select(browser.find_element(By.ID, "f-status")).select_by_index(0)
    box = browser.find_element(By.ID, "f-text")
    box.send_keys("wrong")
    assert set(_visible_ids(browser)) == {"htmla.wrong"}
    assert _errors(browser) == []


@pytest.mark.browser
def test_figures_are_shown(site, browser):
    from selenium.webdriver.common.by import By

    browser.get((site["dir"] / "claims" / "htmla.square_nonneg.html").as_uri())
    img = browser.find_element(By.CSS_SELECTOR, ".figures img")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", img) == 8
    assert _errors(browser) == []


@pytest.mark.browser
def test_links_resolve_in_the_browser(site, browser):
    from selenium.webdriver.common.by import By

    browser.get((site["dir"] / "index.html").as_uri())
    browser.find_element(By.LINK_TEXT, "htmla.wrong").click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "htmla.wrong"
    assert "Counterexample" in browser.page_source
    browser.find_element(By.ID, "back").click()
    assert browser.find_element(By.ID, "verdicts").is_displayed()
    assert _errors(browser) == []


def test_without_jinja2_the_message_names_the_extra(tmp_path, site):
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['jinja2'] = None\n"
        "from theorems.cli import main\n"
        f"raise SystemExit(main(['report', {str(site['single'])!r}, '--html', {str(tmp_path / 'o')!r}]))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "pip install -e '.[html]'" in r.stderr
