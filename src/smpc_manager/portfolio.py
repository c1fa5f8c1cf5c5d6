"""A portfolio: the user's repository of products, catalogs and ``smpc.toml``.

The root is found by walking up from a product file to ``smpc.toml``, as git finds ``.git``.
A folder holding ``products/`` but no ``smpc.toml`` is a portfolio with the default settings.

Every input a portfolio hands out is looked at first (:mod:`smpc_manager.boundary`): what
resolves outside the portfolio is refused unless ``smpc.toml`` allows its folder
(``[inputs] allow``), and a link to nothing, a device, a pipe or a socket is an error naming
it, never passed over as if nothing were there.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from smpc_manager.boundary import Boundary, RefusedInput
from smpc_manager.errors import Problem, ProblemsError, Severity, SourceLocation, UsageError
from smpc_manager.files import NotAFileError, TooLargeError, dangling_link, read_bytes
from smpc_manager.locales import cldr_name, locale_chain, normalize_locale
from smpc_manager.resources import shipped_markets

CONFIG_FILE = "smpc.toml"
PRODUCTS_DIR = "products"
LOCALES_DIR = "locales"
TEMPLATES_DIR = "templates"

#: A settings file is a few lines; anything this large is refused unread.
MAX_CONFIG_BYTES = 256 * 1024
_TOML_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)")
#: A locale's name: language, then script or territory parts, then a GNU modifier
#: (``sr@latin``); nothing that could name a path.
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*(?:@[A-Za-z0-9]{1,12})?$")
_MARKET = re.compile(r"^[A-Za-z]{2}$")
_PRODUCT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_TOP_KEYS = {"source-locale", "markets", "policy", "profiles", "inputs", "translation",
             "atc-alterations"}
_POLICY_KEYS = {"warn-days", "max-prescribing-information-age-months", "atc-code-changed"}
#: How ``smpc check`` reports an ATC code the WHO has changed (``policy.atc-code-changed``).
SEVERITIES = ("warning", "error")
#: Policy keys no longer read (in smpc.toml or a market profile), each with why and what to
#: write instead.
RETIRED_POLICY_KEYS = {
    "max-revision-age-months": "the SmPC's revision date has no age limit; the ABPI Code's"
    " re-certification every two years is checked on the date of the prescribing"
    " information: write max-prescribing-information-age-months instead (GB's profile sets"
    " 24)",
}
_INPUTS_KEYS = {"allow"}
_TRANSLATION_KEYS = {"memory-exact", "untranslatable"}
_MEMORY_EXACT = ("fuzzy", "translated")


@dataclass(frozen=True, slots=True)
class Policy:
    """What ``smpc check`` holds a product to: how early it warns, how old the prescribing
    information may be in the markets whose profile limits its age, and whether an ATC code
    the WHO has changed is an error."""

    warn_days: int = 90
    max_prescribing_information_age_months: int | None = None
    #: The keys smpc.toml sets itself (they override a market profile's defaults).
    given: frozenset[str] = frozenset()
    #: ``warning`` (the default) or ``error``: an atc-code the ATC index has changed.
    atc_code_changed: str = "warning"


@dataclass(frozen=True, slots=True)
class TranslationSettings:
    """How catalogs are filled and checked (``[translation]`` in ``smpc.toml``)."""

    #: What ``smpc update`` makes of a message filled from the translation memory with the
    #: same English: ``fuzzy`` (the default: a translator confirms it) or ``translated``.
    memory_exact: str = "fuzzy"
    #: Names, codes and terms that stay in the source language inside a translation, so
    #: the check for untranslated sentences does not count them.
    untranslatable: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Portfolio:
    """A portfolio root and its settings from ``smpc.toml`` (defaults where absent)."""

    root: Path
    source_locale: str = "en"
    #: The markets ``smpc build`` renders; empty means every shipped market.
    markets: tuple[str, ...] = ()
    policy: Policy = field(default_factory=Policy)
    #: Market profiles the portfolio defines itself: market code -> profile table or file.
    profiles: Mapping[str, Any] = field(default_factory=dict)
    #: Folders outside the root that inputs may come from (``[inputs] allow``), each as
    #: ``smpc.toml`` names it, relative to the root.
    allowed: tuple[str, ...] = ()
    translation: TranslationSettings = field(default_factory=TranslationSettings)
    #: The ATC alterations ``smpc.toml`` adds to the shipped ones (``[[atc-alterations]]``),
    #: as written there: :mod:`smpc_manager.rules` reads and checks them.
    atc_alterations: Any = ()

    @property
    def products_dir(self) -> Path:
        return self.root / PRODUCTS_DIR

    @property
    def locales_dir(self) -> Path:
        return self.root / LOCALES_DIR

    def boundary(self) -> Boundary:
        """A new :class:`~smpc_manager.boundary.Boundary` of this portfolio's inputs, which
        has learnt nothing yet."""
        return Boundary(self.root, self.allowed)

    def known_markets(self) -> tuple[str, ...]:
        """The markets a profile serves: the shipped ones and the portfolio's own, sorted."""
        return tuple(sorted(set(shipped_markets()) | {m.upper() for m in self.profiles}))

    def product_files(self) -> list[Path]:
        """Every ``products/*.xml``, sorted by name: regular files and links to them.

        Raises :class:`ProblemsError` listing every entry that cannot be read as a product
        file (see :meth:`product_listing`), so that no command passes over one that another
        reports; a portfolio without ``products/`` has none.
        """
        listing = self.product_listing()
        if listing.problems:
            raise ProblemsError(listing.problems)
        return listing.files

    def product_listing(self) -> Listing:
        """The product files of ``products/`` (:meth:`product_files`), and a problem for each
        entry named ``*.xml`` that is not one: a link to nothing, a device, pipe or socket, a
        file that resolves outside the portfolio; and for ``products/`` itself when it is a
        link to nothing, a file, or outside. A folder named ``*.xml`` is no product file."""
        return list_products(self.products_dir, self.boundary())

    def template_path(self, product_id: str) -> Path:
        """``locales/templates/<id>.pot``; refused as :meth:`catalog_path` refuses."""
        path = self.locales_dir / "templates" / f"{_checked_id(product_id)}.pot"
        self.boundary().file(os.fspath(path))
        return path

    def catalog_path(self, locale: str, product_id: str) -> Path:
        """Where a product's catalog for a locale lies; a locale that could name a path
        (``../../x``) is a :class:`UsageError` before any path is built, and a catalog that
        is a link to nothing, a device, pipe or socket, or lies outside the portfolio (the
        file or its folder) is a :class:`~smpc_manager.boundary.RefusedInput`."""
        path = self.catalog_folder(locale) / catalog_name(product_id)
        self.boundary().file(os.fspath(path))
        return path

    def catalog_folder(self, locale: str) -> Path:
        """``locales/<locale>/LC_MESSAGES``, its locale checked as :meth:`catalog_path`
        checks it."""
        return _catalog_folder(self.root, locale)

    def catalog_file(self, product_id: str, locale: str,
                     boundary: Boundary | None = None) -> str | None:
        """The catalog a product is rendered from in ``locale``: the first of the locale's
        chain (``de_AT``, then ``de``) that is a regular file, through a symlink the file it
        leads to; None when there is none. The one rule for this: rendering, a build's plan
        and ``smpc stats`` all ask here.

        A folder of the catalog's name is passed over; a link to nothing, a device, pipe or
        socket, or a catalog outside the portfolio is a
        :class:`~smpc_manager.boundary.RefusedInput`, never passed over for the next locale
        of the chain. ``boundary`` is what a caller that asks for
        many products keeps of the folders it has seen (:meth:`boundary`); a folder made
        later is seen by whoever starts with a new one.
        """
        if boundary is None:
            boundary = self.boundary()
        name = catalog_name(product_id)
        for candidate in locale_chain(locale):
            folder = os.fspath(self.catalog_folder(candidate))
            if folder in boundary.missing:
                continue
            path = os.path.join(folder, name)
            info = boundary.file(path)
            if info is not None and stat.S_ISREG(info.st_mode):
                return path
        return None

    def catalog_locales(self) -> list[str]:
        """The locales that have catalogs: :meth:`locale_folders`, its notes left out."""
        return self.locale_folders().locales

    def locale_folders(self) -> LocaleFolders:
        """The locales with a ``LC_MESSAGES`` folder under ``locales/`` (``templates`` is
        not one), sorted; and a note for each folder there that is not named as a locale
        CLDR knows (``tlh``, ``old-2019``, ``de-AT``), which no command reads.

        A link to nothing among them, or ``locales/`` itself as one, is a
        :class:`ProblemsError` naming it.
        """
        folder = os.fspath(self.locales_dir)
        info = self.boundary().file(folder)
        if info is None or not stat.S_ISDIR(info.st_mode):
            return LocaleFolders([], [])
        locales: list[str] = []
        notes: list[Problem] = []
        problems: list[Problem] = []
        with os.scandir(folder) as entries:
            names = sorted(entry.name for entry in entries)
        for name in names:
            path = os.path.join(folder, name)
            if name == TEMPLATES_DIR or name.startswith(".") or not os.path.isdir(path):
                reason = dangling_link(path)
                if reason is not None:
                    problems.append(Problem(SourceLocation(path), reason))
                continue
            if not is_locale_folder(name):
                notes.append(Problem(
                    SourceLocation(path),
                    f"skipped: '{name}' is not a locale (a folder of catalogs is named as a"
                    " locale CLDR knows, such as de or de_AT)", Severity.WARNING))
                continue
            catalogs = os.path.join(path, "LC_MESSAGES")
            if os.path.isdir(catalogs):
                locales.append(name)
            elif (reason := dangling_link(catalogs)) is not None:
                problems.append(Problem(SourceLocation(catalogs), reason))
        if problems:
            raise ProblemsError(problems)
        return LocaleFolders(locales, notes)


@dataclass(frozen=True, slots=True)
class Listing:
    """The product files of a folder, sorted by name, and the problems of the entries that
    cannot be read as one."""

    files: list[Path]
    problems: list[Problem]


@dataclass(frozen=True, slots=True)
class LocaleFolders:
    """The locales that have catalogs, and a warning for each folder skipped as no locale."""

    locales: list[str]
    notes: list[Problem]


def is_locale_folder(name: str) -> bool:
    """Whether a folder under ``locales/`` is named as a locale is named there: as
    :func:`~smpc_manager.locales.normalize_locale` writes it, and known to CLDR (what
    rendering and merging ask Babel for)."""
    if not _LOCALE.match(name) or normalize_locale(name) != name:
        return False
    try:
        Locale.parse(cldr_name(name))
    except (ValueError, UnknownLocaleError):
        return False
    return True


def list_products(folder: Path, boundary: Boundary) -> Listing:
    """The ``*.xml`` files of ``folder`` (see :meth:`Portfolio.product_listing`).

    The listing tells a plain file without a stat of each, and the folder's place is looked
    at once: only a link among the entries costs a look of its own. The names are sorted as
    text, which orders the files of one folder as their paths would; an entry is named as
    glob("*.xml") would find it, case aside where the system ignores case.
    """
    where = os.fspath(folder)
    try:
        info = boundary.file(where)
    except RefusedInput as err:
        return Listing([], list(err.problems))
    if info is None:
        return Listing([], [])
    if not stat.S_ISDIR(info.st_mode):
        return Listing([], [Problem(SourceLocation(where),
                                    "is a file, not a folder of product files")])
    names: list[str] = []
    problems: list[Problem] = []
    with os.scandir(folder) as found:
        for entry in found:
            if not os.path.normcase(entry.name).endswith(".xml"):
                continue
            if entry.is_file(follow_symlinks=False):
                names.append(entry.name)
            elif not entry.is_dir():  # a link, a device, a pipe or a socket
                try:
                    linked = boundary.file(entry.path)
                except RefusedInput as err:
                    problems.extend(err.problems)
                    continue
                if linked is not None and stat.S_ISREG(linked.st_mode):
                    names.append(entry.name)
    problems.sort(key=lambda p: p.location.path)
    return Listing([folder / name for name in sorted(names)], problems)


def catalog_name(product_id: str) -> str:
    """A product's catalog file name, ``<id>.po``; an id that could name a path is a
    :class:`UsageError`."""
    return f"{_checked_id(product_id)}.po"


@lru_cache(maxsize=256)
def _catalog_folder(root: Path, locale: str) -> Path:
    # Checked and made once per locale and root: every product asks for the same few.
    if not _LOCALE.match(locale) or locale == TEMPLATES_DIR:
        raise UsageError(f"'{locale}' is not a locale (expected e.g. de, de_AT, en)")
    return root / LOCALES_DIR / locale / "LC_MESSAGES"


def _checked_id(product_id: str) -> str:
    if not _PRODUCT_ID.match(product_id):
        raise UsageError(f"'{product_id}' is not a product id (lower-case letters, digits and"
                         " hyphens)")
    return product_id


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``smpc.toml``.

    A folder with a ``products/`` subfolder counts too, so a product file of a portfolio
    without settings still finds its catalogs. A product file is looked for from the folder
    it is named in: a link to a file elsewhere belongs to the portfolio it is in (and is
    read only if it leads to a place that portfolio allows).
    """
    folder = start.resolve() if start.is_dir() else start.parent.resolve()
    for candidate in (folder, *folder.parents):
        # A settings file that is a link to nothing is found, and refused when it is read.
        if os.path.lexists(candidate / CONFIG_FILE):
            return candidate
    for candidate in (folder, *folder.parents):
        if (candidate / PRODUCTS_DIR).is_dir():
            return candidate
    return None


def load_portfolio(root: str | os.PathLike[str]) -> Portfolio:
    """Read ``root/smpc.toml`` (if any); raise :class:`ProblemsError` for a bad one."""
    root = Path(root)
    config = root / CONFIG_FILE
    if not os.path.lexists(config):
        return Portfolio(root=root)
    where = SourceLocation(str(config))
    text, data = _read_config(config, where)
    problems: list[Problem] = []
    lines = text.splitlines()

    def problem(message: str, key: str = "") -> None:
        problems.append(Problem(SourceLocation(where.path, _key_line(lines, key)), message))

    for key in sorted(set(data) - _TOP_KEYS):
        problem(f"unknown setting '{key}' (known: {', '.join(sorted(_TOP_KEYS))})", key)
    source = data.get("source-locale", "en")
    if not isinstance(source, str) or not _LOCALE.match(source):
        problem(f"source-locale must be a locale such as 'en', found {source!r}", "source-locale")
        source = "en"
    markets = data.get("markets", [])
    if not isinstance(markets, list) or not all(isinstance(m, str) for m in markets):
        problem(f"markets must be a list of market codes such as [\"AT\", \"DE\"], found"
                f" {markets!r}", "markets")
        markets = []
    policy = _policy(data.get("policy", {}), problem)
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        problem("[profiles] must be a table of market codes", "profiles")
        profiles = {}
    known = set(shipped_markets()) | {m.upper() for m in profiles}
    for market in markets:
        where_market = SourceLocation(where.path, _value_line(lines, "markets", market))
        if not _MARKET.match(market):
            problems.append(Problem(where_market, f"markets: {market!r} is not a market code"
                                    " (two letters such as AT)"))
        elif market.upper() not in known:
            problems.append(Problem(where_market, f"markets: no profile for market {market!r}"
                                    f" (known: {', '.join(sorted(known))}; a market of the"
                                    " portfolio's own needs a profile under [profiles])"))
    allowed = _allowed_folders(data.get("inputs", {}), problem)
    translation = _translation_settings(data.get("translation", {}), problem)
    if problems:
        raise ProblemsError(sorted(problems, key=lambda p: p.location.line))
    return Portfolio(
        root=root,
        source_locale=source,
        markets=tuple(m.upper() for m in markets),
        policy=policy,
        profiles=profiles,
        allowed=allowed,
        translation=translation,
        atc_alterations=data.get("atc-alterations", ()),
    )


def _allowed_folders(inputs: Any, problem: Callable[[str, str], None]) -> tuple[str, ...]:
    """The folders outside the root that ``[inputs] allow`` lets inputs come from."""
    if not isinstance(inputs, dict):
        problem("[inputs] must be a table", "inputs")
        return ()
    for key in sorted(set(inputs) - _INPUTS_KEYS):
        problem(f"unknown setting 'inputs.{key}' (known: {', '.join(sorted(_INPUTS_KEYS))})",
                key)
    allow = inputs.get("allow", [])
    if not isinstance(allow, list) or not all(isinstance(a, str) and a.strip() and "\0" not in a
                                              for a in allow):
        problem("inputs.allow must be a list of folders, relative to the portfolio (such as"
                f" [\"../shared-catalogs\"]), found {allow!r}", "allow")
        return ()
    return tuple(allow)


def _policy(table: Any, problem: Callable[[str, str], None]) -> Policy:
    """The ``[policy]`` table: how early ``smpc check`` warns, how old the prescribing
    information may be, how an ATC code the WHO has changed is reported."""
    if not isinstance(table, dict):
        problem("[policy] must be a table", "policy")
        return Policy()
    for key in sorted(set(table) - _POLICY_KEYS):
        if key in RETIRED_POLICY_KEYS:
            problem(f"policy.{key} is no longer read: {RETIRED_POLICY_KEYS[key]}", key)
            continue
        problem(f"unknown setting 'policy.{key}' (known: {', '.join(sorted(_POLICY_KEYS))})",
                key)
    warn = table.get("warn-days", 90)
    age = table.get("max-prescribing-information-age-months")
    if not isinstance(warn, int) or isinstance(warn, bool) or not 0 <= warn <= 3660:
        problem(f"policy.warn-days must be a whole number of days from 0 to 3660, found"
                f" {warn!r}", "warn-days")
        warn = 90
    if age is not None and (not isinstance(age, int) or isinstance(age, bool)
                            or not 1 <= age <= 1200):
        problem("policy.max-prescribing-information-age-months must be a whole number from 1"
                f" to 1200, found {age!r}", "max-prescribing-information-age-months")
        age = None
    atc = table.get("atc-code-changed", "warning")
    if atc not in SEVERITIES:
        problem(f"policy.atc-code-changed must be one of {', '.join(SEVERITIES)}, found"
                f" {atc!r}", "atc-code-changed")
        atc = "warning"
    return Policy(warn, age, frozenset(table) & _POLICY_KEYS, atc)


def _translation_settings(
    table: Any, problem: Callable[[str, str], None]
) -> TranslationSettings:
    """The ``[translation]`` table: the translation memory's exact matches, and the terms
    that stay untranslated."""
    if not isinstance(table, dict):
        problem("[translation] must be a table", "translation")
        return TranslationSettings()
    for key in sorted(set(table) - _TRANSLATION_KEYS):
        problem(f"unknown setting 'translation.{key}' (known:"
                f" {', '.join(sorted(_TRANSLATION_KEYS))})", key)
    exact = table.get("memory-exact", "fuzzy")
    if exact not in _MEMORY_EXACT:
        problem(f"translation.memory-exact must be one of {', '.join(_MEMORY_EXACT)}, found"
                f" {exact!r}", "memory-exact")
        exact = "fuzzy"
    terms = table.get("untranslatable", [])
    if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
        problem("translation.untranslatable must be a list of terms (such as [\"Pfizer\"]),"
                f" found {terms!r}", "untranslatable")
        terms = []
    return TranslationSettings(exact, tuple(t.strip() for t in terms))


def _read_config(config: Path, where: SourceLocation) -> tuple[str, dict[str, Any]]:
    try:
        text = read_bytes(config, limit=MAX_CONFIG_BYTES).decode("utf-8")
        return text, tomllib.loads(text)
    except UnicodeDecodeError as err:
        raise ProblemsError([Problem(where, f"is not valid UTF-8 (byte {err.start})")]
                            ) from None
    except TooLargeError as err:
        size = "over the limit" if err.size is None else f"{err.size:,} bytes"
        raise ProblemsError([Problem(where, f"is {size}; a settings file is a few lines"
                                            f" (limit {MAX_CONFIG_BYTES:,} bytes)")]) from None
    except IsADirectoryError:
        raise ProblemsError([Problem(where, "is a folder, not a settings file")]) from None
    except NotAFileError:
        raise ProblemsError([Problem(where, "is not a regular file (a device, pipe or socket);"
                                            " refused unread")]) from None
    except FileNotFoundError:
        raise ProblemsError([Problem(where, dangling_link(config) or "no such file")]
                            ) from None
    except OSError as err:
        raise ProblemsError([Problem(where, f"cannot be read: {err.strerror or err}")]
                            ) from None
    except tomllib.TOMLDecodeError as err:
        end = len(text.splitlines()) if "end of document" in str(err) else 0
        raise ProblemsError([Problem(_toml_location(where, err, end), _toml_message(err))]
                            ) from None


def _toml_location(
    where: SourceLocation, err: tomllib.TOMLDecodeError, end: int = 0
) -> SourceLocation:
    # Python 3.11's tomllib puts the position only in the message: "... (at line 2, column 5)".
    line = getattr(err, "lineno", 0) or 0
    column = getattr(err, "colno", 0) or 0
    found = _TOML_AT.search(str(err))
    if not line and found and found.group(1):
        line, column = int(found.group(1)), int(found.group(2))
    return SourceLocation(where.path, line or end, column)


def _toml_message(err: tomllib.TOMLDecodeError) -> str:
    words = _TOML_AT.sub("", getattr(err, "msg", "") or str(err)).strip()
    return f"is not valid TOML: {words[:1].lower()}{words[1:]}"


def _value_line(lines: list[str], key: str, value: str) -> int:
    """The line where ``value`` is written in the list ``key`` is set to (it may span
    lines), else the line of the key."""
    start = _key_line(lines, key)
    quoted = (f'"{value}"', f"'{value}'")
    return next((n for n, line in enumerate(lines[start - 1:], start)
                 if any(q in line for q in quoted)), start) if start else 0


def _key_line(lines: list[str], key: str) -> int:
    """The line where a key or table is set in a TOML text, 0 if it cannot be found."""
    if not key:
        return 0
    pattern = re.compile(rf"^\s*(?:\[\s*{re.escape(key)}\s*\]|\"?{re.escape(key)}\"?\s*=)")
    return next((n for n, line in enumerate(lines, 1) if pattern.match(line)), 0)


def portfolio_for(path: Path) -> Portfolio:
    """The portfolio a product file or folder belongs to (defaults if none is found)."""
    root = find_root(path)
    if root is None:
        folder = path if path.is_dir() else path.parent
        return Portfolio(root=folder.resolve())
    return load_portfolio(root)


@dataclass(frozen=True, slots=True)
class Target:
    """A product file and the portfolio it belongs to."""

    path: Path
    portfolio: Portfolio


def expand(paths: Iterable[str | Path]) -> list[Target]:
    """Product files named on the command line, folders expanded to their products.

    A folder is a portfolio (its ``products/*.xml``) or a folder of product files. A path
    that does not exist is a :class:`UsageError`, so a typo is not mistaken for a pass. What
    cannot be read as a product file (a link to nothing, a device, pipe or socket, a file
    that resolves outside its portfolio; see :meth:`Portfolio.product_listing`) is a
    :class:`ProblemsError` listing every one found, before any is read: every command
    refuses what ``smpc build`` refuses.
    """
    targets: list[Target] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if not os.path.lexists(path):
            raise UsageError(f"{path}: no such file or folder")
        if path.is_dir():
            is_root = (os.path.lexists(path / CONFIG_FILE)
                       or os.path.lexists(path / PRODUCTS_DIR))
            portfolio = load_portfolio(path.resolve()) if is_root else portfolio_for(path)
            listing = list_products(path / PRODUCTS_DIR if is_root else path,
                                    portfolio.boundary())
            if not listing.files and not listing.problems:
                raise UsageError(f"{path}: no product files (expected {PRODUCTS_DIR}/*.xml)")
            problems.extend(listing.problems)
            targets.extend(Target(f, portfolio) for f in listing.files)
            continue
        portfolio = portfolio_for(path)
        try:
            portfolio.boundary().file(os.fspath(path))
        except RefusedInput as err:
            problems.extend(err.problems)
            continue
        targets.append(Target(path, portfolio))
    if problems:
        raise ProblemsError(problems)
    return targets
