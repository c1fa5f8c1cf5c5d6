"""Hostile portfolio templates: each runs within the limits of one rendering (time, output
and value sizes, loop iterations and calls) and whatever stops it is one line naming the
template's line; in a build it fails only the outputs laid out with it.

One case per defect, named for it; docs/safety.md lists them.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from smpc_manager import BuildOptions, Renderer, build, load_portfolio, load_product
from smpc_manager.cli import main
from smpc_manager.errors import ProblemsError
from smpc_manager.render.inputs import template_dir

AS_OF = dt.date(2026, 12, 6)
#: The time limit of one rendering, and what a test allows it besides (a loaded machine).
SECONDS = 2.0
SLACK = 8.0

LOOPS = "the template was stopped: it made more than 100,000 loop iterations and calls"
VALUE = "the template was stopped: it made a value of more than 1,000,000 characters"
OUTPUT = "the template was stopped: its output passed 1,000,000 characters"
NUMBER = "the template was stopped: it computed a number of more than 4,096 bits"
WIDTH = "the template was stopped: a format with a width over 1,000,000"
ARGUMENT = "the template was stopped: a number argument over 1,000,000"
TIME = "the template was stopped: it ran longer than 2 seconds"

#: case -> (the template, the line its problem names, the start of what it says). The
#: first line of each is plain text, so that the line named is the one at fault.
CASES: dict[str, tuple[str, int, str]] = {
    "nested-loops-over-range": (
        "top\n{% for i in range(100000) %}{% for j in range(100000) %}"
        "{% endfor %}{% endfor %}\n", 2, LOOPS),
    "nested-loops-over-a-list": (
        "top\n{% set xs = range(1000)|list %}\n{% for i in xs %}{% for j in xs %}{% endfor %}"
        "{% endfor %}\n", 3, LOOPS),
    "range-too-long": ("top\n{% for i in range(10**6) %}{% endfor %}\n", 2,
                       "the template was stopped: range() of more than 100,000 numbers"),
    "range-of-a-number-too-large": ("top\n{% for i in range(10**7) %}{% endfor %}\n", 2,
                                    ARGUMENT),
    "macro-calls-doubling": (
        "top\n{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}"
        "\n{{ m(60) }}\n", 2, LOOPS),
    "endless-recursion": (
        "top\n{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}\n", 2,
        "the template failed: RecursionError: maximum recursion depth exceeded"),
    "string-repeated-a-billion-times": ("top\n{{ 'x' * 10**9 }}\n", 2, VALUE),
    "list-repeated-a-billion-times": ("top\n{{ ([1] * 10**9)|length }}\n", 2, VALUE),
    "string-doubled-in-a-loop": (
        "top\n{% set ns = namespace(s='ab') %}\n{% for i in range(40) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}\n", 3, VALUE),
    "power-tower": ("top\n{{ 9 ** (9 ** 9) }}\n", 2, NUMBER),
    "center-a-billion-wide": ("top\n{{ 'x'|center(999999999) }}\n", 2, ARGUMENT),
    "ljust-a-billion-wide": ("top\n{{ 'x'.ljust(999999999) }}\n", 2, ARGUMENT),
    "percent-format-a-billion-wide": ("top\n{{ '%0999999999d' % 1 }}\n", 2, WIDTH),
    "format-filter-a-billion-wide": ("top\n{{ '%0999999999d'|format(1) }}\n", 2, WIDTH),
    "str-format-a-billion-wide": ("top\n{{ '{:>999999999}'.format(1) }}\n", 2, WIDTH),
    "replace-every-gap": (
        "top\n{% set s = 'x' * 1000 %}\n{{ s|replace('', 'y' * 10000) }}\n", 3, VALUE),
    "indent-every-line": (
        "top\n{% set s = '\\n' * 100000 %}\n{{ s|indent(100) }}\n", 3, VALUE),
    "expandtabs-every-tab": (
        "top\n{% set s = '\\t' * 100000 %}\n{{ s.expandtabs(100) }}\n", 3, VALUE),
    "join-a-literal-list-of-large-strings": (
        "top\n{% set s = 'x' * 999999 %}\n{{ [s, s, s, s, s]|join }}\n", 3, VALUE),
    "join-of-a-mapped-range": (
        "top\n{% set s = 'x' * 999999 %}\n{{ range(100000)|map('replace', '1', s)|join }}\n",
        3, VALUE),
    "large-values-made-again-and-again": (
        "top\n{% set s = 'x' * 999999 %}\n{% for i in range(1000) %}{% set t = s|upper %}"
        "{% endfor %}\n", 3,
        "the template was stopped: its values came to more than 20,000,000 characters"),
    "block-set-gathering-a-gigabyte": (
        "top\n{% set s = 'x' * 999999 %}{% set b %}{% for i in range(50000) %}{{ s }}"
        "{% endfor %}{% endset %}\n{{ b|length }}\n", 2, VALUE),
    "a-gigabyte-of-output": (
        "top\n{% set s = 'x' * 999999 %}\n{% for i in range(50000) %}{{ s }}{% endfor %}\n",
        3, OUTPUT),
    "slow-work-within-the-other-limits": (
        "top\n{% set s = 'ab ' * 300000 %}\n{% for i in range(99000) %}{{ s|wordcount }}"
        "{% endfor %}\n", 3, TIME),
    "division-by-zero": ("top\n{{ 1 / 0 }}\n", 2,
                         "the template failed: ZeroDivisionError: division by zero"),
    "undefined-name": ("top\n\n{{ nothing.here }}\n", 3,
                       "the template failed: 'nothing' is undefined"),
    "syntax-error": ("top\n{% for %}\n", 2, "the template is not valid: Expected an"),
}


def own_template(portfolio: Path, name: str, text: str) -> Path:
    path = portfolio / "templates" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_template_is_stopped_with_one_line_at_its_line(portfolio: Path,
                                                                 case: str) -> None:
    text, line, words = CASES[case]
    own_template(portfolio, "text.txt.j2", text)
    product = load_product(portfolio / "products" / "besponsa.xml")
    renderer = Renderer(load_portfolio(portfolio))
    started = time.monotonic()
    with pytest.raises(ProblemsError) as caught:
        renderer.render(product, "AT", as_of=AS_OF)
    assert time.monotonic() - started < SECONDS + SLACK
    (problem,) = caught.value.lines()
    assert problem.startswith(f"templates/text.txt.j2:{line}: {words}"), problem
    assert "\n" not in problem


@pytest.mark.parametrize("case", ["nested-loops-over-range", "division-by-zero"])
def test_smpc_render_of_a_hostile_template_is_one_line_and_exit_1(
    runner: CliRunner, portfolio: Path, case: str,
) -> None:
    text, line, words = CASES[case]
    own_template(portfolio, "page.html.j2", text)
    result = runner.invoke(main, ["render", str(portfolio / "products" / "besponsa.xml"),
                                  "--market", "IE", "--format", "html",
                                  "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    problems = [ln for ln in result.output.splitlines() if "page.html.j2" in ln]
    assert len(problems) == 1, result.output
    assert re.fullmatch(rf"\S*templates/page\.html\.j2:{line}: {re.escape(words)}.*",
                        problems[0]), problems[0]


def test_a_hostile_template_fails_only_the_outputs_laid_out_with_it(portfolio: Path,
                                                                     tmp_path: Path) -> None:
    own_template(portfolio, "page.html.j2", CASES["nested-loops-over-range"][0])
    out = tmp_path / "out"
    started = time.monotonic()
    result = build(load_portfolio(portfolio),
                   BuildOptions(out_dir=out, as_of=AS_OF, formats=("text", "html")))
    assert time.monotonic() - started < 2 * (SECONDS + SLACK)
    # AT, DE and IE: the text of each is built, the page of each fails on its own line
    assert (result.built, result.failed) == (3, 3), result.problems
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("besponsa.*")) == [
        "AT/de_AT/besponsa.txt", "DE/de_DE/besponsa.txt", "IE/en_IE/besponsa.txt"]
    lines = {str(problem) for problem in result.problems}
    assert lines == {f"templates/page.html.j2:2: {LOOPS}, the limit for one output; is a"
                     " loop endless?"}


def test_a_copy_of_the_shipped_page_lays_out_the_same_bytes_within_the_limits(
    portfolio: Path,
) -> None:
    product = load_product(portfolio / "products" / "besponsa.xml")
    shipped = Renderer(load_portfolio(portfolio)).render(product, "IE", fmt="html",
                                                         as_of=AS_OF)
    (portfolio / "templates").mkdir(exist_ok=True)
    shutil.copy(template_dir() / "page.html.j2", portfolio / "templates" / "page.html.j2")
    own = Renderer(load_portfolio(portfolio)).render(product, "IE", fmt="html", as_of=AS_OF)
    assert "templates/page.html.j2" in own.inputs
    assert own.content == shipped.content
