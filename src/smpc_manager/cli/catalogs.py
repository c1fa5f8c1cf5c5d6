"""The gettext workflow: ``smpc extract``, ``init``, ``update``, ``compile`` and ``stats``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from smpc_manager.catalogs import (
    CatalogStats,
    MergeCounts,
    WordCounts,
    checked_locale,
    clock_now,
    compile_catalog,
    extract,
    init_catalog,
    is_current,
    shown,
    statistics,
    update_catalog,
)
from smpc_manager.cli import console
from smpc_manager.cli.options import complete_locales, emit_json, option_format, option_locales
from smpc_manager.errors import Problem, ProblemsError, Severity, UsageError
from smpc_manager.model import Product
from smpc_manager.portfolio import Portfolio, expand
from smpc_manager.products import load_product
from smpc_manager.reports import report


def _load_products(paths: Sequence[Path]) -> list[tuple[Portfolio, Product]]:
    """(portfolio, product) for each product file named or found; all problems at once."""
    loaded: list[tuple[Portfolio, Product]] = []
    problems: list[Problem] = []
    for target in expand(paths):
        try:
            loaded.append((target.portfolio, load_product(target.path)))
        except ProblemsError as err:
            problems.extend(err.problems)
    if problems:
        raise ProblemsError(problems)
    return loaded


def _chosen_locales(portfolio: Portfolio, locales: Sequence[str]) -> list[str]:
    """The languages named (checked), else every language with catalogs; a folder under
    ``locales/`` that is no locale is skipped with a note, once per command."""
    if locales:
        return [checked_locale(x) for x in locales]
    found = portfolio.locale_folders()
    noted: set[str] = click.get_current_context().meta.setdefault("smpc.noted", set())
    for note in found.notes:
        if str(note) not in noted:
            noted.add(str(note))
            console.warning(str(note))
    return list(found.locales)


@dataclass(slots=True)
class _Merged:
    """What ``smpc update`` did to all the catalogs, for its summary line."""

    written: int = 0
    unchanged: int = 0
    added: int = 0
    changed: int = 0
    revived: int = 0
    obsolete: int = 0

    def add(self, counts: MergeCounts, *, written: bool) -> None:
        self.written += written
        self.unchanged += not written
        self.added += counts.added
        self.changed += counts.changed
        self.revived += counts.revived
        self.obsolete += counts.obsolete

    def summary(self) -> str:
        """``1 catalog: 1 written, 0 unchanged; 0 added, 1 changed (fuzzy), …``."""
        return (f"{console.plural(self.written + self.unchanged, 'catalog')}: {self.written}"
                f" written, {self.unchanged} unchanged; {self.added} added, {self.changed}"
                f" changed (fuzzy), {self.revived} revived, {self.obsolete} obsolete")


@click.command("extract")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def extract_command(paths: Sequence[Path]) -> None:
    """Write each product's translation template, locales/templates/<id>.pot.

    One message per translatable element, with msgctxt naming the field, #: the XML line
    and #. a note. A template whose messages did not change is left byte for byte as it
    was. SOURCE_DATE_EPOCH, if set, is the POT-Creation-Date of a changed template.

    \b
    Example:
      smpc extract examples/portfolio
    """
    now = clock_now()
    written = unchanged = 0
    for portfolio, product in _load_products(paths):
        done = extract(product, portfolio.template_path(product.id), portfolio.root, now)
        state = "written" if done.written else "unchanged"
        console.detail(f"{console.styled_path(shown(done.path))}: {done.messages} messages"
                       f" ({state})")
        written += done.written
        unchanged += not done.written
    console.summary(f"{console.plural(written + unchanged, 'template')}: {written} written,"
                    f" {unchanged} unchanged")


@click.command("init")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--locale", "-l", "locales", multiple=True, required=True, metavar="LOCALE",
              shell_complete=complete_locales,
              help="The language to start (de); repeat for more.")
def init_command(paths: Sequence[Path], locales: Sequence[str]) -> None:
    """Start the catalogs of a language from the templates (run extract first).

    Creates locales/<locale>/LC_MESSAGES/<id>.po for each product; a catalog that exists
    is left as it is (smpc update merges into it).

    \b
    Example:
      smpc init examples/portfolio --locale de
    """
    now = clock_now()
    created = existing = 0
    for portfolio, product in _load_products(paths):
        for locale in _chosen_locales(portfolio, locales):
            done = init_catalog(portfolio, product, locale, now)
            path = console.styled_path(shown(done.path))
            if done.created:
                console.detail(f"{path}: created, {done.counts.added} messages to translate")
                created += 1
            else:
                console.detail(f"{path}: exists, left as it is (use smpc update)")
                existing += 1
    hint = " (use smpc update)" if existing else ""
    console.summary(f"{console.plural(created + existing, 'catalog')}: {created} created,"
                    f" {existing} left as they were{hint}")


@click.command("update")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@option_locales
def update_command(paths: Sequence[Path], locales: Sequence[str]) -> None:
    """Merge the templates into the catalogs, keeping every translation.

    Changed English keeps its old translation as a fuzzy entry with the previous English
    (#| msgid); fuzzy matches never cross fields (msgctxt); removed messages become
    obsolete (#~); a message that returns is revived. Unchanged input leaves the files
    byte for byte as they were.

    \b
    Example:
      smpc update examples/portfolio --locale de
    """
    now = clock_now()
    total = _Merged()
    for portfolio, product in _load_products(paths):
        chosen = _chosen_locales(portfolio, locales)
        template = portfolio.template_path(product.id)
        if template.is_file() and not is_current(product, template):
            console.warning(f"{console.styled_path(shown(template))}:"
                            f" {console.marker(Severity.WARNING)}: older than"
                            f" {shown(Path(product.path))}; run smpc extract"
                            f" {shown(portfolio.root)} first to merge its changes")
        if not chosen:
            raise UsageError(f"{shown(portfolio.locales_dir)}: no catalogs yet (start one with"
                             f" smpc init {shown(portfolio.root)} --locale LOCALE)")
        known = set(portfolio.catalog_locales())
        for locale in chosen:
            if locale not in known:
                raise UsageError(f"no catalogs for '{locale}' yet (start them with smpc init"
                                 f" {shown(portfolio.root)} --locale {locale})")
            done = update_catalog(portfolio, product, locale, now)
            c = done.counts
            total.add(done.counts, written=done.created or done.written)
            path = console.styled_path(shown(done.path))
            if done.created:
                console.detail(f"{path}: created, {c.added} messages to translate")
                continue
            state = "written" if done.written else "unchanged"
            console.detail(f"{path}: {c.added} added, {c.changed} changed (fuzzy),"
                           f" {c.revived} revived, {c.obsolete} obsolete ({state})")
    console.summary(total.summary())


@click.command("compile")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@option_locales
def compile_command(paths: Sequence[Path], locales: Sequence[str]) -> None:
    """Write a .mo file next to each catalog, for tools that want compiled catalogs.

    Only translations rendering would use go in: not fuzzy, and passing the checks.
    Rendering itself reads the .po files.

    \b
    Example:
      smpc compile examples/portfolio
    """
    catalogs = messages = left_out = 0
    for portfolio, product in _load_products(paths):
        for locale in _chosen_locales(portfolio, locales):
            path = portfolio.catalog_path(locale, product.id)
            if not path.is_file():
                continue
            done = compile_catalog(product, locale, path,
                                   portfolio.translation.untranslatable)
            left = [f"{n} {what}" for n, what in ((done.fuzzy, "fuzzy"),
                                                 (done.untranslated, "untranslated"),
                                                 (done.failed, "failing checks")) if n]
            note = f"; left out: {', '.join(left)}" if left else ""
            console.detail(f"{console.styled_path(shown(done.path))}: {done.compiled}"
                           f" messages{note}")
            catalogs += 1
            messages += done.compiled
            left_out += done.fuzzy + done.untranslated + done.failed
    console.summary(f"{console.plural(catalogs, 'catalog')} compiled: {messages} messages,"
                    f" {left_out} left out", console.tone_of(0, left_out))


@click.command("stats")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@option_locales
@option_format("text: two lines per product and language, then what is missing; json: the"
               " report, an item per catalog.")
def stats_command(paths: Sequence[Path], locales: Sequence[str], fmt: str) -> None:
    """How far each product is translated, per language.

    Counts translated, fuzzy, untranslated, failing (a translation that fails a check,
    named by its id: tags, name, numbers, untranslated-sentence …; see docs/checks.md) and
    obsolete messages, and whether the catalog is complete for rendering. Then the English
    words of those messages as pocount counts them (translated there is translated and
    failing here), and how many messages a translation memory filled and still mark as
    such (#. Translation memory: …).

    \b
    Examples:
      smpc stats examples/portfolio
      smpc stats examples/portfolio --format json
    """
    records = []
    for portfolio, product in _load_products(paths):
        for stat in statistics(portfolio, [product], _chosen_locales(portfolio, locales)):
            records.append((portfolio, stat))
    if fmt == "json":
        emit_json(report("stats", _stats_summary([stat for _portfolio, stat in records]),
                         (stat.as_dict(portfolio.root) for portfolio, stat in records)))
        return
    complete = sum(1 for _portfolio, stat in records if stat.complete)
    for _portfolio, stat in records:
        state = "complete" if stat.complete else "incomplete"
        checks = f" ({', '.join(stat.checks)})" if stat.checks else ""
        words = stat.words
        console.result(f"{stat.product} {stat.locale}: {stat.translated}/{stat.total}"
                       f" translated, {stat.fuzzy} fuzzy, {stat.untranslated} untranslated,"
                       f" {stat.failed} failing checks{checks}, {stat.obsolete} obsolete:"
                       f" {state}")
        console.result(f"  {console.plural(words.total, 'word')}: {words.translated}"
                       f" translated, {words.fuzzy} fuzzy, {words.untranslated} untranslated,"
                       f" {words.failed} failing checks; {stat.memory} from translation"
                       " memory")
        for gap in stat.gaps:
            console.result(f"  {console.styled_path(gap.text.location)}: {gap.text.context}:"
                           f" {gap.status}: {'; '.join(gap.reasons)}")
    if not records:
        console.warning("no catalogs yet (start one with smpc init PORTFOLIO --locale LOCALE)")
    else:
        console.summary(f"{console.plural(len(records), 'catalog')}: {complete} complete,"
                        f" {len(records) - complete} incomplete",
                        console.tone_of(0, len(records) - complete))


def _stats_summary(stats: Sequence[CatalogStats]) -> dict[str, object]:
    """The summary of ``smpc stats --format json``: the catalogs, complete or not; the words
    by state, the memory's fills and the failing checks of them all."""
    complete = sum(1 for stat in stats if stat.complete)
    words = {key: sum(stat.words.as_dict()[key] for stat in stats)
             for key in WordCounts().as_dict()}
    checks = sum((Counter(stat.checks) for stat in stats), Counter[str]())
    return {"catalogs": len(stats), "complete": complete, "incomplete": len(stats) - complete,
            "words": words, "memory": sum(stat.memory for stat in stats),
            "checks": dict(checks)}
