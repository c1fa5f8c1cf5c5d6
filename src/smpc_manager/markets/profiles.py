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
  ``print = "code"`` prints a code itself (the prescription status, a controlled-drug or
  reimbursement category) instead of its wording; ``fallback`` names the field printed
  where the product has no data for ``field``; ``contact-format`` words the company adverse
  events are reported to with its contact details (``adverse-event-reporting``); ``smpc``
  says how the element relates to its section of the SmPC: ``verbatim`` (word for word,
  which ``smpc check`` holds it to), ``consistent``, or, without the key, free of it;
* ``[prescription]``, ``[controlled-drug]``, ``[reimbursement]`` — the fixed wording for
  each code of the market;
* ``cost-format``, ``dated-cost-format``, ``price-date-format``, ``presentation-note`` —
  how a pack's price (and the day it applies from) is printed, and how an excipient of some
  presentations only is marked; ``phone-format``, ``email-format`` — how a company's phone
  number and e-mail address are labelled after its address (``Tel.: %(phone)s``);
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
from smpc_manager.markets.elements import (
    DATED_FIELDS,
    Element,
    Lines,
    Message,
    parse_codes,
    parse_elements,
    pattern_problems,
)
from smpc_manager.portfolio import MAX_CONFIG_BYTES, RETIRED_POLICY_KEYS
from smpc_manager.resources import PROFILE_DIR, shipped_markets

if TYPE_CHECKING:
    from smpc_manager.model import Product
    from smpc_manager.portfolio import Portfolio

#: How a list of items (the excipients) is joined: plain commas, as the seed does, or
#: CLDR's list patterns for the locale (``A, B und C``).
LIST_STYLES = ("comma", "standard", "or")

#: The keys of a profile (docs/markets.md says what each does).
TOP_KEYS = {"market", "locale", "title", "list-style", "revision-date-format",
             "cost-format", "dated-cost-format", "price-date-format", "presentation-note",
             "phone-format", "email-format", "month-names", "policy", "prescription",
             "controlled-drug", "reimbursement", "element"}
_REQUIRED_TOP = ("locale", "title", "element")
_POLICY_KEYS = {"warn-days", "max-prescribing-information-age-months"}


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
    #: The price of a pack with the day it applies from (``%(date)s``).
    dated_cost_format: Message | None = None
    #: The CLDR pattern of that day (``d MMMM y``).
    price_date_format: str = "d MMMM y"
    #: What marks an excipient or group in some presentations only (``(only 1 mg)``).
    presentation_note: Message | None = None
    #: How a company's phone number and e-mail address are printed with its address
    #: (``Tel.: %(phone)s``); None: the number or address alone.
    phone_format: Message | None = None
    email_format: Message | None = None
    controlled_drug: Mapping[str, Message] = field(default_factory=dict)
    reimbursement: Mapping[str, Message] = field(default_factory=dict)
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

    def verbatim_fields(self) -> tuple[str, ...]:
        """The fields this market prints word for word from the SmPC (``smpc = "verbatim"``),
        in print order."""
        return tuple(e.field for e in self.elements
                     if e.field is not None and e.smpc == "verbatim")

    def messages(self) -> Iterator[Message]:
        """Every ``smpc``-domain message the profile uses, in file order."""
        found = [self.title]
        for element in self.elements:
            found.extend(element.messages())
        for table in (self.prescription, self.controlled_drug, self.reimbursement):
            found.extend(table.values())
        found.extend(m for m in (self.cost_format, self.dated_cost_format,
                                 self.presentation_note, self.phone_format,
                                 self.email_format) if m is not None)
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


def _build(table: Mapping[str, Any], path: str, lines: list[str], market: str, *,
           prefix: str, digest: str) -> MarketProfile:
    where = Lines(path, lines, prefix)
    problems: list[Problem] = []

    def problem(location: SourceLocation, message: str, key: str) -> None:
        problems.append(Problem(location, message, field=key))

    for key in sorted(set(table) - TOP_KEYS):
        problem(where.key(key), f"unknown profile key '{key}' (known: "
                f"{', '.join(sorted(TOP_KEYS))})", key)
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
    price_date_format = string("price-date-format", "d MMMM y")

    def pattern(key: str, note: str) -> Message | None:
        if key not in table:
            return None
        text = string(key, "")
        for found in pattern_problems(key, text):
            problem(where.key(key), f"{key} {found}", key)
        return Message(text, where.key(key), f"{market} {note}")

    cost_format = pattern("cost-format", "cost excluding VAT: %(price)s is the amount,"
                          " %(pack)s the pack")
    dated_cost_format = pattern("dated-cost-format", "cost excluding VAT: %(price)s is the"
                                " amount, %(pack)s the pack, %(date)s the day it applies"
                                " from")
    presentation_note = pattern("presentation-note", "note on what is in some"
                                " presentations only: %(presentations)s lists their"
                                " strengths or forms")
    phone_format = pattern("phone-format", "phone number of a company, after its address:"
                           " %(phone)s is the number")
    email_format = pattern("email-format", "e-mail address of a company, after its address:"
                           " %(email)s is the address")
    prescription = parse_codes("prescription", table.get("prescription", {}), where, market,
                               problems)
    controlled = parse_codes("controlled-drug", table.get("controlled-drug", {}), where,
                             market, problems)
    reimbursement = parse_codes("reimbursement", table.get("reimbursement", {}), where,
                                market, problems)
    month_names = _month_names(table.get("month-names", {}), where, problems)
    policy = _policy(table.get("policy", {}), where, problems)
    elements = parse_elements(table.get("element", []), where, market, problems)

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
        dated_cost_format=dated_cost_format,
        price_date_format=price_date_format,
        presentation_note=presentation_note,
        phone_format=phone_format,
        email_format=email_format,
        controlled_drug=controlled,
        reimbursement=reimbursement,
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


def _month_names(value: Any, where: Lines,
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


def _policy(value: Any, where: Lines, problems: list[Problem]) -> ProfilePolicy:
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
