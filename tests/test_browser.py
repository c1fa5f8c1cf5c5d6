"""The HTML page in a real headless Chromium: what a reader sees, and that nothing ran.

A ``<script>`` planted in a paragraph of the product XML must arrive as text. Chromium's
``--dump-dom`` prints the document after it has loaded and run its scripts, so a script
that ran would show in the dump (it would set a marker on the body and the title).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from smpc_manager.portfolio import load_portfolio
from smpc_manager.products.loader import load_product
from smpc_manager.render import Renderer

from .conftest import DATA

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium"
                                        if Path("/usr/bin/chromium").exists() else None)
PLANTED = ("&lt;script&gt;document.body.setAttribute('data-ran','yes');"
           "document.title='ran'&lt;/script&gt;")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


def _dump_dom(page: Path, profile: Path) -> str:
    assert CHROMIUM is not None
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-extensions", f"--user-data-dir={profile}",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_the_page_in_chromium(tmp_path: Path) -> None:
    root = tmp_path / "gb"
    shutil.copytree(DATA / "gb", root)
    xml = root / "products" / "besponsa.xml"
    xml.write_text(xml.read_text(encoding="utf-8").replace(
        "<p>Patients with serious ongoing", f"<p>{PLANTED} Patients with serious ongoing"),
        encoding="utf-8")
    rendering = Renderer(load_portfolio(root)).render(load_product(xml), "GB", fmt="html",
                                                      as_of=dt.date(2026, 11, 25))
    page = tmp_path / "besponsa-gb.html"
    page.write_text(rendering.content, encoding="utf-8")

    dom = _dump_dom(page, tmp_path / "chromium-profile")

    # nothing ran: no marker on the body, the title is the document's
    body = re.search(r"<body[^>]*>", dom)
    assert body is not None
    assert body.group(0) == "<body>"
    assert 'data-ran="yes"' not in dom
    title = re.search(r"<title>(.*?)</title>", dom, re.DOTALL)
    assert title is not None
    assert html.unescape(title.group(1)) == (
        "Prescribing information: BESPONSA 1 mg powder for concentrate for solution for"
        " infusion")
    # the only script-like thing in the document is text inside the paragraph
    assert "<script" not in dom
    shown = html.unescape(re.sub(r"<[^>]+>", "", dom))
    assert "<script>document.body.setAttribute('data-ran','yes');document.title='ran'" \
        "</script> Patients with serious ongoing liver disease" in shown
    # what the page is: its language, its headings, the labels as text
    assert re.search(r'<html lang="en-GB"', dom)
    assert "<h1>Prescribing information</h1>" in dom
    assert "<h2>BESPONSA 1 mg powder for concentrate for solution for infusion</h2>" in dom
    assert "Legal category: POM." in shown
    assert "Cost excluding VAT: £6,000.00 per pack of 1 vial." in shown
    assert "1.8 mg/m<sup>2</sup> per cycle" in dom
