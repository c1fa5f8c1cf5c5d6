"""Additional monitoring (the black triangle ▼): the XML, the model, the loader's rules, the
statement each market prints on the days the product is listed, the check's warnings and the
build that renders again on the day the ▼ comes or goes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gettext
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from smpc_manager.builder import MANIFEST_FILE, BuildOptions, build, valid_window
from smpc_manager.catalogs import load_catalog
from smpc_manager.cli import main
from smpc_manager.errors import ProblemsError, Severity
from smpc_manager.markets import load_profile, parse_profile, shipped_markets
from smpc_manager.model import Product
from smpc_manager.portfolio import load_portfolio
from smpc_manager.products import load_product, validate_file
from smpc_manager.render import EXTENSIONS, Renderer
from smpc_manager.rules import RULE_IDS, CheckContext
from smpc_manager.rules.dates import rule_additional_monitoring
from tests.conftest import EXAMPLE, REPO
from tests.migration import SCHEMA_1
from tests.reports import read_report

GOLDEN = Path(__file__).resolve().parent / "golden"
SCHEMA = REPO / "schemas" / "product.xsd"
LOCALES = REPO / "locales"

#: The standard statement (SmPC guideline wording), all four sentences, and the German of
#: the Fachinformation.
ENGLISH = ("▼ This medicinal product is subject to additional monitoring. This will allow quick"
           " identification of new safety information. Healthcare professionals are asked to"
           " report any suspected adverse reactions. See section 4.8 for how to report adverse"
           " reactions.")
GERMAN = ("▼ Dieses Arzneimittel unterliegt einer zusätzlichen Überwachung. Dies ermöglicht eine"
          " schnelle Identifizierung neuer Erkenntnisse über die Sicherheit. Angehörige von"
          " Gesundheitsberufen sind aufgefordert, jeden Verdachtsfall einer Nebenwirkung zu"
          " melden. Hinweise zur Meldung von Nebenwirkungen, siehe Abschnitt 4.8.")

START = dt.date(2026, 3, 1)
UNTIL = dt.date(2026, 12, 31)
ONE = dt.timedelta(days=1)
#: The example's dates are all good on these days (review-by 2027-12-31).
LISTED = dt.date(2026, 11, 25)
AFTER = UNTIL + ONE
#: The example's ATC code, changed by the ATC index of 2022: warned of on every day.
ATC_CHANGED = "atc-code-changed"


def add_monitoring(xml: Path, *entries: str, before: str = "  <prescription-status") -> Path:
    """Insert ``<additional-monitoring .../>`` lines before the first prescription status."""
    text = xml.read_text(encoding="utf-8")
    lines = "".join(f"  <additional-monitoring {entry}/>\n" for entry in entries)
    at = text.index(before)
    xml.write_text(text[:at] + lines + text[at:], encoding="utf-8")
    return xml


def copy_example(root: Path, *entries: str) -> Path:
    """The example in schema 1, whose element order ``add_monitoring`` follows."""
    shutil.copytree(SCHEMA_1 / "example", root, ignore=shutil.ignore_patterns("*.mo"))
    add_monitoring(root / "products" / "besponsa.xml", *entries)
    return root


def copy_gb(root: Path, *entries: str) -> Path:
    shutil.copytree(SCHEMA_1 / "gb", root)
    add_monitoring(root / "products" / "besponsa.xml", *entries)
    return root


def line_of(path: Path, marker: str) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(n for n, line in enumerate(lines, 1) if marker in line)


def column_of(path: Path, marker: str) -> tuple[int, int]:
    line = line_of(path, marker)
    text = path.read_text(encoding="utf-8").split("\n")[line - 1]
    return line, text.index(marker) + 1


ENTRY = f'markets="AT DE IE" from="{START}" until="{UNTIL}"'


@pytest.fixture(scope="module")
def listed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example, under additional monitoring in AT, DE and IE from START until UNTIL."""
    return copy_example(tmp_path_factory.mktemp("listed") / "portfolio", ENTRY)


@pytest.fixture(scope="module")
def listed_gb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_gb(tmp_path_factory.mktemp("listed-gb") / "portfolio",
                   f'markets="GB" from="{START}" until="{UNTIL}"')


# ------------------------------------------------------------------------ schema


def xmllint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["xmllint", "--noout", "--nonet", "--schema", str(SCHEMA), str(path)],
                          capture_output=True, text=True, timeout=60, check=False)


VALID = {
    "dates": [ENTRY],
    "open-ended": ['markets="EU"'],
    "from-only": ['markets="AT" from="2017-06-29"'],
    "until-only": ['markets="DE IE" until="2022-06-28"'],
    "one-day": ['markets="AT" from="2022-06-28" until="2022-06-28"'],
    "several": ['markets="AT" until="2022-06-28"', 'markets="DE" from="2023-01-01"'],
}


@pytest.mark.parametrize("case", VALID)
def test_the_schema_takes_valid_entries(tmp_path: Path, case: str) -> None:
    root = copy_example(tmp_path / "p", *VALID[case])
    xml = root / "products" / "besponsa.xml"
    assert validate_file(xml) == []
    if shutil.which("xmllint"):
        assert xmllint(xml).returncode == 0


INVALID = {
    "no-markets": ('from="2022-01-01"', "<additional-monitoring",
                   r"<additional-monitoring> needs the attribute markets$"),
    "empty-markets": ('markets=""', 'markets=""',
                      r"<additional-monitoring> attribute markets is empty; it needs a value$"),
    "unknown-market": ('markets="AT XX"', 'markets="AT XX"',
                       r"<additional-monitoring> attribute markets 'XX' is not a list of"
                       r" markets \(ISO 3166 country codes"),
    "bad-from": ('markets="AT" from="2022-6-1"', 'from="2022-6-1"',
                 r"<additional-monitoring> attribute from '2022-6-1' is not a date \(expected"
                 r" YYYY-MM-DD"),
    "impossible-until": ('markets="AT" until="2022-02-30"', 'until="2022-02-30"',
                         r"<additional-monitoring> attribute until '2022-02-30' is not a date"),
    "unknown-attribute": ('markets="AT" to="2022-01-01"', "to=",
                          r"<additional-monitoring> has an unknown attribute 'to'$"),
}


@pytest.mark.parametrize("case", INVALID)
def test_the_schema_refuses_bad_entries_at_their_place(tmp_path: Path, case: str) -> None:
    entry, marker, message = INVALID[case]
    root = copy_example(tmp_path / "p", entry)
    xml = root / "products" / "besponsa.xml"
    problems = validate_file(xml)
    assert len(problems) == 1, problems
    line, column = column_of(xml, marker)
    assert (problems[0].location.line, problems[0].location.column) == (line, column)
    assert re.search(message, problems[0].message), problems[0].message
    if shutil.which("xmllint"):
        assert xmllint(xml).returncode != 0


def test_the_element_stands_after_the_authorisations(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "p")
    xml = add_monitoring(root / "products" / "besponsa.xml", 'markets="AT"',
                         before="  <revision-date>")
    (problem,) = validate_file(xml)
    assert problem.location.line == line_of(xml, "<additional-monitoring")
    assert "<additional-monitoring>" in problem.message
    if shutil.which("xmllint"):
        assert xmllint(xml).returncode != 0


def test_content_is_refused(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "p")
    xml = root / "products" / "besponsa.xml"
    text = xml.read_text(encoding="utf-8").replace(
        "  <prescription-status market=\"AT\">",
        '  <additional-monitoring markets="AT">yes</additional-monitoring>\n'
        '  <prescription-status market="AT">')
    xml.write_text(text, encoding="utf-8")
    (problem,) = validate_file(xml)
    assert problem.location.line == line_of(xml, "<additional-monitoring")
    assert problem.field == "additional-monitoring"


# ------------------------------------------------------------------------ model and loader


def test_the_model_holds_each_entry_where_it_is_written(listed: Path) -> None:
    xml = listed / "products" / "besponsa.xml"
    product = load_product(xml)
    (entry,) = product.additional_monitoring
    assert entry.markets == ("AT", "DE", "IE")
    assert entry.start is not None
    assert entry.until is not None
    assert (entry.start.value, entry.until.value) == (START, UNTIL)
    where = column_of(xml, "<additional-monitoring")
    assert (entry.location.line, entry.location.column) == where
    assert (entry.start.location.line, entry.start.location.column) == column_of(xml, "from=")
    assert (entry.until.location.line, entry.until.location.column) == column_of(xml, "until=")
    assert entry.location.path == entry.until.location.path == str(xml)


def test_an_example_without_entries_has_none() -> None:
    assert load_product(EXAMPLE / "products" / "besponsa.xml").additional_monitoring == ()


@pytest.mark.parametrize("layout", ["tag-across-lines", "prefixed", "one-line", "crlf"])
def test_attribute_places_in_other_layouts(tmp_path: Path, layout: str) -> None:
    """The place of each attribute is its name's first character, however the file is laid
    out; read back from the file's own lines."""
    source = copy_example(tmp_path / "p", ENTRY) / "products" / "besponsa.xml"
    text = source.read_text(encoding="utf-8")
    if layout == "tag-across-lines":
        text = text.replace(f' from="{START}" until=', f'\n      from="{START}"\n  until=')
    elif layout == "prefixed":
        text = text.replace('<product xmlns="urn', '<s:product xmlns:s="urn')
        text = re.sub(r"<(/?)(?!s:)([a-z])", r"<\1s:\2", text)
    elif layout == "one-line":
        text = re.sub(r">\n\s*<", "><", text)
    source.write_bytes(text.replace("\n", "\r\n" if layout == "crlf" else "\n").encode())
    (entry,) = load_product(source).additional_monitoring
    lines = source.read_bytes().decode().replace("\r\n", "\n").split("\n")
    assert entry.start is not None
    assert entry.until is not None
    for location, expected in ((entry.location, r"<(s:)?additional-monitoring\s"),
                               (entry.start.location, f'from="{START}"'),
                               (entry.until.location, f'until="{UNTIL}"')):
        rest = lines[location.line - 1][location.column - 1:]
        assert re.match(expected, rest), (location, rest)


def test_until_before_from_is_a_problem_at_until(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "p", 'markets="AT" from="2022-06-29" until="2022-06-28"')
    xml = root / "products" / "besponsa.xml"
    (problem,) = validate_file(xml)
    assert (problem.location.line, problem.location.column) == column_of(xml, "until=")
    assert problem.message == ("additional-monitoring until 2022-06-28 is before its from"
                               " 2022-06-29 (until is the last day listed)")
    with pytest.raises(ProblemsError):
        load_product(xml)


def test_a_market_without_an_authorisation_is_a_problem(tmp_path: Path) -> None:
    # The example's one authorisation is centralised (EU): it covers AT, not GB.
    root = copy_example(tmp_path / "p", 'markets="AT GB"')
    xml = root / "products" / "besponsa.xml"
    (problem,) = validate_file(xml)
    assert (problem.location.line, problem.location.column) == column_of(
        xml, "<additional-monitoring")
    assert problem.message == ("additional-monitoring names market GB, but no"
                               " marketing-authorisation of the product covers it (found: EU)")
    assert problem.field == "markets"


def test_eu_needs_a_centralised_authorisation(tmp_path: Path) -> None:
    root = copy_gb(tmp_path / "gb", 'markets="EU"')
    (problem,) = validate_file(root / "products" / "besponsa.xml")
    assert "names market EU" in problem.message
    assert "(found: GB)" in problem.message


DAYS = {
    "day before from": (START - ONE, False),
    "from": (START, True),
    "day after from": (START + ONE, True),
    "day before until": (UNTIL - ONE, True),
    "until": (UNTIL, True),
    "day after until": (UNTIL + ONE, False),
}


@pytest.mark.parametrize("case", DAYS)
def test_the_boundaries_of_the_listing(listed: Path, case: str) -> None:
    day, expected = DAYS[case]
    product = load_product(listed / "products" / "besponsa.xml")
    for market in ("AT", "DE", "IE"):
        assert product.under_additional_monitoring(market, day) is expected
    assert product.under_additional_monitoring("GB", day) is False


def test_eu_covers_the_member_states_and_open_ends(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "p", 'markets="EU"')
    product = load_product(root / "products" / "besponsa.xml")
    for day in (dt.date(1990, 1, 1), dt.date(2090, 1, 1)):
        assert product.under_additional_monitoring("AT", day)
        assert product.under_additional_monitoring("IE", day)
        assert not product.under_additional_monitoring("GB", day)
        assert not product.under_additional_monitoring("CH", day)


# ------------------------------------------------------------------------ profiles


@pytest.mark.parametrize("market", ["AT", "DE", "GB", "IE"])
def test_every_shipped_profile_prints_the_statement_first(market: str) -> None:
    profile = load_profile(market)
    first = profile.elements[0]
    assert first.field == "additional-monitoring"
    assert first.phrase is not None
    assert first.phrase.msgid == ENGLISH
    assert "additional-monitoring" not in profile.required_fields()
    assert first.phrase in list(profile.messages())
    assert set(shipped_markets()) == {"AT", "DE", "GB", "IE"}


def test_a_statement_element_needs_its_phrase() -> None:
    text = ('market = "CH"\nlocale = "de_CH"\ntitle = "Prescribing information"\n\n'
            '[[element]]\nfield = "additional-monitoring"\n\n[[element]]\nfield = "name"\n')
    with pytest.raises(ProblemsError) as caught:
        parse_profile(text.encode(), "ch.toml", "CH")
    assert caught.value.lines() == [
        "ch.toml:6: element 1: field 'additional-monitoring' needs a 'phrase': the statement"
        " printed while the product is under it"]
    with_phrase = text.replace('"additional-monitoring"\n',
                               '"additional-monitoring"\nphrase = "▼ x"\n')
    profile = parse_profile(with_phrase.encode(), "ch.toml", "CH")
    assert profile.elements[0].phrase is not None
    assert profile.elements[0].phrase.location.line == 7


def test_the_tool_catalogs_hold_the_statement() -> None:
    template = load_catalog(LOCALES / "smpc.pot")
    assert template.get(ENGLISH) is not None
    german = load_catalog(LOCALES / "de" / "LC_MESSAGES" / "smpc.po").get(ENGLISH)
    english = load_catalog(LOCALES / "en" / "LC_MESSAGES" / "smpc.po").get(ENGLISH)
    assert german is not None
    assert english is not None
    assert (german.string, german.fuzzy) == (GERMAN, False)
    assert (english.string, english.fuzzy) == (ENGLISH, False)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_gnu_gettext_reads_the_same_german(tmp_path: Path) -> None:
    mo = tmp_path / "de.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(mo),
                    str(LOCALES / "de" / "LC_MESSAGES" / "smpc.po")], check=True)
    with mo.open("rb") as handle:
        assert gettext.GNUTranslations(handle).gettext(ENGLISH) == GERMAN


# ------------------------------------------------------------------------ render


def golden(market: str, fmt: str) -> str:
    return (GOLDEN / f"besponsa-{market}.{EXTENSIONS[fmt]}").read_text(encoding="utf-8")


def with_statement(text: str, statement: str) -> str:
    """A golden text block with the statement as its first paragraph, after the title."""
    lines = text.split("\n")
    return "\n".join([*lines[:2], statement, *lines[2:]])


CASES = {"AT": GERMAN, "DE": GERMAN, "IE": ENGLISH, "GB": ENGLISH}


def _root(market: str, listed: Path, listed_gb: Path) -> Path:
    return listed_gb if market == "GB" else listed


def _opened(root: Path) -> tuple[Renderer, Product]:
    """A renderer for the portfolio at ``root``, and its besponsa product."""
    return Renderer(load_portfolio(root), clock=lambda: LISTED), \
        load_product(root / "products" / "besponsa.xml")


@pytest.mark.parametrize("market", CASES)
def test_the_statement_stands_first_while_listed(listed: Path, listed_gb: Path,
                                                 market: str) -> None:
    renderer, product = _opened(_root(market, listed, listed_gb))
    for day in (START, LISTED, UNTIL):
        text = renderer.render(product, market, as_of=day).content
        assert text == with_statement(golden(market, "text"), CASES[market])
    for day in (START - ONE, AFTER):
        assert renderer.render(product, market, as_of=day).content == golden(market, "text")


def test_the_english_preview_carries_the_english_statement(listed: Path) -> None:
    renderer = Renderer(load_portfolio(listed))
    product = load_product(listed / "products" / "besponsa.xml")
    text = renderer.render(product, "AT", locale="en", as_of=LISTED).content
    assert text.split("\n")[2] == ENGLISH
    assert GERMAN not in text


def test_a_market_not_named_has_no_statement(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "p", 'markets="DE"')
    renderer, product = _opened(root)
    assert renderer.render(product, "AT", as_of=LISTED).content == golden("AT", "text")
    # without a day too: nothing about AT depends on one
    assert renderer.render(product, "AT").content == golden("AT", "text")
    assert renderer.render(product, "DE", as_of=LISTED).content == \
        with_statement(golden("DE", "text"), GERMAN)


def test_without_a_day_a_listed_market_is_refused(listed: Path) -> None:
    xml = listed / "products" / "besponsa.xml"
    renderer = Renderer(load_portfolio(listed), clock=lambda: LISTED)
    with pytest.raises(ProblemsError) as caught:
        renderer.render(load_product(xml), "IE")
    line, column = column_of(xml, "<additional-monitoring")
    assert caught.value.lines() == [
        f"{xml}:{line}:{column}: additional-monitoring: whether the IE text carries the ▼"
        " statement depends on the day, and none was given (render as of a day)"]


def test_json_carries_the_statement_as_the_first_element(listed: Path) -> None:
    renderer = Renderer(load_portfolio(listed))
    product = load_product(listed / "products" / "besponsa.xml")
    data = json.loads(renderer.render(product, "AT", fmt="json", as_of=LISTED).content)
    expected = json.loads(golden("AT", "json"))
    first, *rest = data["elements"]
    assert first == {"paragraph": 1, "field": "additional-monitoring", "label": None,
                     "text": GERMAN, "html": GERMAN}
    assert rest == [{**e, "paragraph": e["paragraph"] + 1} for e in expected["elements"]]
    unlisted = renderer.render(product, "AT", fmt="json", as_of=AFTER).content
    assert json.loads(unlisted)["elements"] == expected["elements"]


@pytest.mark.parametrize("market", CASES)
def test_html_shows_the_triangle_above_the_heading(listed: Path, listed_gb: Path,
                                                   market: str) -> None:
    renderer, product = _opened(_root(market, listed, listed_gb))
    page = renderer.render(product, market, fmt="html", as_of=LISTED).content
    expected = golden(market, "html")
    statement = (f'<p><span class="part" data-field="additional-monitoring">{CASES[market]}'
                 "</span></p>\n")
    at = expected.index("<h2>")
    assert page == expected[:at] + statement + expected[at:]
    assert renderer.render(product, market, fmt="html", as_of=AFTER).content == expected


def test_the_statement_is_required_only_when_printed(tmp_path: Path) -> None:
    """A portfolio's own German catalog with the statement fuzzy: the German text is refused
    on the days it would carry it, and rendered on the others."""
    root = copy_example(tmp_path / "p", ENTRY)
    own = root / "locales" / "de" / "LC_MESSAGES" / "smpc.po"
    own.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        f'#, fuzzy\nmsgid "{ENGLISH}"\nmsgstr "{GERMAN}"\n', encoding="utf-8")
    renderer, product = _opened(root)
    with pytest.raises(ProblemsError) as caught:
        renderer.render(product, "AT", as_of=LISTED)
    (line,) = caught.value.lines()
    assert line.startswith("smpc_manager/profiles/at.toml:")
    assert "has no usable de_AT translation: fuzzy in locales/de/LC_MESSAGES/smpc.po:6" \
        in line
    assert renderer.render(product, "AT", as_of=AFTER).content == golden("AT", "text")
    # the check's translation findings follow the same day
    result = CliRunner().invoke(main, ["check", str(root), "--as-of", str(LISTED),
                                       "--market", "AT", "--format", "json"])
    assert result.exit_code == 1
    rules = [f["rule"] for f in read_report(result.stdout, "check")["items"]
             if f["rule"] != ATC_CHANGED]
    assert rules == ["additional-monitoring-near", "translation"]
    result = CliRunner().invoke(main, ["check", str(root), "--as-of", str(AFTER),
                                       "--market", "AT", "--format", "json"])
    assert result.exit_code == 0
    assert [f["rule"] for f in read_report(result.stdout, "check")["items"]
            if f["rule"] != ATC_CHANGED] == ["additional-monitoring-passed"]


def test_one_renderer_renders_each_day_as_it_reads(listed: Path) -> None:
    """The composed document is kept between formats, but never across a change of the ▼."""
    renderer = Renderer(load_portfolio(listed))
    product = load_product(listed / "products" / "besponsa.xml")
    texts = [renderer.render(product, "IE", as_of=day).content
             for day in (LISTED, AFTER, LISTED, START - ONE)]
    assert texts[0] == texts[2] != texts[1] == texts[3]


# ------------------------------------------------------------------------ the command line


def test_render_takes_the_day_from_as_of_or_the_clock(listed: Path, runner: CliRunner) -> None:
    xml = str(listed / "products" / "besponsa.xml")
    shown = runner.invoke(main, ["render", xml, "--market", "DE", "--as-of", str(UNTIL)])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.split("\n")[2] == GERMAN
    gone = runner.invoke(main, ["render", xml, "--market", "DE", "--as-of", str(AFTER)])
    assert (gone.exit_code, gone.stdout) == (0, golden("DE", "text"))
    today = runner.invoke(main, ["render", xml, "--market", "DE"], obj={"today": lambda: START})
    assert today.stdout == shown.stdout
    today = runner.invoke(main, ["render", xml, "--market", "DE"],
                          obj={"today": lambda: START - ONE})
    assert today.stdout == gone.stdout


WARN = 90
CHECKS = {
    # day: (rule, severity) of the finding, or None
    "warning window not yet reached": (UNTIL - dt.timedelta(days=WARN + 1), None),
    "first day of the window": (UNTIL - dt.timedelta(days=WARN), "additional-monitoring-near"),
    "last day listed": (UNTIL, "additional-monitoring-near"),
    "day after": (AFTER, "additional-monitoring-passed"),
    "long after": (dt.date(2027, 6, 30), "additional-monitoring-passed"),
}


@pytest.mark.parametrize("case", CHECKS)
def test_check_warns_near_and_after_until(listed: Path, runner: CliRunner, case: str) -> None:
    day, rule = CHECKS[case]
    xml = listed / "products" / "besponsa.xml"
    result = runner.invoke(main, ["check", str(xml), "--as-of", str(day), "--format", "json"])
    assert result.exit_code == 0, result.output  # a warning, never an error
    findings = [f for f in read_report(result.stdout, "check")["items"]
                if f["rule"].startswith("additional-monitoring")]
    if rule is None:
        assert findings == []
        return
    (finding,) = findings
    line, column = column_of(xml, "until=")
    assert finding["rule"] == rule
    assert rule in RULE_IDS
    assert (finding["severity"], finding["field"], finding["date"]) == (
        "warning", "until", str(UNTIL))
    assert (finding["path"], finding["line"], finding["column"]) == (str(xml), line, column)
    days = (UNTIL - day).days
    if rule.endswith("passed"):
        assert finding["message"] == (
            f"additional monitoring (AT DE IE) ended on {UNTIL} (as of {day}): the ▼"
            " statement is no longer printed; confirm the EMA list and update the product")
    else:
        when = "is today, its last day listed" if days == 0 else f"is in {days} days"
        assert finding["message"] == (
            f"additional monitoring (AT DE IE) until {UNTIL} {when} (as of {day}): the ▼"
            " statement is printed up to and including that day and no longer after it;"
            " confirm the EMA list before then")


def test_check_in_text_names_the_place(listed: Path, runner: CliRunner) -> None:
    xml = listed / "products" / "besponsa.xml"
    result = runner.invoke(main, ["check", str(xml), "--as-of", str(AFTER)])
    assert result.exit_code == 0
    line, column = column_of(xml, "until=")
    assert f"{xml}:{line}:{column}: warning: additional monitoring (AT DE IE) ended on" \
        f" {UNTIL}" in result.output


def test_check_for_one_market_looks_at_its_entries_only(tmp_path: Path,
                                                        runner: CliRunner) -> None:
    root = copy_example(tmp_path / "p", f'markets="AT" until="{UNTIL}"')
    xml = str(root / "products" / "besponsa.xml")

    def rules(*args: str) -> list[str]:
        result = runner.invoke(main, ["check", xml, "--as-of", str(AFTER), "--format",
                                      "json", *args])
        return [f["rule"] for f in read_report(result.stdout, "check")["items"]
                if f["rule"] != ATC_CHANGED]

    assert rules() == ["additional-monitoring-passed"]
    assert rules("--market", "AT") == ["additional-monitoring-passed"]
    assert rules("--market", "DE") == []


def test_the_rule_without_until_finds_nothing(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "p", f'markets="AT" from="{START}"')
    product = load_product(root / "products" / "besponsa.xml")
    for day in (START - ONE, START, dt.date(2090, 1, 1)):
        assert rule_additional_monitoring(product, CheckContext(as_of=day)) == []


def test_the_rule_uses_the_warning_window(listed: Path) -> None:
    product = load_product(listed / "products" / "besponsa.xml")
    day = UNTIL - dt.timedelta(days=10)
    assert rule_additional_monitoring(product, CheckContext(as_of=day, warn_days=9)) == []
    (finding,) = rule_additional_monitoring(product, CheckContext(as_of=day, warn_days=10))
    assert finding.severity is Severity.WARNING


def test_check_help_documents_the_rules(runner: CliRunner) -> None:
    text = " ".join(runner.invoke(main, ["check", "--help"]).output.split())
    assert "additional-monitoring-passed" in text
    assert "additional-monitoring-near" in text
    assert "the ▼ is printed on it, not the day after" in text


# ------------------------------------------------------------------------ build


def test_the_build_window_ends_where_the_statement_changes(listed: Path) -> None:
    product = load_product(listed / "products" / "besponsa.xml")
    markets = ("AT", "DE", "IE")
    assert valid_window(product, LISTED, markets)[0] == START
    assert valid_window(product, LISTED, markets)[1] == UNTIL
    since, until = valid_window(product, AFTER, markets)
    assert since == AFTER
    assert until is not None
    assert until > AFTER
    assert valid_window(product, START - ONE, markets)[1] == START - ONE
    # without the entries, or for a market they do not name, the dates alone decide
    plain = dataclasses.replace(product, additional_monitoring=())
    since, _ = valid_window(plain, LISTED, markets)
    assert since is not None
    assert since < START
    assert valid_window(product, LISTED, ("GB",)) == \
        valid_window(plain, LISTED, ("GB",))


def test_a_rebuild_on_the_day_after_until_renders_again(listed: Path, tmp_path: Path) -> None:
    root = tmp_path / "portfolio"
    shutil.copytree(listed, root)
    portfolio = load_portfolio(root)
    out = tmp_path / "out"
    target = out / "AT" / "de_AT" / "besponsa.txt"

    def run(day: dt.date) -> tuple[int, int]:
        result = build(portfolio, BuildOptions(out, day, markets=("AT",)))
        assert result.ok, result.problems
        return result.built, result.unchanged

    assert run(UNTIL) == (1, 0)
    assert target.read_text(encoding="utf-8") == with_statement(golden("AT", "text"), GERMAN)
    record = json.loads((out / MANIFEST_FILE).read_text())["products"]["besponsa"]
    assert (record["valid-from"], record["valid-until"]) == (str(START), str(UNTIL))
    assert run(UNTIL) == (0, 1)  # the same day: nothing to do
    assert run(START) == (0, 1)  # any day listed reads the same
    assert run(AFTER) == (1, 0)  # the ▼ goes: rendered again, without it
    assert target.read_text(encoding="utf-8") == golden("AT", "text")
    assert run(AFTER + dt.timedelta(days=30)) == (0, 1)
    assert run(START - ONE) == (1, 0)  # back before the listing: another window
    assert target.read_text(encoding="utf-8") == golden("AT", "text")


def test_a_rebuild_on_the_first_day_listed_renders_again(listed: Path, tmp_path: Path) -> None:
    root = tmp_path / "portfolio"
    shutil.copytree(listed, root)
    portfolio = load_portfolio(root)
    out = tmp_path / "out"
    options = {"markets": ("IE",), "formats": ("text", "json")}
    first = build(portfolio, BuildOptions(out, START - ONE, **options))
    assert (first.built, first.unchanged) == (2, 0)
    text = out / "IE" / "en_IE" / "besponsa.txt"
    assert text.read_text(encoding="utf-8") == golden("IE", "text")
    second = build(portfolio, BuildOptions(out, START, **options))
    assert (second.built, second.unchanged) == (2, 0)
    assert text.read_text(encoding="utf-8") == with_statement(golden("IE", "text"), ENGLISH)
    data = json.loads((out / "IE" / "en_IE" / "besponsa.json").read_text(encoding="utf-8"))
    assert data["elements"][0]["field"] == "additional-monitoring"
