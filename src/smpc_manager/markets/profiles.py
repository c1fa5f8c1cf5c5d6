"""Market profiles: what a market's text block holds, in what order, under which labels.

A profile is data (``data/<market>.toml`` beside this module, or a portfolio's own in
``smpc.toml`` under ``[profiles.<M>]`` or in a file it names there), never an if-chain:

* ``locale`` — the language the block is printed in (``de_AT``);
* ``title`` — the document's name (``Fachkurzinformation``), a ``smpc``-domain message;
* ``[[element]]`` — the elements in print order. Each prints a product ``field`` or a fixed
  legal ``phrase``, with an optional ``label``; ``field = "additional-monitoring"`` takes a
  ``phrase`` too, the ▼ statement, printed only on the days the product is under additional
  monitoring in the market (nothing is printed otherwise); ``run-in = true`` continues the previous
  paragraph instead of starting a new one; ``end`` is what closes it (``.`` unless the text
  already ends a sentence); ``optional = true`` skips it when the product has no data;
  ``when`` names a condition (``single-active-not-in-name``, the German ``Wirkstoff:``);
  ``print = "code"`` prints the prescription code itself instead of its wording;
* ``[prescription]`` — the fixed wording for each prescription code of the market;
* ``[month-names]`` — month names pinned per locale, so a CLDR update cannot change a text
  that has been approved (Austrian German prints January as ``Jänner``);
* ``[policy]`` — date policy defaults for ``smpc check`` (``warn-days``,
  ``max-prescribing-information-age-months``: how old the date the prescribing information
  was drawn up or last revised may be, where the market's code limits it).

Labels, titles, phrases and wordings are English ``msgid``s of the ``smpc`` gettext domain;
the German comes from ``locales/de/LC_MESSAGES/smpc.po``, and a missing or fuzzy one is
refused at render time like any other untranslated message.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel import Locale, UnknownLocaleError

from smpc_manager.boundary import RefusedInput
from smpc_manager.errors import Problem, ProblemsError, SourceLocation, UsageError
from smpc_manager.files import NotAFileError, TooLargeError, read_bytes
from smpc_manager.portfolio import MAX_CONFIG_BYTES, RETIRED_POLICY_KEYS
from smpc_manager.resources import PROFILE_DIR, shipped_markets

if TYPE_CHECKING:
    from smpc_manager.model import Product
    from smpc_manager.portfolio import Portfolio

#: The product fields an element can print (the product XML's element names).
FIELDS = (
    "additional-monitoring",
    "name",
    "active-substance",
    "composition",
    "excipients",
    "indications",
    "posology",
    "contraindications",
    "warnings",
    "undesirable-effects",
    "pharmacotherapeutic-group",
    "atc-code",
    "marketing-authorisation-holder",
    "marketing-authorisation",
    "prescription-status",
    "cost",
    "revision-date",
)
#: Fields printed as the element's ``phrase`` on the days the product's data says so, and
#: not at all on the others: none of them is required.
DATED_FIELDS = ("additional-monitoring",)
#: Conditions an element may be printed under.
CONDITIONS = ("single-active-not-in-name",)
#: How a list of items (the excipients) is joined: plain commas, as the seed does, or
#: CLDR's list patterns for the locale (``A, B und C``).
LIST_STYLES = ("comma", "standard", "or")
PRINT_MODES = ("wording", "code")

_TOP_KEYS = {"market", "locale", "title", "list-style", "revision-date-format",
             "cost-format", "month-names", "policy", "prescription", "element"}
_REQUIRED_TOP = ("locale", "title", "element")
_ELEMENT_KEYS = {"field", "phrase", "label", "run-in", "end", "optional", "when", "print"}
_POLICY_KEYS = {"warn-days", "max-prescribing-information-age-months"}


@dataclass(frozen=True, slots=True)
class Message:
    """A ``smpc``-domain message: its English ``msgid`` and where a profile defines it."""

    msgid: str
    location: SourceLocation
    #: For the translator: what the message is (``AT label of contraindications``).
    note: str = ""


@dataclass(frozen=True, slots=True)
class Element:
    """One element of a profile: a product field or a fixed phrase, in print order."""

    location: SourceLocation
    field: str | None = None
    phrase: Message | None = None
    label: Message | None = None
    run_in: bool = False
    end: str = "."
    optional: bool = False
    when: str | None = None
    print: str = "wording"

    @property
    def name(self) -> str:
        """The field name, or ``phrase`` for a fixed phrase."""
        return self.field or "phrase"


@dataclass(frozen=True, slots=True)
class ProfilePolicy:
    """Date policy defaults for ``smpc check`` (the portfolio's ``smpc.toml`` may override)."""

    warn_days: int = 90
    #: The most months the prescribing information's date may be old; None: no limit, and
    #: no such date asked for.
    max_prescribing_information_age_months: int | None = None


@dataclass(frozen=True, slots=True)
class MarketProfile:
    """What one market's text block holds, in order, and how it is worded. See the module."""

    market: str
    locale: str
    title: Message
    elements: tuple[Element, ...]
    prescription: Mapping[str, Message]
    list_style: str = "comma"
    revision_date_format: str = "MMMM y"
    cost_format: Message | None = None
    month_names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    policy: ProfilePolicy = field(default_factory=ProfilePolicy)
    #: Where the profile came from, and the sha256 of that file's bytes.
    source: SourceLocation = field(default_factory=lambda: SourceLocation(""))
    sha256: str = ""

    def required_fields(self) -> tuple[str, ...]:
        """The product fields this market cannot print without, in print order."""
        return tuple(
            e.field for e in self.elements if e.field is not None and not e.optional
            and e.when is None and e.field not in DATED_FIELDS
        )

    def messages(self) -> Iterator[Message]:
        """Every ``smpc``-domain message the profile uses, in file order."""
        found = [self.title]
        for element in self.elements:
            found.extend(m for m in (element.label, element.phrase) if m is not None)
        found.extend(self.prescription.values())
        if self.cost_format is not None:
            found.append(self.cost_format)
        return iter(sorted(found, key=lambda m: m.location.line))


# ------------------------------------------------------------------------ finding profiles


def known_markets(portfolio: Portfolio | None = None) -> tuple[str, ...]:
    """The shipped markets and those a portfolio defines itself, sorted."""
    return shipped_markets() if portfolio is None else portfolio.known_markets()


def load_profile(market: str, portfolio: Portfolio | None = None) -> MarketProfile:
    """The profile of ``market``: the portfolio's own if it defines one, else the shipped one.

    An unknown market is a :class:`UsageError` listing the known ones; a profile with an
    unknown key or a missing field is a :class:`ProblemsError` naming ``path:line``.
    """
    code = market.strip().upper()
    if portfolio is not None:
        own = {m.upper(): value for m, value in portfolio.profiles.items()}
        if code in own:
            return _portfolio_profile(code, own[code], portfolio)
    if not re.fullmatch(r"[A-Z]{2}", code) or code not in shipped_markets():
        known = ", ".join(known_markets(portfolio))
        raise UsageError(f"unknown market '{market}' (known: {known})")
    return _shipped_profile(code)


def markets_for(product: Product, portfolio: Portfolio) -> tuple[str, ...]:
    """The markets to build ``product`` for: those configured in ``smpc.toml`` (default: all
    known) for which the product has a prescription status and an authorisation."""
    configured = portfolio.markets or known_markets(portfolio)
    return tuple(
        m for m in configured
        if product.prescription_code(m) is not None and product.authorisations_for(m)
    )


@cache
def _shipped_profile(code: str) -> MarketProfile:
    path = PROFILE_DIR / f"{code.lower()}.toml"
    data = path.read_bytes()
    return parse_profile(data, _display_path(path), code)


def _portfolio_profile(code: str, value: Any, portfolio: Portfolio) -> MarketProfile:
    config = portfolio.root / "smpc.toml"
    if isinstance(value, str):  # a file the portfolio names, relative to its root
        path = portfolio.root / value
        try:
            data = _profile_bytes(path, portfolio)
        except _Unfit as err:
            raise ProblemsError([Problem(
                _locate_key(config, "profiles", code),
                f"profile file for market {code} '{value}' {err}",
                field=f"profiles.{code}",
            )]) from None
        return parse_profile(data, str(path), code)
    if isinstance(value, dict):
        text = _settings_bytes(config)
        return _build(value, str(config), text.decode("utf-8", "replace").splitlines(), code,
                      prefix=f"profiles.{code}.", digest=hashlib.sha256(text).hexdigest())
    raise ProblemsError([Problem(
        _locate_key(config, "profiles", code),
        f"profiles.{code} must be a table or the name of a profile file, found {value!r}",
        field=f"profiles.{code}",
    )])


#: A profile is a page of settings; anything this large is refused unread.
MAX_PROFILE_BYTES = 256 * 1024


class _Unfit(Exception):
    """Why a profile file the portfolio names cannot be used, in words."""


def _profile_bytes(path: Path, portfolio: Portfolio) -> bytes:
    """The bytes of a profile file a portfolio names; :class:`_Unfit` when it is missing,
    resolves outside the portfolio, or is not a regular file of at most
    :data:`MAX_PROFILE_BYTES` (looked at before anything is read)."""
    # A device (/dev/zero) or a huge file would never finish reading: no profile, wherever
    # it lies.
    unfit = "cannot be read: not a profile file (a regular file of at most 256 KB)"
    if os.path.exists(path) and not os.path.isfile(path):
        raise _Unfit(unfit)
    try:
        info = portfolio.boundary().file(str(path))
    except RefusedInput as err:
        raise _Unfit(err.reason) from None
    if info is None:
        raise _Unfit(f"cannot be read: {os.strerror(errno.ENOENT)}")
    try:
        return read_bytes(path, limit=MAX_PROFILE_BYTES)
    except (NotAFileError, IsADirectoryError, TooLargeError):
        raise _Unfit(unfit) from None
    except OSError as err:
        raise _Unfit(f"cannot be read: {err.strerror or err}") from None


def _settings_bytes(config: Path) -> bytes:
    """The bytes of ``smpc.toml`` (read and checked before, by the portfolio's loader), for
    the lines of a profile written there; none when it cannot be read now."""
    try:
        return read_bytes(config, limit=MAX_CONFIG_BYTES)
    except OSError:
        return b""


def _display_path(path: Path) -> str:
    """A shipped profile's name among an output's inputs and in messages:
    ``smpc_manager/profiles/at.toml``, wherever the package keeps the file, so that the name
    stays the same in every install and in every manifest already written."""
    try:
        return str(Path("smpc_manager/profiles") / path.resolve().relative_to(PROFILE_DIR))
    except ValueError:
        return str(path)


def _locate_key(config: Path, table: str, key: str) -> SourceLocation:
    lines = _settings_bytes(config).decode("utf-8", "replace").splitlines()
    for number, line in enumerate(lines, 1):
        if re.match(rf"\s*(\[{table}\.{key}\b|{key}\s*=)", line):
            return SourceLocation(str(config), number)
    return SourceLocation(str(config))


# ------------------------------------------------------------------------ parsing


def parse_profile(data: bytes, path: str, market: str) -> MarketProfile:
    """Parse one profile file's bytes; raise :class:`ProblemsError` for anything wrong."""
    where = SourceLocation(path)
    try:
        text = data.decode("utf-8")
        table = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ProblemsError([Problem(where, "is not valid UTF-8")]) from None
    except tomllib.TOMLDecodeError as err:
        # Python 3.11's error carries the place only in its text: "(at line 15, column 10)".
        place = re.search(r"\(at line (\d+), column (\d+)\)$", str(err))
        line, column = (int(place.group(1)), int(place.group(2))) if place else (0, 0)
        what = str(err)[: place.start()].strip() if place else str(err)
        raise ProblemsError([Problem(SourceLocation(path, line, column),
                                     f"is not valid TOML: {_lower(what)}")]) from None
    return _build(table, path, text.splitlines(), market, prefix="",
                  digest=hashlib.sha256(data).hexdigest())


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


class _Lines:
    """Finds the line of a key in a profile's text, for ``path:line`` in problems."""

    def __init__(self, path: str, lines: list[str], prefix: str) -> None:
        self.path = path
        self.lines = lines
        self.prefix = re.escape(prefix)
        header = re.compile(rf"\s*\[\[\s*{self.prefix}element\s*\]\]")
        self.element_lines = [n for n, line in enumerate(lines, 1) if header.match(line)]
        self.base = 1
        if prefix:
            table = re.compile(rf"\s*\[{re.escape(prefix.rstrip('.'))}\]")
            self.base = next((n for n, line in enumerate(lines, 1) if table.match(line)), 1)

    def key(self, key: str, start: int = 0, section: str | None = None) -> SourceLocation:
        """The first line at or after ``start`` (or the ``[section]`` header) holding ``key``."""
        first = start or self.base
        if section is not None:
            header = re.compile(rf"\s*\[{self.prefix}{re.escape(section)}\]")
            first = next((n for n, line in enumerate(self.lines, 1) if header.match(line)),
                         first)
        pattern = re.compile(rf'\s*"?{re.escape(key)}"?\s*=')
        for number in range(first, len(self.lines) + 1):
            if pattern.match(self.lines[number - 1]):
                return SourceLocation(self.path, number)
        return SourceLocation(self.path, first if first > 1 or start else 0)

    def element(self, index: int) -> SourceLocation:
        if index < len(self.element_lines):
            return SourceLocation(self.path, self.element_lines[index])
        return SourceLocation(self.path)


def _build(table: Mapping[str, Any], path: str, lines: list[str], market: str, *,
           prefix: str, digest: str) -> MarketProfile:
    where = _Lines(path, lines, prefix)
    problems: list[Problem] = []

    def problem(location: SourceLocation, message: str, key: str) -> None:
        problems.append(Problem(location, message, field=key))

    for key in sorted(set(table) - _TOP_KEYS):
        problem(where.key(key), f"unknown profile key '{key}' (known: "
                f"{', '.join(sorted(_TOP_KEYS))})", key)
    for key in _REQUIRED_TOP:
        if key not in table:
            problem(SourceLocation(path, where.base if prefix else 0),
                    f"the profile for {market} has no '{key}' (required)", key)

    declared = table.get("market", market)
    if not isinstance(declared, str) or declared.upper() != market:
        problem(where.key("market"), f"market must be '{market}' (the profile's market),"
                f" found {declared!r}", "market")

    def string(key: str, default: str) -> str:
        if key not in table:  # a missing required key is reported once, above
            return default
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            problem(where.key(key), f"{key} must be a non-empty text, found {value!r}", key)
            return default
        return value

    locale = string("locale", "en")
    if "locale" in table:
        _check_locale(locale, where.key("locale"), problems)
    title_text = string("title", "")
    title = Message(title_text, where.key("title"), f"{market} title of the document")
    list_style = string("list-style", "comma")
    if list_style not in LIST_STYLES:
        problem(where.key("list-style"), f"list-style '{list_style}' is not one of "
                f"{', '.join(LIST_STYLES)}", "list-style")
    date_format = string("revision-date-format", "MMMM y")
    cost_format = None
    if "cost-format" in table:
        cost_text = string("cost-format", "%(price)s")
        cost_format = Message(cost_text, where.key("cost-format"),
                              f"{market} cost excluding VAT: %(price)s is the amount,"
                              " %(pack)s the pack")
        for name in re.findall(r"%\((\w+)\)s", cost_text):
            if name not in ("price", "pack"):
                problem(where.key("cost-format"), f"cost-format uses %({name})s; only"
                        " %(price)s and %(pack)s exist", "cost-format")

    prescription = _prescription(table.get("prescription", {}), where, market, problems)
    month_names = _month_names(table.get("month-names", {}), where, problems)
    policy = _policy(table.get("policy", {}), where, problems)
    elements = _elements(table.get("element", []), where, market, problems)

    if problems:
        raise ProblemsError(problems)
    return MarketProfile(
        market=market,
        locale=locale,
        title=title,
        elements=elements,
        prescription=prescription,
        list_style=list_style,
        revision_date_format=date_format,
        cost_format=cost_format,
        month_names=month_names,
        policy=policy,
        source=SourceLocation(path),
        sha256=digest,
    )


def _check_locale(locale: str, where: SourceLocation, problems: list[Problem]) -> None:
    try:
        Locale.parse(locale)
    except (ValueError, UnknownLocaleError):
        problems.append(Problem(where, f"locale '{locale}' is not a locale CLDR knows"
                                " (e.g. de_AT, en_IE)", field="locale"))


def _prescription(value: Any, where: _Lines, market: str,
                  problems: list[Problem]) -> dict[str, Message]:
    if not isinstance(value, dict):
        problems.append(Problem(where.key("prescription"), "[prescription] must be a table"
                                " of code = wording", field="prescription"))
        return {}
    out: dict[str, Message] = {}
    for code, wording in value.items():
        location = where.key(code, section="prescription")
        if not isinstance(wording, str) or not wording.strip():
            problems.append(Problem(location, f"prescription.{code} must be the wording of"
                                    f" the code, found {wording!r}", field="prescription"))
            continue
        out[code] = Message(wording, location, f"{market} wording of prescription code {code}")
    return out


def _month_names(value: Any, where: _Lines,
                 problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        problems.append(Problem(where.key("month-names"), "[month-names] must be a table of"
                                " locale = [12 names]", field="month-names"))
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for locale, names in value.items():
        if (not isinstance(names, list) or len(names) != 12
                or not all(isinstance(n, str) and n for n in names)):
            problems.append(Problem(where.key(locale, section="month-names"),
                                    f"month-names.{locale} must list the 12 month names,"
                                    f" found {names!r}", field="month-names"))
            continue
        out[locale] = tuple(names)
    return out


def _policy(value: Any, where: _Lines, problems: list[Problem]) -> ProfilePolicy:
    if not isinstance(value, dict):
        problems.append(Problem(where.key("policy"), "[policy] must be a table",
                                field="policy"))
        return ProfilePolicy()
    for key in sorted(set(value) - _POLICY_KEYS):
        message = f"policy.{key} is no longer read: {RETIRED_POLICY_KEYS[key]}" \
            if key in RETIRED_POLICY_KEYS \
            else f"unknown policy key '{key}' (known: {', '.join(sorted(_POLICY_KEYS))})"
        problems.append(Problem(where.key(key, section="policy"), message,
                                field=f"policy.{key}"))
    warn = value.get("warn-days", 90)
    age = value.get("max-prescribing-information-age-months")
    if not isinstance(warn, int) or isinstance(warn, bool) or warn < 0:
        problems.append(Problem(where.key("warn-days", section="policy"),
                                f"policy.warn-days must be a whole number >= 0, found {warn!r}",
                                field="policy.warn-days"))
        warn = 90
    if age is not None and (not isinstance(age, int) or isinstance(age, bool) or age < 1):
        key = "max-prescribing-information-age-months"
        problems.append(Problem(where.key(key, section="policy"),
                                f"policy.{key} must be a whole number >= 1, found {age!r}",
                                field=f"policy.{key}"))
        age = None
    return ProfilePolicy(warn, age)


def _elements(value: Any, where: _Lines, market: str,
              problems: list[Problem]) -> tuple[Element, ...]:
    if not isinstance(value, list) or not value:
        if value != []:
            problems.append(Problem(where.key("element"), "element must be a list of"
                                    " [[element]] tables", field="element"))
        return ()
    elements: list[Element] = []
    for index, item in enumerate(value):
        location = where.element(index)
        if not isinstance(item, dict):
            problems.append(Problem(location, f"element {index + 1} must be a table",
                                    field="element"))
            continue
        element = _element(item, index, location, where=where, market=market,
                           problems=problems)
        if element is not None:
            elements.append(element)
    return tuple(elements)


def _element(item: Mapping[str, Any], index: int, location: SourceLocation, *,
             where: _Lines, market: str, problems: list[Problem]) -> Element | None:
    start = location.line
    before = len(problems)

    def bad(key: str, message: str) -> None:
        problems.append(Problem(where.key(key, start) if key in item else location,
                                f"element {index + 1}: {message}", field=f"element.{key}"))

    for key in sorted(set(item) - _ELEMENT_KEYS):
        bad(key, f"unknown key '{key}' (known: {', '.join(sorted(_ELEMENT_KEYS))})")
    field_name, phrase = item.get("field"), item.get("phrase")
    if field_name in DATED_FIELDS:
        if phrase is None:
            bad("field", f"field '{field_name}' needs a 'phrase': the statement printed while"
                " the product is under it")
    elif (field_name is None) == (phrase is None):
        bad("field", "needs exactly one of 'field' (a product field) or 'phrase' (a fixed"
            " text)")
    if field_name is not None and field_name not in FIELDS:
        bad("field", f"field '{field_name}' is not a product field (known: "
            f"{', '.join(FIELDS)})")
    if phrase is not None and (not isinstance(phrase, str) or not phrase.strip()):
        bad("phrase", f"phrase must be a non-empty text, found {phrase!r}")
    label = item.get("label")
    if label is not None and (not isinstance(label, str) or not label.strip()):
        bad("label", f"label must be a non-empty text, found {label!r}")
    for key in ("run-in", "optional"):
        if key in item and not isinstance(item[key], bool):
            bad(key, f"{key} must be true or false, found {item[key]!r}")
    end = item.get("end", ".")
    if not isinstance(end, str):
        bad("end", f"end must be a text, found {end!r}")
    when = item.get("when")
    if when is not None and when not in CONDITIONS:
        bad("when", f"condition '{when}' is unknown (known: {', '.join(CONDITIONS)})")
    mode = item.get("print", "wording")
    if mode not in PRINT_MODES or (mode == "code" and field_name != "prescription-status"):
        bad("print", f"print = {mode!r} is only for prescription-status, as 'wording' or"
            " 'code'")
    if index == 0 and item.get("run-in"):
        bad("run-in", "the first element cannot run in: there is no paragraph before it")
    if len(problems) > before:
        return None
    what = field_name or "phrase"
    phrase_note = f"{market} fixed phrase"
    if field_name == "additional-monitoring":
        phrase_note = f"{market} additional monitoring statement; keep the black triangle ▼"
    return Element(
        location=location,
        field=field_name,
        phrase=Message(phrase, where.key("phrase", start), phrase_note)
        if phrase is not None else None,
        label=Message(label, where.key("label", start), f"{market} label of {what}")
        if label is not None else None,
        run_in=bool(item.get("run-in", False)),
        end=end,
        optional=bool(item.get("optional", False)),
        when=when,
        print=mode,
    )
