"""The fields of a product summary, taken from the sections of an SmPC in any language.

Each field keeps the SmPC's words (the blocks of its section, as product messages) and the
line they stand on; what had to be guessed or could not be found is a note. The same
taking, run on the SmPC of another language, gives the same fields in that language, in
the same places where the two SmPCs are alike: that is how a catalog is prefilled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from babel import Locale, UnknownLocaleError

from smpc_manager.errors import Problem, Severity, SourceLocation
from smpc_manager.inline import escape
from smpc_manager.sources.dates import FoundDate, find_dates
from smpc_manager.sources.document import Block, Document, Section
from smpc_manager.sources.qrd import fold, section

UNIT = (r"(?:mg|g|kg|µg|μg|mcg|ng|microgramos?|micrograms?|mikrogramm|ml|mL|l|UI|IU|I\.E\.|"
        r"U|E|%|mmol|MBq|GBq|unidades|units|Einheiten|dosis|doses?)")
AMOUNT = r"\d+(?:[.,\s]\d+)*"
#: The units of an amount of substance (not of a volume: 115 ml of solvent is no substance).
MASS = (r"(?:mg|g|kg|µg|μg|mcg|ng|microgramos?|micrograms?|mikrogramm|UI|IU|I\.E\.|U|"
        r"unidades|units|Einheiten)")
_OR = r"(?:\s*,\s*|\s+(?:y|and|und|o|or|oder)\s+)"
STRENGTH = re.compile(rf"(?<![\d.,])(?:{AMOUNT})\s*{UNIT}(?:\s*/\s*(?:{AMOUNT}\s*)?{UNIT})*"
                      r"(?![A-Za-zµ])", re.IGNORECASE)
ATC = re.compile(r"\b[A-Z]\s?[0-9O]{2}\s?[A-Z](?:\s?[A-Z](?:\s?[0-9O]{2})?)?\b")
ATC_VALID = re.compile(r"[ABCDGHJLMNPRSV][0-9]{2}(?:[A-Z](?:[A-Z](?:[0-9]{2})?)?)?")
EU_NUMBER = re.compile(r"EU/\d/\d{2}/\d{1,4}/\d{3}")
NATIONAL_NUMBER = re.compile(r"(?<![\w/])\d{1,3}(?:[.\s]\d{3})+(?![\w/])|(?<![\w/])\d{4,}"
                             r"(?:\.\d{2}\.\d{2})?(?![\w/])")
#: "contains:" at the end of a paragraph: the substances follow, one a paragraph.
_CONTAINS_COLON = re.compile(r"\b(?:contains?|contiene|enthält|enthalten)\s*:\s*$",
                             re.IGNORECASE)
#: A substance before its amount, in a paragraph after "contains:" (``Beclometasona ….. 0,125
#: mg``).
_NAME_FIRST = re.compile(rf"^(?P<name>[^\d(…]*[^\d(…\s.:])[\s.…:]*{AMOUNT}\s*{MASS}\b")
_CONTAINS = re.compile(
    rf"\b(?:contains?|contiene|enthält|enthalten)\s*"
    rf"(?:approximately\s+|aproximadamente\s+|etwa\s+)?"
    rf"(?P<amount>{AMOUNT}(?:{_OR}{AMOUNT})*\s*{MASS}(?:{_OR}{AMOUNT}\s*{MASS})*"
    rf"(?:\s*/\s*{UNIT})?)\s+(?:of\s+|de\s+)?"
    r"(?P<name>[^\s(,.;:][^(,.;:]*?)(?=\s*(?:\(|,|\.|;|:|$|\by\b|\band\b|\bund\b|\ben\b|\bin\b"
    r"|\bpor\b|\bper\b|\bje\b|\bcomo\b|\bas\b|\bals\b))", re.IGNORECASE)
_GROUP = re.compile(r"(?:grupo\s*farmaco\s*terap[eé]utico|grupo\s*f[aá]rmacoterap[eé]utico|"
                    r"pharmacotherapeutic group|pharmakotherapeutische gruppe|"
                    r"indikationsgruppe)\s*:?\s*", re.IGNORECASE)
_ATC_LABEL = re.compile(r"[,.;]?\s*(?:el\s+)?c[oó]digo\s+ATC\b.*$|[,.;]?\s*ATC[- ]?(?:code|"
                        r"Code|Kode)\b.*$", re.IGNORECASE | re.DOTALL)
_GLUED_UNIT = re.compile(r"(\d\s*(?:mg|g|ml|microgramos|micrograms))(?=[a-záéíóúäöü]{3,})")
_POSTAL = re.compile(r"(?:\b[A-Z]{1,2}-)?\b(\d{4}\s?[A-Z]{2}|\d{4,5})\b\s*(.*)")
#: The statement of additional monitoring, in English, German and Spanish.
_MONITORED = re.compile(r"▼|subject to additional monitoring|unterliegt einer zusätzlichen"
                        r" Überwachung|sujeto a seguimiento adicional", re.IGNORECASE)
_SEE_LIST = re.compile(r"\b6\.1\b")
_EXCIPIENT = re.compile(r"excipient|sonstige[rn]? Bestandteil|Hilfsstoff", re.IGNORECASE)
_RENEWAL = re.compile(r"renova|revalid|renewal|verlängerung", re.IGNORECASE)
_BULLET = re.compile(r"^(?:[-–•·*]|\d+\.)\s+")
#: The sections that become paragraphs of the summary as they are, by element.
PARAGRAPHS = {"indications": "4.1", "posology": "4.2", "contraindications": "4.3",
              "precautions": "4.4", "interactions": "4.5", "pregnancy-lactation": "4.6",
              "undesirable-effects": "4.8"}


@dataclass(frozen=True, slots=True)
class Item:
    """A text of the summary as a product message, with the line it came from."""

    markup: str
    line: int

    @classmethod
    def of_text(cls, text: str, line: int) -> Item:
        """A message of plain text: ``&``, ``<`` and ``>`` escaped."""
        return cls(escape(text), line)


@dataclass
class PresentationFields:
    """One line of section 1: a strength in a form, with its composition."""

    title: Item
    strength: str | None
    form: Item | None
    composition: list[Item] = field(default_factory=list)


@dataclass
class ExcipientGroup:
    """Excipients of §6.1 under a heading of the SmPC's, or none; limited to the
    presentations (by place in §1) a part of §6.1 names, or to none."""

    heading: Item | None
    excipients: list[Item]
    presentations: list[int] = field(default_factory=list)


@dataclass
class HolderFields:
    """§7: the holder's name and its address, each part None where §7 does not say it in
    the template's lines."""

    name: str
    street: str
    postal_code: str | None
    city: Item | None
    country: str | None


@dataclass
class Fields:
    """What an SmPC gives a product summary. ``notes`` are the fields it could not fill or
    was unsure of, each a warning at the SmPC's line."""

    lang: str
    #: The line of the SmPC, where a note on a field it does not give stands.
    line: int = 0
    name: str | None = None
    presentations: list[PresentationFields] = field(default_factory=list)
    substances: list[Item] = field(default_factory=list)
    excipients: list[ExcipientGroup] = field(default_factory=list)
    sections: dict[str, list[Item]] = field(default_factory=dict)
    group: Item | None = None
    atc: str | None = None
    holder: HolderFields | None = None
    numbers: list[tuple[str, list[int]]] = field(default_factory=list)
    first_authorisation: FoundDate | None = None
    renewal: FoundDate | None = None
    revision: FoundDate | None = None
    #: The line of the statement that the medicine is under additional monitoring (the ▼),
    #: where the SmPC has one.
    monitored: int | None = None
    notes: list[Problem] = field(default_factory=list)


def take_fields(document: Document, path: str) -> Fields:
    """The fields of ``document``, an SmPC read from ``path``."""
    taking = _Taking(document, path)
    return taking.fields


def _items(blocks: tuple[Block, ...] | list[Block]) -> list[Item]:
    return [Item(b.markup, b.line) for b in blocks]


class _Taking:
    """The fields of one SmPC, taken section by section as the object is made."""

    def __init__(self, document: Document, path: str) -> None:
        self.document = document
        self.path = path
        self.fields = Fields(document.lang, document.location.line)
        self.name()
        self.form()
        self.composition()
        self.excipients()
        for element, key in PARAGRAPHS.items():
            found = self.section(key, required=key in ("4.1", "4.3"))
            if found is not None and found.all_blocks():
                self.fields.sections[element] = _items(found.all_blocks())
        self.pharmacology()
        self.holder()
        self.numbers()
        self.dates()
        self.fields.monitored = next((b.line for top in document.sections
                                      for b in top.all_blocks() if _MONITORED.search(b.text)),
                                     None)

    # -------------------------------------------------------------------------- helpers

    def note(self, line: int, message: str, element: str) -> None:
        self.fields.notes.append(Problem(SourceLocation(self.path, line), message,
                                         Severity.WARNING, field=element))

    def section(self, key: str, *, required: bool = True) -> Section | None:
        found = self.document.section(key)
        if found is None and required:
            self.note(self.document.location.line, f"§{key} ({section(key).heading('en')}) is"
                      " not in the SmPC: its fields are left to fill", _ELEMENTS.get(key, key))
        return found

    # ------------------------------------------------------------------------ sections

    def name(self) -> None:
        found = self.section("1")
        if found is None:
            return
        lines = [(line, b) for b in found.all_blocks() for line in b.lines]
        for line, block in lines:
            # A unit glued to the form (``25 mgcomprimidos``, ``1 gsuspensión``) is a typo.
            parsed = _GLUED_UNIT.sub(r"\1 ", line)
            match = STRENGTH.search(parsed)
            if match is None:
                continue
            name = parsed[:match.start()].strip(" ,")
            form = parsed[match.end():].strip(" ,.")
            self.fields.name = self.fields.name or name or None
            self.fields.presentations.append(PresentationFields(
                Item.of_text(line, block.line), self.strength(match.group(0)),
                Item.of_text(form, block.line) if form else None))
        if not self.fields.presentations and lines:
            line, block = lines[0]
            # The name is the words before the first in lower case (the form's).
            words = line.split()
            count = next((i for i, w in enumerate(words) if w[:1].islower()), len(words))
            name = " ".join(words[:count]).strip(" ,") or line
            form = " ".join(words[count:]).strip(" ,.")
            self.note(block.line, f"§1 '{line}' states no strength: the strength is left to"
                      " fill", "strength")
            self.fields.name = name
            self.fields.presentations.append(PresentationFields(
                Item.of_text(line, block.line), None,
                Item.of_text(form, block.line) if form else None))

    def form(self) -> None:
        """§3 states the form as the standard term; §1 as the name is printed with it. The
        draft takes §1's, §3's where §1 has none, and notes where the two differ."""
        found = self.section("3")
        first = found.blocks[0] if found is not None and found.blocks else None
        if first is None:
            return
        standard = re.sub(r"\s*\([^()]*\)", "", first.text).strip(" .")
        noted: set[str] = set()
        for presentation in self.fields.presentations:
            if presentation.form is None:
                presentation.form = Item.of_text(standard, first.line)
            elif fold(presentation.form.markup) not in (fold(escape(standard)), *noted):
                noted.add(fold(presentation.form.markup))
                self.note(first.line, f"§3 states the form as '{standard}', §1 as"
                          f" '{presentation.form.markup}': the draft takes §1's",
                          "pharmaceutical-form")

    def strength(self, written: str) -> str:
        """A strength with its numbers as the schema writes them (``0.125 mg/g``)."""
        decimal, group = _symbols(self.document.lang)
        value = " ".join(written.split())
        if group in ".,":
            value = re.sub(rf"(?<=\d){re.escape(group)}(?=\d{{3}}(?!\d))", "", value)
        return value.replace(decimal, ".") if decimal != "." else value

    def composition(self) -> None:
        found = self.section("2")
        if found is None:
            return
        blocks = found.all_blocks()
        presentations = self.fields.presentations
        current: PresentationFields | None = None
        common: list[Item] = []
        trailing: list[Item] = []
        for block in blocks:
            owner = self.presentation_named(block.text)
            if owner is not None and len(presentations) > 1:
                current = owner
                continue
            item = Item(block.markup, block.line)
            if current is not None and _SEE_LIST.search(block.text):
                trailing.append(item)  # the cross-reference to 6.1 is every presentation's
                continue
            (current.composition if current is not None else common).append(item)
        for presentation in presentations:
            presentation.composition[:0] = common
            presentation.composition.extend(trailing)
        if current is not None:
            self.note(found.location.line, "§2 gives a composition under each presentation's"
                      " name; the paragraphs after the last one are taken as that one's",
                      "composition")
        self.substances(blocks)
        if not self.fields.substances:
            self.note(found.location.line, "§2 names no active substance the way the"
                      " template does ('contains 10 mg of …'): the substance is left to fill",
                      "active-substances")

    def substances(self, blocks: tuple[Block, ...]) -> None:
        """The active substances §2 names as the template does (``contains 10 mg of X``, or
        ``contains:`` and a paragraph per substance), up to the excipients with known effect
        (of each presentation, where §2 has a part for each)."""
        known: set[str] = set()
        excipients, listing = False, False
        for block in blocks:
            text = _BULLET.sub("", block.text)
            if self.presentation_named(text) is not None:
                excipients = listing = False
                continue
            excipients = excipients or bool(_EXCIPIENT.search(text))
            if excipients:
                continue
            names = [m.group("name") for m in _CONTAINS.finditer(text)]
            if listing and not names:
                first = _NAME_FIRST.match(text)
                names = ([m.group("name") for m in _CONTAINS.finditer("contains " + text)]
                         or ([first.group("name")] if first else []))
            listing = bool(_CONTAINS_COLON.search(text)) or (listing and bool(names))
            for name in (n.strip() for n in names):
                if fold(name) not in known:
                    known.add(fold(name))
                    self.fields.substances.append(Item.of_text(name, block.line))

    def presentation_named(self, text: str) -> PresentationFields | None:
        words = fold(text)
        found = [p for p in self.fields.presentations
                 if words and words.startswith(fold(p.title.markup))]
        return max(found, key=lambda p: len(p.title.markup), default=None)

    def excipients(self) -> None:
        found = self.section("6.1")
        if found is None:
            return
        groups: list[ExcipientGroup] = []
        limited: list[int] = []
        blocks = list(found.all_blocks())
        for i, block in enumerate(blocks):
            owner = self.presentation_named(block.text.rstrip(":"))
            if owner is not None and len(self.fields.presentations) > 1:
                limited = [self.fields.presentations.index(owner)]
                groups.append(ExcipientGroup(None, [], limited))
                continue
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            if _is_heading(block) and following is not None and not _is_heading(following):
                groups.append(ExcipientGroup(Item(block.markup, block.line), [], limited))
                continue
            if not groups or (groups[-1].heading is None and groups[-1].excipients
                              and groups[-1].presentations != limited):
                groups.append(ExcipientGroup(None, [], limited))
            groups[-1].excipients.append(Item(_BULLET.sub("", block.markup), block.line))
            if re.sub(r"\([^()]*\)", "", block.text).count(",") >= 2:
                self.note(block.line, "§6.1 lists several excipients in one paragraph,"
                          " separated by commas: kept as one excipient; split it by hand",
                          "excipients")
        self.fields.excipients = [g for g in groups if g.excipients]

    def pharmacology(self) -> None:
        found = self.section("5.1")
        if found is None:
            return
        text = " ".join(b.text for b in found.all_blocks()[:4])
        line = found.blocks[0].line if found.blocks else found.location.line
        group = _GROUP.search(text)
        if group is not None:
            rest = _ATC_LABEL.sub("", text[group.end():])
            rest = re.split(r"(?<=[a-z)])\.\s+[A-Z]|\s{2,}", rest, maxsplit=1)[0]
            self.fields.group = Item.of_text(rest.strip(" ,;:."), line)
        else:
            self.note(line, "§5.1 gives no pharmacotherapeutic group: left to fill",
                      "pharmacotherapeutic-group")
        label = re.search(r"ATC", text)
        atc = ATC.search(text, label.start() if label else 0)
        if atc is None:
            self.note(line, "§5.1 gives no ATC code: left to fill", "atc-code")
            return
        code = re.sub(r"\s", "", atc.group(0))
        if not ATC_VALID.fullmatch(code):
            fixed = code[0] + code[1:3].replace("O", "0") + code[3:5] + code[5:].replace(
                "O", "0")
            self.note(line, f"§5.1 gives the ATC code as '{atc.group(0)}'; taken as"
                      f" '{fixed}'", "atc-code")
            code = fixed
        elif code != atc.group(0):
            self.note(line, f"§5.1 writes the ATC code '{atc.group(0)}'; taken as '{code}'",
                      "atc-code")
        self.fields.atc = code

    def holder(self) -> None:
        found = self.section("7")
        if found is None:
            return
        lines = [(line, b.line) for b in found.all_blocks() for line in b.lines]
        if not lines:
            return
        country, country_at = None, len(lines)
        names = _territories(self.document.lang)
        for i in range(len(lines) - 1, -1, -1):
            for word in reversed(re.split(r"[,()–\-]\s*", lines[i][0])):
                code = names.get(fold(word))
                if code is not None:
                    country, country_at = code, i
                    break
            if country is not None:
                break
        postal: tuple[str, str, int] | None = None  # postal code, city, line
        postal_at = country_at
        # The postal code stands on the country's line or the line before it, after the
        # street ("28108 Alcobendas (Madrid) España", "B-2340 Beerse"); else the city stands
        # before the country ("Dublín 24, Irlanda"); else two lines before ("1062 Budapest").
        last = min(country_at, len(lines) - 1)
        for at in (last, last - 1, None, last - 2):
            if at is None:
                city = re.split(r",|\s[-–]\s|\(", lines[last][0])[0].strip(" ,")
                if last == country_at and city and names.get(fold(city)) is None:
                    postal = ("", city, lines[last][1])
                    break
                continue
            match = _POSTAL.search(lines[at][0]) if at >= 1 else None
            if match:
                # The city after the code, or before it ("Rheinfelden DE-79618").
                city = re.split(r"[,(]|\s[-–]\s", match.group(2).lstrip(" –-"))[0].strip(" ,")
                if not city and at != 1:
                    city = lines[at][0][:match.start()].strip(" ,–-")
                postal, postal_at = (match.group(1), city, lines[at][1]), at
                break
        street = ", ".join(t.strip(" ,") for t, _ in lines[1:postal_at]) or ", ".join(
            t.strip(" ,") for t, _ in lines[postal_at + 1:country_at])
        if not street and postal_at < len(lines):
            # The street before the postal code on its line ("Alfonso XII, 587 – E 08918").
            match = _POSTAL.search(lines[postal_at][0])
            street = lines[postal_at][0][:match.start()].strip(" ,–-") if match else ""
        self.fields.holder = HolderFields(
            lines[0][0], street, postal[0] if postal and postal[0] else None,
            Item.of_text(postal[1], postal[2]) if postal and postal[1] else None, country)
        if country is None or postal is None or not postal[0] or not street:
            self.note(lines[0][1], "§7: the holder's address is not in the template's lines"
                      " (name, street, postal code and city, country): check it",
                      "marketing-authorisation-holder")

    def numbers(self) -> None:
        found = self.section("8")
        if found is None:
            return
        limited: list[int] = []
        for block in found.all_blocks():
            owner = self.presentation_named(block.text)
            if owner is not None and len(self.fields.presentations) > 1:
                limited = [self.fields.presentations.index(owner)]
            text = block.text[len(owner.title.markup):] if owner else block.text
            for number in EU_NUMBER.findall(text) or NATIONAL_NUMBER.findall(text):
                self.fields.numbers.append((number, limited))
        if not self.fields.numbers:
            self.note(found.location.line, "§8 gives no authorisation number: left to fill",
                      "marketing-authorisation")

    def dates(self) -> None:
        lang = self.document.lang
        found = self.section("9")
        if found is not None:
            texts = [(b.text, b.line) for b in found.all_blocks()]
            dates = [(d, line, text) for text, line in texts for d in find_dates(text, lang)]
            if dates:
                self.fields.first_authorisation = dates[0][0]
                renewals = [d for d, _, text in dates[1:] if _RENEWAL.search(
                    text[:d.start]) or len(dates) == 2]
                self.fields.renewal = renewals[-1] if renewals else None
                for date in [dates[0][0], *renewals[-1:]]:
                    if date.day is None:
                        self.note(dates[0][1], f"§9 gives '{date.written}' without a day;"
                                  f" taken as {date.date().isoformat()}",
                                  "marketing-authorisation")
            else:
                self.note(found.location.line, "§9 gives no date of first authorisation:"
                          " left to fill", "first-authorisation")
        found = self.section("10")
        if found is not None:
            revisions = [d for b in found.all_blocks() for d in find_dates(b.text, lang)]
            if revisions:
                self.fields.revision = revisions[0]
            else:
                self.note(found.location.line, "§10 gives no date of revision: left to fill",
                          "revision-date")


_ELEMENTS = {"1": "name", "2": "composition", "3": "pharmaceutical-form", "4.1": "indications",
             "4.3": "contraindications", "5.1": "atc-code", "6.1": "excipients",
             "7": "marketing-authorisation-holder", "8": "marketing-authorisation",
             "9": "first-authorisation", "10": "revision-date"}


def _is_heading(block: Block) -> bool:
    """Whether a block of 6.1 heads a group: short, not a sentence, styled or ending in a
    colon."""
    text = block.text
    return (block.styled or text.endswith(":")) and len(text.split()) <= 8 \
        and not text.endswith(".") and "," not in text


def _symbols(lang: str) -> tuple[str, str]:
    try:
        locale = Locale.parse(re.split(r"[-_]", lang, maxsplit=1)[0] or "en")
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    symbols = locale.number_symbols.get("latn", {})
    return symbols.get("decimal", "."), symbols.get("group", ",")


@cache
def _territories(lang: str) -> dict[str, str]:
    """Country names in ``lang`` and English (folded), with their ISO codes."""
    names: dict[str, str] = {}
    for name in dict.fromkeys((re.split(r"[-_]", lang, maxsplit=1)[0] or "en", "en")):
        try:
            territories = Locale.parse(name).territories
        except (UnknownLocaleError, ValueError):
            continue
        for code, label in territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(fold(label), code)
    return names
