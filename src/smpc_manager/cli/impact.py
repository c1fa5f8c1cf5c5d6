"""``smpc impact``: what a new version of an approved SmPC changes in a portfolio."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from smpc_manager.cli import console
from smpc_manager.cli.options import emit_json, option_format
from smpc_manager.impact import Impact, SectionImpact, impact
from smpc_manager.portfolio import find_root, load_portfolio


@click.command("impact")
@click.argument("old", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.argument("new", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--portfolio", "portfolio_path", type=click.Path(path_type=Path, file_okay=False),
              default=None, metavar="P",
              help="The portfolio whose products the SmPC concerns (default: the one OLD lies"
                   " in, else the current folder).")
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=None, metavar="DIR",
              help="The output folder of the last build, whose manifest.json lists the"
                   " outputs (without it, none are listed).")
@option_format("text: each changed section with what it touches, for people; json: a report"
               " (see below).")
def impact_command(old: Path, new: Path, portfolio_path: Path | None, out_dir: Path | None,
                   fmt: str) -> None:
    """Compare two versions of an SmPC, and say what the new one changes.

    OLD and NEW are two versions of one approved SmPC (EU ePI files, FHIR XML or JSON), in
    one language: typically the file the portfolio keeps (sources/<id>/<lang>.xml) and
    the one just published. They are compared section by section (the QRD template's
    sections, found by their SPOR codes or headings), and for each section that changed
    the command says, for the products whose SmPC OLD is (the file they keep, or one of
    the same bytes):

    \b
      - the words changed: [-old-]{+new+};
      - the product fields taken from that section and the markets that
        print them, each verbatim, consistent or free (profiles' smpc):
        every market for an SmPC in the product's own language, whose
        words the catalogs translate; those of the SmPC's language else;
      - the outputs of the last build (-o) of those products and markets;
      - the catalog entries that go with it: messages that stood word
        for word in the old section and do not in the new, whose entries
        will go fuzzy once the product follows the SmPC (an SmPC in the
        product's language), or translations to revise (another).

    \b
    --format json prints one report (schemas/json/impact.schema.json):
      {"version": 1, "command": "impact",
       "summary": {"old", "new", "lang", "products": [ids],
                   "sections", "printed", "outputs", "entries": N,
                   "affected": true | false},
       "items": [{"section": "4.3", "section_code": "200000029805",
                  "heading", "change": "changed" | "added" | "removed",
                  "line", "diff",
                  "printed": [{"product", "field", "market", "locale",
                               "relation"}],
                  "outputs": ["AT/de_AT/besponsa.txt", ...],
                  "entries": [{"path", "line", "context", "msgid",
                               "becomes": "fuzzy" | "revise"}]}],
       "notes": [{"path", "message"}]}

    \b
    Exit status: 0 nothing any market prints changed, 1 something does
    (or an SmPC cannot be read), 2 wrong usage.

    \b
    Examples:
      smpc impact sources/besponsa/de.xml ~/Downloads/besponsa-de.xml -o out/
      smpc impact old.json new.json --portfolio examples/portfolio --format json
    """
    root = portfolio_path or find_root(old.resolve().parent) or Path(".")
    found = impact(old, new, load_portfolio(root), out_dir)
    if fmt == "json":
        emit_json(found.as_dict())
    else:
        _echo(found)
    if found.affected:
        sys.exit(1)


def _echo(found: Impact) -> None:
    """Each changed section and what it touches, a blank line after each, on standard
    output; the notes and the summary line on standard error."""
    for section in found.sections:
        _echo_section(section, found.old, found.new)
    for note in found.notes:
        console.warning(console.styled_problem(note))
    changed = console.plural(len(found.sections), "section")
    if not found.sections:
        verdict = "no section changed"
    elif not found.affected:
        verdict = f"{changed} changed; no market prints them"
    else:
        markets = {(p.product, p.market) for s in found.sections for p in s.printed}
        outputs = {o for s in found.sections for o in s.outputs}
        entries = sum(len(s.entries) for s in found.sections)
        verdict = (f"{changed} changed, printed in {console.plural(len(markets), 'market')} of"
                   f" {console.plural(len(found.products), 'product')};"
                   f" {console.plural(len(outputs), 'output')},"
                   f" {console.plural(entries, 'catalog entry', 'catalog entries')} affected")
    console.summary(f"{found.old} -> {found.new}: {verdict}",
                    console.tone_of(1 if found.affected else 0))


def _echo_section(section: SectionImpact, old: str, new: str) -> None:
    change = section.change
    where = new if change.new is not None else old
    console.result(f"{console.styled_path(f'{where}:{change.line}')}: §{change.key}"
                   f" {change.heading} ({change.code}) {change.kind}: {change.diff}")
    for printed in section.printed:
        console.result(f"  printed: {printed.product} {printed.field} in {printed.market}"
                       f" ({printed.relation})")
    for output in section.outputs:
        console.result(f"  output: {output}")
    for entry in section.entries:
        what = "will go fuzzy" if entry.becomes == "fuzzy" else "translation to revise"
        console.result(f"  {console.styled_path(f'{entry.path}:{entry.line}')}:"
                       f" {entry.context} \"{entry.msgid}\": {what}")
    console.result()
