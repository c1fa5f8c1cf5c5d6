"""The resolver of an output's inputs: what it names is what the renderer reads and records,
so that a build hashing the same files tells exactly when an output is stale."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from pathlib import Path

import pytest

from smpc_manager.boundary import RefusedInput
from smpc_manager.errors import UsageError
from smpc_manager.locales import normalize_locale
from smpc_manager.markets import PROFILE_DIR
from smpc_manager.portfolio import load_portfolio
from smpc_manager.products import load_product
from smpc_manager.render import (
    FORMATS,
    TOOL_HASH,
    Input,
    InputResolver,
    Renderer,
    Rendering,
    relative_name,
)
from smpc_manager.render.inputs import template_dir

from .conftest import DATA, EXAMPLE

DAY = dt.date(2026, 12, 6)

#: A market the portfolio defines in its smpc.toml, labelled from its own smpc catalog.
OWN_MARKET = """
[profiles.CH]
market = "CH"
locale = "de_CH"
title = "Fachinformation (Kurzfassung)"

[[profiles.CH.element]]
field = "name"
end = ""

[[profiles.CH.element]]
field = "indications"
label = "Indikationen"
"""
OWN_LABELS = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: de\\n"

msgid "Fachinformation (Kurzfassung)"
msgstr "Fachinformation (Kurzfassung)"

msgid "Indikationen"
msgstr "Indikationen"
"""


def _expected(resolver: InputResolver, rendering: Rendering, product_path: str,
              lang: str | None, renderer: Renderer, market: str) -> dict[str, str]:
    """What the build would compare an output's record with: every file the resolver
    names, hashed as it is on disk."""
    profile = renderer.profile(market)
    inputs = resolver.resolve(product_id="besponsa", product_path=product_path,
                              product_lang=lang, profile=profile,
                              locale=normalize_locale(profile.locale), fmt=rendering.fmt)
    names = [i.name for i in inputs]
    assert len(names) == len(set(names)), names
    return {i.name: TOOL_HASH if i.path is None else
            hashlib.sha256(Path(i.path).read_bytes()).hexdigest() for i in inputs}


def _assert_recorded_as_resolved(root: Path, markets: list[str]) -> list[Rendering]:
    portfolio = load_portfolio(root)
    renderer = Renderer(portfolio)
    resolver = InputResolver(portfolio)  # a build's own, apart from the renderer's
    path = root / "products" / "besponsa.xml"
    product = load_product(path)
    renderings = []
    for market in markets:
        for fmt in FORMATS:
            rendering = renderer.render(product, market, fmt=fmt, as_of=DAY)
            assert rendering.inputs == _expected(resolver, rendering, str(path), product.lang,
                                                 renderer, market), (market, fmt)
            renderings.append(rendering)
    return renderings


@pytest.mark.parametrize(("root", "markets"), [(EXAMPLE, ["AT", "DE", "IE"]),
                                               (DATA / "gb", ["GB"])], ids=["example", "gb"])
def test_an_output_records_what_the_resolver_names(root: Path, markets: list[str]) -> None:
    _assert_recorded_as_resolved(root, markets)


def test_a_portfolio_of_its_own_files_is_recorded_as_resolved(portfolio: Path) -> None:
    """A ``de_AT`` catalog beside ``de``, the portfolio's own templates, profile files, a
    profile in smpc.toml and its own label catalog: each output names what it read."""
    german = portfolio / "locales" / "de" / "LC_MESSAGES"
    austrian = portfolio / "locales" / "de_AT" / "LC_MESSAGES"
    austrian.mkdir(parents=True)
    shutil.copy(german / "besponsa.po", austrian / "besponsa.po")
    (german / "smpc.po").write_text(OWN_LABELS, encoding="utf-8")
    (portfolio / "templates").mkdir()
    for name in ("text.txt.j2", "page.html.j2"):
        shutil.copy(template_dir() / name, portfolio / "templates" / name)
    (portfolio / "profiles").mkdir()
    shutil.copy(PROFILE_DIR / "de.toml", portfolio / "profiles" / "de.toml")
    config = portfolio / "smpc.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + '\n[profiles]\nDE = "profiles/de.toml"\n' + OWN_MARKET,
                      encoding="utf-8")
    renderings = _assert_recorded_as_resolved(portfolio, ["AT", "DE", "IE", "CH"])
    named = {(r.market, r.fmt): set(r.inputs) for r in renderings}
    assert named["AT", "text"] == {
        "products/besponsa.xml", "locales/de_AT/LC_MESSAGES/besponsa.po",
        "locales/de/LC_MESSAGES/smpc.po", "smpc_manager/locales/de/LC_MESSAGES/smpc.po",
        "smpc_manager/profiles/at.toml", "templates/text.txt.j2", "smpc-manager",
        "sources/besponsa/de.xml",  # the SmPC AT's word-for-word elements are held to
    }
    assert named["DE", "html"] == {
        "products/besponsa.xml", "locales/de/LC_MESSAGES/besponsa.po",
        "locales/de/LC_MESSAGES/smpc.po", "smpc_manager/locales/de/LC_MESSAGES/smpc.po",
        "profiles/de.toml", "templates/page.html.j2", "smpc-manager",
    }
    assert named["CH", "json"] == {
        "products/besponsa.xml", "locales/de/LC_MESSAGES/besponsa.po",
        "locales/de/LC_MESSAGES/smpc.po", "smpc_manager/locales/de/LC_MESSAGES/smpc.po",
        "smpc.toml", "smpc-manager",
    }
    assert "smpc_manager/locales/en/LC_MESSAGES/smpc.po" in named["IE", "text"]


def test_the_resolver_names_the_catalog_the_locale_chain_finds(portfolio: Path) -> None:
    """The first of ``de_AT``, ``de`` that is a regular file (through a symlink, what it
    leads to); none in the product's own language, none where there is no catalog."""
    resolver = InputResolver(load_portfolio(portfolio))
    german = portfolio / "locales" / "de" / "LC_MESSAGES" / "besponsa.po"
    assert resolver.catalog("besponsa", "de_AT") == \
        Input("locales/de/LC_MESSAGES/besponsa.po", str(german))
    assert resolver.catalog("besponsa", "fr_BE") is None
    austrian = portfolio / "locales" / "de_AT" / "LC_MESSAGES"
    austrian.mkdir(parents=True)
    (austrian / "besponsa.po").mkdir()  # a folder is no catalog
    assert InputResolver(load_portfolio(portfolio)).catalog("besponsa", "de_AT").name == \
        "locales/de/LC_MESSAGES/besponsa.po"
    (austrian / "besponsa.po").rmdir()
    (austrian / "besponsa.po").symlink_to(german)
    assert InputResolver(load_portfolio(portfolio)).catalog("besponsa", "de_AT") == \
        Input("locales/de/LC_MESSAGES/besponsa.po", str(austrian / "besponsa.po"))
    profile = Renderer(load_portfolio(portfolio)).profile("IE")
    inputs = resolver.resolve(product_id="besponsa", product_path=str(german),
                              product_lang=None, profile=profile, locale="en_IE", fmt="json")
    assert [i.name for i in inputs] == [
        "locales/de/LC_MESSAGES/besponsa.po", "smpc_manager/locales/en/LC_MESSAGES/smpc.po",
        "smpc_manager/profiles/ie.toml", "smpc-manager"]


def test_a_new_resolver_sees_a_catalog_folder_made_later(portfolio: Path) -> None:
    settings = load_portfolio(portfolio)
    first = InputResolver(settings)
    assert first.catalog("besponsa", "de_AT").name == "locales/de/LC_MESSAGES/besponsa.po"
    austrian = portfolio / "locales" / "de_AT" / "LC_MESSAGES"
    austrian.mkdir(parents=True)
    shutil.copy(portfolio / "locales" / "de" / "LC_MESSAGES" / "besponsa.po", austrian)
    assert InputResolver(settings).catalog("besponsa", "de_AT").name == \
        "locales/de_AT/LC_MESSAGES/besponsa.po"


def test_an_unknown_format_is_a_usage_error(portfolio: Path) -> None:
    with pytest.raises(UsageError, match="unknown format 'pdf' \\(known: text, html, json\\)"):
        InputResolver(load_portfolio(portfolio)).template("pdf")


# ------------------------------------------------------------------------ names


def test_relative_name_follows_the_working_folder(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The same arguments after ``os.chdir`` name what they mean there."""
    (tmp_path / "a" / "c").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "a")
    assert relative_name("../b/products/x.xml", tmp_path) == "b/products/x.xml"
    assert relative_name("../b/products/x.xml", Path(".")) == "../b/products/x.xml"
    monkeypatch.chdir(tmp_path / "a" / "c")
    assert relative_name("../b/products/x.xml", tmp_path) == "a/b/products/x.xml"
    assert relative_name("../b/products/x.xml", Path("..")) == "b/products/x.xml"


def test_the_resolver_names_files_as_relative_name_does(
        portfolio: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The resolver's names (each folder resolved once) are :func:`relative_name`'s, for
    symlinked files and folders, files of a folder outside the root that the portfolio
    allows, and after a change of folder; a file that resolves outside both is refused."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.po").write_text("")
    config = portfolio / "smpc.toml"
    config.write_text(config.read_text() + '\n[inputs]\nallow = ["../elsewhere"]\n')

    def allowed(path: str) -> bool:
        real = Path(os.path.realpath(path))
        return real.is_relative_to(portfolio.resolve()) or real.is_relative_to(outside)
    locales = portfolio / "locales" / "de" / "LC_MESSAGES"
    (locales / "linked.po").symlink_to(outside / "x.po")
    (portfolio / "linked").symlink_to(outside)
    (portfolio / "products" / "here").symlink_to(portfolio / "locales")
    relative_root = Path(os.path.relpath(portfolio, tmp_path))
    paths = ["products/besponsa.xml", "locales/de/LC_MESSAGES/besponsa.po",
             "locales/de/LC_MESSAGES/linked.po", "linked/x.po", "products/here/de",
             "products/../locales/de", "products/here/../products/besponsa.xml", ".",
             "products/.", "../elsewhere/x.po", "missing/file.po"]
    for folder, root in ((tmp_path, relative_root), (tmp_path, portfolio),
                         (portfolio / "products", Path("..")), (outside, portfolio)):
        monkeypatch.chdir(folder)
        resolver = InputResolver(load_portfolio(root))
        for name in paths:
            for path in (str(Path(root) / name), str(portfolio / name), name):
                if not allowed(path):
                    with pytest.raises(RefusedInput, match="outside the portfolio"):
                        resolver.name(path)
                    continue
                expected = relative_name(path, root)
                assert resolver.name(path) == expected, (folder, root, path)
                assert resolver.name(path) == expected, (folder, root, path)  # remembered
        for product_id in ("besponsa", "linked"):
            found = resolver.catalog(product_id, "de_AT")
            assert found is not None
            assert found.name == relative_name(found.path, root), (folder, root, found)
    monkeypatch.chdir(tmp_path)
    resolver = InputResolver(load_portfolio(relative_root))
    # outside the root: the path as it is given
    assert resolver.name(str(relative_root / "linked/x.po")) == \
        (relative_root / "linked/x.po").as_posix()
    assert resolver.name(str(relative_root / "products/here/de")) == "locales/de"
