"""Every date the schema accepts works everywhere: 0001-01-01 and 9999-12-31, and the days
near them, in every date field and as the day of the check, with validate, check, render
and build, through the library and the command line. Nothing overflows, and the commands
agree: an output is built exactly when render gives it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from smpc_manager import BuildOptions, Renderer, build, check, load_portfolio, load_product
from smpc_manager.cli import main
from smpc_manager.errors import ProblemsError
from smpc_manager.products import validate_file
from tests.conftest import EXAMPLE

MARKETS = ("AT", "DE", "IE")
FORMATS = ("text", "html", "json")
FORMAT_OF = {"txt": "text", "html": "html", "json": "json"}
FIRST, LAST = dt.date.min, dt.date.max

#: Days near the ends of the calendar (and a few ordinary ones, so that dates of both
#: ends meet in one product).
DAYS = st.one_of(
    st.dates(FIRST, FIRST + dt.timedelta(days=62)),
    st.dates(LAST - dt.timedelta(days=62), LAST),
    st.sampled_from([FIRST, LAST, dt.date(2026, 12, 6)]),
)


def product_xml(days: list[dt.date], month_only: bool) -> str:
    """The example product with its dates in the order the rules want them: first
    authorisation, renewal, revision, review-by; valid-until after the first authorisation;
    additional monitoring from and until."""
    first, renewal, revision, review, until, watch_from, watch_until = days
    text = (EXAMPLE / "products" / "besponsa.xml").read_text(encoding="utf-8")
    revised = f"{revision.year:04d}-{revision.month:02d}" if month_only else revision.isoformat()
    swaps = {
        "<first-authorisation>2017-06-29</first-authorisation>":
            f"<first-authorisation>{first}</first-authorisation>\n"
            f"    <renewal>{renewal}</renewal>\n    <valid-until>{until}</valid-until>",
        "<revision-date>2022-02</revision-date>": f"<revision-date>{revised}</revision-date>",
        "<review-by>2027-12-31</review-by>": f"<review-by>{review}</review-by>",
        '  <prescription-status market="AT">':
            f'  <additional-monitoring markets="AT DE IE" from="{watch_from}"'
            f' until="{watch_until}"/>\n  <prescription-status market="AT">',
    }
    for old, new in swaps.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def portfolio_with(folder: Path, days: list[dt.date], month_only: bool) -> Path:
    root = folder / "portfolio"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("*.mo", "zeposia.*"))
    (root / "products" / "besponsa.xml").write_text(product_xml(days, month_only),
                                                   encoding="utf-8")
    return root


def ordered(days: list[dt.date]) -> list[dt.date]:
    """Seven days arranged as :func:`product_xml` wants them."""
    first, renewal, revision, review = sorted(days[:4])
    until = max(days[4], first)
    watch_from, watch_until = sorted(days[5:7])
    return [first, renewal, revision, review, until, watch_from, watch_until]


def assert_no_crash(output: str, exit_code: int) -> None:
    assert exit_code in (0, 1), output
    assert "internal error" not in output
    assert "Traceback" not in output


def run_everywhere(root: Path, as_of: dt.date, out: Path) -> None:
    """validate, check, render and build, by the library and by the command line."""
    runner = CliRunner()
    day = as_of.isoformat()
    xml = root / "products" / "besponsa.xml"

    problems = validate_file(xml)
    validated = runner.invoke(main, ["validate", str(xml)])
    assert_no_crash(validated.output, validated.exit_code)
    assert (validated.exit_code == 0) == (problems == []), validated.output
    if problems:
        return
    product = load_product(xml)

    report = check([root], as_of=as_of)
    checked = runner.invoke(main, ["check", str(root), "--as-of", day])
    assert_no_crash(checked.output, checked.exit_code)
    assert (checked.exit_code == 1) == (report.errors > 0), checked.output

    renderer = Renderer(load_portfolio(root))
    rendered: set[str] = set()
    for market in MARKETS:
        try:
            renderer.render(product, market, as_of=as_of)
        except ProblemsError:
            pass
        else:
            rendered.add(market)
        result = runner.invoke(main, ["render", str(xml), "--market", market, "--as-of", day])
        assert_no_crash(result.output, result.exit_code)
        assert (result.exit_code == 0) == (market in rendered), result.output

    options = BuildOptions(out_dir=out / "library", as_of=as_of, formats=FORMATS)
    built = build(load_portfolio(root), options)
    wanted = {(market, fmt) for market in rendered for fmt in FORMATS}
    assert {(o.key.split("/")[0], FORMAT_OF[o.key.rsplit(".", 1)[1]]) for o in built.outcomes
            if o.key is not None and o.status == "built"} == wanted, built.problems
    again = build(load_portfolio(root), options)
    assert (again.unchanged, again.failed) == (len(wanted), built.failed), again.problems
    result = runner.invoke(main, ["build", str(root), "-o", str(out / "cli"), "--as-of", day,
                                  *(arg for fmt in FORMATS for arg in ("--format", fmt))])
    assert_no_crash(result.output, result.exit_code)
    assert {(p.parts[-3], FORMAT_OF[p.suffix[1:]]) for p in (out / "cli").rglob("besponsa.*")} \
        == wanted, result.output


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(days=st.lists(DAYS, min_size=7, max_size=7), as_of=DAYS, month_only=st.booleans())
@example(days=[FIRST] * 7, as_of=FIRST, month_only=True)
@example(days=[LAST] * 7, as_of=LAST, month_only=True)
@example(days=[FIRST] * 3 + [LAST] * 4, as_of=LAST, month_only=False)
@example(days=[FIRST] * 3 + [LAST] * 4, as_of=FIRST, month_only=True)
def test_dates_at_both_ends_of_the_calendar_work_in_every_command(
    days: list[dt.date], as_of: dt.date, month_only: bool,
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = portfolio_with(Path(folder), ordered(days), month_only)
        run_everywhere(root, as_of, Path(folder) / "out")
