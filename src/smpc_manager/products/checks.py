"""The checks a product file must pass beyond its schema, each a small function in a list.

The schema says what each value looks like; these say what the values must mean together
and with the file: its id is its file name, its language is one CLDR knows, its dates come
in order, it names each market once per code, it monitors only markets it is authorised in,
and no text is empty. :func:`~smpc_manager.products.load_product` runs them all: an error
among their problems refuses the product, a warning does not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError

from smpc_manager import inline
from smpc_manager.errors import Problem, Severity, SourceLocation
from smpc_manager.model import Product
from smpc_manager.products.checks2 import RULES_2

#: A check takes the product and the path it was read from, and yields its problems.
Rule = Callable[[Product, Path], Iterable[Problem]]


def rule_id_matches_file(product: Product, path: Path) -> Iterable[Problem]:
    if product.id != path.stem:
        yield Problem(
            product.location,
            f"product id '{product.id}' does not match the file name '{path.name}'"
            f" (rename the file to {product.id}.xml or set id=\"{path.stem}\")",
            field="id",
        )


def rule_language_known(product: Product, path: Path) -> Iterable[Problem]:
    if not _known_language(product.lang):
        yield Problem(
            product.location,
            f"xml:lang '{product.lang}' is not a language CLDR knows (e.g. en, de)",
            field="xml:lang",
        )


@lru_cache(maxsize=256)
def _known_language(tag: str) -> bool:
    """Whether CLDR knows the language ``tag``; asked once per tag and process, not per product."""
    try:
        Locale.parse(tag.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return False
    return True


def rule_dates_in_order(product: Product, path: Path) -> Iterable[Problem]:
    revision, review = product.revision_date, product.review_by
    if revision.value.first_day() > review.value:
        yield Problem(
            review.location,
            f"review-by {review.value} is before the revision-date {revision.value}"
            " it is meant to re-verify",
            field="review-by",
        )
    for ma in product.authorisations:
        first = ma.first_authorisation
        for label, later in (("renewal", ma.renewal), ("valid-until", ma.valid_until)):
            if later is not None and later.value < first.value:
                yield Problem(
                    later.location,
                    f"{label} {later.value} is before the first-authorisation {first.value}",
                    field=label,
                )
        if first.value > revision.value.last_day():
            yield Problem(
                first.location,
                f"first-authorisation {first.value} is after the revision-date"
                f" {revision.value} of the text",
                field="first-authorisation",
            )


def rule_one_code_per_market(product: Product, path: Path) -> Iterable[Problem]:
    for kind, entries in (("prescription-status", product.prescription_status),
                          ("cost", product.costs)):
        seen: dict[str, SourceLocation] = {}
        for entry in entries:
            if entry.market in seen:
                yield Problem(
                    entry.location,
                    f"a second {kind} for market {entry.market} (the first is on line"
                    f" {seen[entry.market].line})",
                    field=kind,
                )
            seen.setdefault(entry.market, entry.location)


def rule_atc_level(product: Product, path: Path) -> Iterable[Problem]:
    code = product.atc_code
    if len(code.value) != 7:
        yield Problem(
            code.location,
            f"atc-code '{code.value}' is not at level 5 (a chemical substance, 7 characters"
            " like L01XC26); a product normally carries a level-5 code",
            severity=Severity.WARNING,
            field="atc-code",
        )


def rule_no_empty_text(product: Product, path: Path) -> Iterable[Problem]:
    # An empty message would be msgid "", which gettext reserves for the catalog header.
    for text in product.texts:
        try:
            plain = inline.to_text(text.source)
        except inline.InlineError:
            continue  # rule_inline_markup reports it
        if not plain.strip():
            yield Problem(
                text.location,
                f"{text.context} is empty; write its text or remove the element",
                field=text.context,
            )


def rule_inline_markup(product: Product, path: Path) -> Iterable[Problem]:
    for text in product.texts:
        try:
            inline.parse(text.source)
        except inline.InlineError as err:  # pragma: no cover - the schema allows only these
            yield Problem(text.location, f"{text.context}: {err}", field=text.context)


def rule_additional_monitoring(product: Product, path: Path) -> Iterable[Problem]:
    """An additional-monitoring entry ends on or after it starts, and names only markets the
    product is authorised in (``EU`` where an authorisation names ``EU``)."""
    for entry in product.additional_monitoring:
        start, until = entry.start, entry.until
        if start is not None and until is not None and until.value < start.value:
            yield Problem(
                until.location,
                f"additional-monitoring until {until.value} is before its from {start.value}"
                " (until is the last day listed)",
                field="until",
            )
        for market in dict.fromkeys(entry.markets):
            if market == "EU":
                authorised = any("EU" in a.markets for a in product.authorisations)
            else:
                authorised = bool(product.authorisations_for(market))
            if not authorised:
                covered = " ".join(dict.fromkeys(m for a in product.authorisations
                                                 for m in a.markets))
                yield Problem(
                    entry.location,
                    f"additional-monitoring names market {market}, but no"
                    f" marketing-authorisation of the product covers it (found: {covered})",
                    field="markets",
                )


#: The rules every loaded product must pass, after the schema.
RULES: tuple[Rule, ...] = (
    rule_id_matches_file,
    rule_language_known,
    rule_dates_in_order,
    rule_additional_monitoring,
    rule_one_code_per_market,
    rule_atc_level,
    rule_no_empty_text,
    rule_inline_markup,
)


def check_product(product: Product, path: Path) -> list[Problem]:
    """What :data:`RULES` (and for a schema 2 product :data:`~.checks2.RULES_2`) find wrong
    with ``product``, read from ``path``, in file order."""
    rules = RULES + RULES_2 if product.schema == 2 else RULES
    problems = [p for rule in rules for p in rule(product, path)]
    problems.sort(key=lambda p: (p.location.line, p.location.column))
    return problems
