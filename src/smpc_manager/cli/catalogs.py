"""The gettext workflow: ``smpc extract``, ``init``, ``update``, ``compile`` and ``stats``."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import click

from smpc_manager.catalogs import (
    DEFAULT_LAYOUT,
    CatalogStats,
    Layout,
    MergeCounts,
    PoCatalog,
    TranslationMemory,
    Updated,
    WordCounts,
    checked_locale,
    clock_now,
    compile_catalog,
    extract,
    init_catalog,
    is_current,
    portfolio_memory,
    read_catalog,
    serves,
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


#: The changes to the messages a catalog's line names, in this order.
_CHANGES = (("added", "added"), ("changed", "changed (fuzzy)"), ("memory", "from memory"),
            ("recovered", "recovered (fuzzy)"), ("renamed", "renamed"),
            ("revived", "revived"), ("obsolete", "obsolete"), ("updated", "comments updated"))


def _changes(counts: MergeCounts) -> list[str]:
    """``3 added``, ``1 changed (fuzzy)`` …: what a merge changed, the counts that are not 0."""
    return [f"{getattr(counts, name)} {label}" for name, label in _CHANGES
            if getattr(counts, name)]


def _why(done: Updated) -> str:
    """Why ``update`` wrote (or with --check would write) a catalog: ``3 added, 1 changed
    (fuzzy); header updated; layout rewritten``."""
    parts = [", ".join(_changes(done.counts))] if _changes(done.counts) else []
    parts += ["header updated"] * done.header + ["layout rewritten"] * done.relaid
    return "; ".join(parts) or "rewritten"


@dataclass(slots=True)
class _Merged:
    """What ``smpc update`` did to all the catalogs, for its summary line."""

    written: int = 0
    unchanged: int = 0
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, done: Updated) -> None:
        written = done.created or done.written
        self.written += written
        self.unchanged += not written
        if written:
            self.counts.update({name: getattr(done.counts, name) for name, _ in _CHANGES})

    def summary(self, verb: str = "written") -> str:
        """``2 catalogs: 1 written, 1 unchanged; 1 changed (fuzzy), 2 from memory``."""
        head = (f"{console.plural(self.written + self.unchanged, 'catalog')}: {self.written}"
                f" {verb}, {self.unchanged} unchanged")
        changes = _changes(MergeCounts(**self.counts))
        return f"{head}; {', '.join(changes)}" if changes else head


def _layout(width: int, no_wrap: bool) -> Layout:
    return Layout(width=width, wrap=not no_wrap)


def _option_layout(command: Callable[..., None]) -> Callable[..., None]:
    """--width and --no-wrap, for the commands that write catalogs and templates, as GNU
    gettext and pybabel have them."""
    command = click.option(
        "--no-wrap", is_flag=True,
        help="Do not wrap long strings; break them only after \\n (GNU's --no-wrap).")(command)
    return click.option(
        "--width", type=click.IntRange(min=20), default=DEFAULT_LAYOUT.width, show_default=True,
        metavar="N",
        help="Wrap strings at N columns, as GNU msgcat and msgmerge do by default. Give the"
             " same width and --no-wrap to every command that writes the files, or the next"
             " one rewraps them.")(command)


def _option_check(what: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """--check of extract and update, which lag behind the products when ``what`` does."""
    return click.option("--check", is_flag=True,
                        help=f"Write nothing; list the {what} that lag behind the products"
                             " and exit 1 if there are any, 0 if all are current (for CI and"
                             " pre-commit).")


def _summary(text: str, lagging: Iterable[Path], fix: str) -> None:
    """End a command with its summary; where --check found files out of date (of the
    portfolios ``lagging``), say what brings them up to date, and exit 1."""
    roots = [shown(root) for root in dict.fromkeys(lagging)]
    if not roots:
        console.summary(text)
        return
    commands = " and ".join(fix.format(root=root) for root in roots)
    console.summary(f"{text} (run {commands})", console.Tone.ERROR)
    sys.exit(1)


@click.command("extract")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_option_layout
@_option_check("templates")
def extract_command(paths: Sequence[Path], *, width: int, no_wrap: bool, check: bool) -> None:
    """Write each product's translation template, locales/templates/<id>.pot.

    One message per translatable element: msgctxt names the field (composition,
    contraindications), #: gives the XML line and #. a note on what the field means. A
    message is known by its field and its English, never by its position, so inserting or
    removing a paragraph changes no other message. The same sentence twice in one field
    is told apart as contraindications#2.

    A template whose messages did not change is left byte for byte as it was (its
    POT-Creation-Date too, when only its layout changes). SOURCE_DATE_EPOCH, if set, is
    the POT-Creation-Date of a changed template.

    \b
    Examples:
      smpc extract examples/portfolio
      smpc extract examples/portfolio --check    # in CI: exit 1 if a template is stale
    """
    now = clock_now()
    written = unchanged = 0
    lagging: list[Path] = []
    for portfolio, product in _load_products(paths):
        template = portfolio.template_path(product.id)
        done = extract(product, template, portfolio.root, now,
                       layout=_layout(width, no_wrap), dry_run=check)
        path = console.styled_path(shown(done.path))
        if check and done.written:
            console.result(f"{path}: out of date: not what {shown(Path(product.path))} gives"
                           " now")
            lagging.append(portfolio.root)
        else:
            state = "written" if done.written else "unchanged"
            console.detail(f"{path}: {done.messages} messages ({state})")
        written += done.written
        unchanged += not done.written
    verb = "out of date" if check else "written"
    _summary(f"{console.plural(written + unchanged, 'template')}: {written} {verb},"
             f" {unchanged} unchanged", lagging, "smpc extract {root}")


@click.command("init")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--locale", "-l", "locales", multiple=True, required=True, metavar="LOCALE",
              shell_complete=complete_locales,
              help="The language to start (de); repeat for more.")
@_option_layout
def init_command(paths: Sequence[Path], locales: Sequence[str], *, width: int,
                 no_wrap: bool) -> None:
    """Start the catalogs of a language from the templates (run extract first).

    Creates locales/<locale>/LC_MESSAGES/<id>.po for each product; a catalog that exists
    is left as it is (smpc update merges into it). A message whose English another
    catalog of the language has translated is filled from that translation memory (see
    smpc update).

    \b
    Example:
      smpc init examples/portfolio --locale de
    """
    now = clock_now()
    created = existing = 0
    memories: dict[tuple[Path, str], TranslationMemory] = {}
    for portfolio, product in _load_products(paths):
        for locale in _chosen_locales(portfolio, locales):
            memory = memories.get((portfolio.root, locale))
            if memory is None:
                memory = memories[portfolio.root, locale] = portfolio_memory(portfolio, locale)
            done = init_catalog(portfolio, product, locale, now, memory=memory,
                                layout=_layout(width, no_wrap))
            path = console.styled_path(shown(done.path))
            if done.created:
                console.detail(f"{path}: created, {_created(done)}")
                created += 1
            else:
                console.detail(f"{path}: exists, left as it is (use smpc update)")
                existing += 1
    hint = " (use smpc update)" if existing else ""
    console.summary(f"{console.plural(created + existing, 'catalog')}: {created} created,"
                    f" {existing} left as they were{hint}")


def _created(done: Updated) -> str:
    """``19 messages to translate`` (``, 3 from memory``) of a catalog just created."""
    filled = f", {done.counts.memory} from memory" if done.counts.memory else ""
    return f"{done.counts.added} messages to translate{filled}"


@click.command("update")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@option_locales
@click.option("--compendium", "-C", "compendia", multiple=True, metavar="FILE.po",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Also take translations from this catalog, as msgmerge -C does (its"
                   " Language header says which catalogs it serves); repeat for more.")
@_option_layout
@_option_check("catalogs")
def update_command(paths: Sequence[Path], locales: Sequence[str], *,
                   compendia: Sequence[Path], width: int, no_wrap: bool, check: bool) -> None:
    """Merge the templates into the catalogs, keeping every translation.

    Run smpc extract first. A message finds its translation by its field (msgctxt)
    and its English, never by its position, so a paragraph inserted, removed or moved
    leaves the others translated. Where the English changed, update offers the old
    translation as a fuzzy entry with the previous English (#| msgid), taken only
    from a sentence of the same field that is as similar as msgmerge requires and no
    longer there: never another field's. An entry whose msgctxt another tool dropped
    (an XLIFF round trip) is recovered by its English, fuzzy. Removed messages become
    obsolete (#~); a message that returns is revived.

    A new or untranslated message takes the translation of the same English in the
    same field approved in another catalog of the language, or in a --compendium: a
    translation memory. The fill is fuzzy and marked '#. Translation memory: SOURCE'
    until a translator confirms it; memory-exact = "translated" under [translation]
    in smpc.toml fills exact matches as translated instead.

    Catalogs with the positional contexts of earlier releases (composition/2) are
    converted on the first update, with no translation lost or made fuzzy.
    Unchanged input leaves the files byte for byte as they were; -v says why each
    file was written.

    \b
    Examples:
      smpc extract examples/portfolio && smpc update examples/portfolio -l de
      smpc update examples/portfolio -C glossary-de.po
      smpc update examples/portfolio --check    # in CI: exit 1 if a catalog lags
    """
    now = clock_now()
    layout = _layout(width, no_wrap)
    extra = [(path.name, read_catalog(path)) for path in compendia]
    total = _Merged()
    lagging: list[Path] = []
    memories: dict[tuple[Path, str], TranslationMemory] = {}
    for portfolio, product in _load_products(paths):
        chosen = _chosen_locales(portfolio, locales)
        template = portfolio.template_path(product.id)
        if template.is_file() and not is_current(product, template):
            message = (f"{console.styled_path(shown(template))}:"
                       f" {console.marker(Severity.WARNING)}: older than"
                       f" {shown(Path(product.path))}; run smpc extract"
                       f" {shown(portfolio.root)} first to merge its changes")
            if check:
                console.result(message)
                lagging.append(portfolio.root)
            else:
                console.warning(message)
        if not chosen:
            raise UsageError(f"{shown(portfolio.locales_dir)}: no catalogs yet (start one with"
                             f" smpc init {shown(portfolio.root)} --locale LOCALE)")
        known = set(portfolio.catalog_locales())
        # Why a catalog is written is said with --check and -v only.
        explain = check or console.verbosity() is console.Verbosity.VERBOSE
        for locale in chosen:
            if locale not in known:
                raise UsageError(f"no catalogs for '{locale}' yet (start them with smpc init"
                                 f" {shown(portfolio.root)} --locale {locale})")
            memory = memories.get((portfolio.root, locale))
            if memory is None:
                memory = memories[portfolio.root, locale] = portfolio_memory(
                    portfolio, locale, _serving(extra, compendia, locale))
            done = update_catalog(portfolio, product, locale, now, memory=memory,
                                  layout=layout, dry_run=check, explain=explain)
            total.add(done)
            _said(done, check)
            if check and (done.created or done.written):
                lagging.append(portfolio.root)
    _summary(total.summary("out of date" if check else "written"), lagging,
             "smpc extract {root} && smpc update {root}")


def _serving(compendia: Sequence[tuple[str, PoCatalog]], paths: Sequence[Path],
             locale: str) -> list[tuple[str, PoCatalog]]:
    """The compendia whose Language is ``locale`` or its language; one that names no
    language is a usage error."""
    serving = []
    for (name, compendium), path in zip(compendia, paths, strict=True):
        if not (compendium.header("Language") or "").strip():
            raise UsageError(f"{shown(path)}: a compendium names its language in its header"
                             " ('Language: de'), so that it serves only that language's"
                             " catalogs")
        if serves(compendium, locale):
            serving.append((name, compendium))
    return serving


def _said(done: Updated, check: bool) -> None:
    """The line about one catalog: on standard output where --check finds it out of date,
    else with -v only."""
    path = console.styled_path(shown(done.path))
    if done.created:
        line = f"{path}: {'missing' if check else 'created'}, {_created(done)}"
    elif done.written:
        line = f"{path}: {'out of date' if check else 'written'}: {_why(done)}"
    else:
        line = f"{path}: unchanged"
    if check and (done.created or done.written):
        console.result(line)
    else:
        console.detail(line)


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
