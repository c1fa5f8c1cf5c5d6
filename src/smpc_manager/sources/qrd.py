"""The QRD template of an SmPC: its numbered sections, their SPOR codes and their headings.

The EU ePI codes each section of a Composition with a term of the SPOR list 200000029659
("Product Information Template"); the document itself is typed by the list 100000155531.
The term ids are stable, the system URI that names the list is not (``http://`` or
``https://``, ``/v1/lists/200000029659``, with ``/terms/`` or without), so a section is
known by its term id whatever the system says. Where a section carries no code, or a code
from another list, its numbered heading says which section it is; the headings below are
those of the QRD template in English, German and Spanish, as SmPCs print them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

#: The SPOR list of the sections of the product information template.
SECTION_LIST = "200000029659"
#: The SPOR list of the document types, and the types an ePI holds.
DOCUMENT_TYPE_LIST = "100000155531"
DOCUMENT_TYPES = {
    "100000155532": "smpc",
    "100000155533": "annex-ii",
    "100000155535": "labelling",
    "100000155538": "leaflet",
}
#: The code of the section that holds a whole SmPC (its sections 1 to 10 below it).
SMPC_ROOT = "200000029791"
#: The code of the section that holds a whole package leaflet.
LEAFLET_ROOT = "200000029894"


@dataclass(frozen=True, slots=True)
class QrdSection:
    """One numbered section of the SmPC template: its number (``4.1``), SPOR term id and
    heading per language."""

    key: str
    code: str
    headings: dict[str, tuple[str, ...]]

    @property
    def parent(self) -> str | None:
        """The number of the section it stands in (``4`` for ``4.1``), None at the top."""
        return self.key.rpartition(".")[0] or None

    def heading(self, lang: str) -> str:
        """Its heading in ``lang`` (the language part of a tag), or in English."""
        language = re.split(r"[-_]", lang, maxsplit=1)[0].lower()
        return (self.headings.get(language) or self.headings["en"])[0]


def _section(key: str, code: str, en: str, de: str | tuple[str, ...], es: str) -> QrdSection:
    return QrdSection(key, code, {"en": (en,), "de": de if isinstance(de, tuple) else (de,),
                                  "es": (es,)})


#: The sections of an SmPC, in the order of the template.
SMPC_SECTIONS: tuple[QrdSection, ...] = (
    _section("1", "200000029792", "Name of the medicinal product",
             "Bezeichnung des Arzneimittels", "Nombre del medicamento"),
    _section("2", "200000029793", "Qualitative and quantitative composition",
             "Qualitative und quantitative Zusammensetzung",
             "Composición cualitativa y cuantitativa"),
    _section("3", "200000029797", "Pharmaceutical form", "Darreichungsform",
             "Forma farmacéutica"),
    _section("4", "200000029798", "Clinical particulars", "Klinische Angaben", "Datos clínicos"),
    _section("4.1", "200000029799", "Therapeutic indications", "Anwendungsgebiete",
             "Indicaciones terapéuticas"),
    _section("4.2", "200000029800", "Posology and method of administration",
             ("Dosierung und Art der Anwendung", "Dosierung, Art und Dauer der Anwendung"),
             "Posología y forma de administración"),
    _section("4.3", "200000029805", "Contraindications", "Gegenanzeigen",
             "Contraindicaciones"),
    _section("4.4", "200000029806", "Special warnings and precautions for use",
             "Besondere Warnhinweise und Vorsichtsmaßnahmen für die Anwendung",
             "Advertencias y precauciones especiales de empleo"),
    _section("4.5", "200000029809",
             "Interaction with other medicinal products and other forms of interaction",
             "Wechselwirkungen mit anderen Arzneimitteln und sonstige Wechselwirkungen",
             "Interacción con otros medicamentos y otras formas de interacción"),
    _section("4.6", "200000029811", "Fertility, pregnancy and lactation",
             "Fertilität, Schwangerschaft und Stillzeit", "Fertilidad, embarazo y lactancia"),
    _section("4.7", "200000029815", "Effects on ability to drive and use machines",
             "Auswirkungen auf die Verkehrstüchtigkeit und die Fähigkeit zum Bedienen von"
             " Maschinen", "Efectos sobre la capacidad para conducir y utilizar máquinas"),
    _section("4.8", "200000029816", "Undesirable effects", "Nebenwirkungen",
             "Reacciones adversas"),
    _section("4.9", "200000029819", "Overdose", "Überdosierung", "Sobredosis"),
    _section("5", "200000029821", "Pharmacological properties",
             "Pharmakologische Eigenschaften", "Propiedades farmacológicas"),
    _section("5.1", "200000029822", "Pharmacodynamic properties",
             "Pharmakodynamische Eigenschaften", "Propiedades farmacodinámicas"),
    _section("5.2", "200000029827", "Pharmacokinetic properties",
             "Pharmakokinetische Eigenschaften", "Propiedades farmacocinéticas"),
    _section("5.3", "200000029834", "Preclinical safety data",
             "Präklinische Daten zur Sicherheit", "Datos preclínicos sobre seguridad"),
    _section("6", "200000029836", "Pharmaceutical particulars", "Pharmazeutische Angaben",
             "Datos farmacéuticos"),
    _section("6.1", "200000029837", "List of excipients", "Liste der sonstigen Bestandteile",
             "Lista de excipientes"),
    _section("6.2", "200000029838", "Incompatibilities", "Inkompatibilitäten",
             "Incompatibilidades"),
    _section("6.3", "200000029839", "Shelf life", "Dauer der Haltbarkeit",
             "Periodo de validez"),
    _section("6.4", "200000029840", "Special precautions for storage",
             "Besondere Vorsichtsmaßnahmen für die Aufbewahrung",
             "Precauciones especiales de conservación"),
    _section("6.5", "200000029841", "Nature and contents of container",
             "Art und Inhalt des Behältnisses", "Naturaleza y contenido del envase"),
    _section("6.6", "200000029842", "Special precautions for disposal and other handling",
             ("Besondere Vorsichtsmaßnahmen für die Beseitigung und sonstige Hinweise zur"
              " Handhabung", "Besondere Vorsichtsmaßnahmen für die Beseitigung"),
             "Precauciones especiales de eliminación y otras manipulaciones"),
    _section("7", "200000029844", "Marketing authorisation holder", "Inhaber der Zulassung",
             "Titular de la autorización de comercialización"),
    _section("8", "200000029845", "Marketing authorisation number(s)",
             ("Zulassungsnummer(n)", "Zulassungsnummer"),
             "Número(s) de autorización de comercialización"),
    _section("9", "200000029846", "Date of first authorisation/renewal of the authorisation",
             ("Datum der Erteilung der Zulassung/Verlängerung der Zulassung",
              "Datum der Erteilung der Zulassung"),
             "Fecha de la primera autorización/ renovación de la autorización"),
    _section("10", "200000029847", "Date of revision of the text", "Stand der Information",
             "Fecha de la revisión del texto"),
)

#: Codes of sub-sections the template names without a number of its own, by the section
#: they stand in: the excipients with known effect in 2, the reporting statement in 4.8.
SUBSECTION_CODES = {"200000029796": "2", "200000029818": "4.8"}

_BY_KEY = {s.key: s for s in SMPC_SECTIONS}
_BY_CODE = {s.code: s for s in SMPC_SECTIONS}
_TERM = re.compile(r"(?<!\d)(\d{12})(?!\d)")
_NUMBER = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2}){0,3})\.?(?=\s|$|[A-Za-zÀ-ÿ])")


def section(key: str) -> QrdSection:
    """The template's section numbered ``key``; KeyError for a number it has not."""
    return _BY_KEY[key]


def term_id(code: str) -> str | None:
    """The SPOR term id a code gives, as written or at the end of a URI; None if none."""
    found = _TERM.findall(code)
    return found[-1] if found else None


def key_for_code(code: str) -> str | None:
    """The section number of a SPOR term id, None for a term of no numbered section."""
    found = _BY_CODE.get(code)
    return found.key if found else None


def heading_number(title: str) -> str | None:
    """The number a heading starts with (``4.1`` of ``4.1. Indicaciones``), or None."""
    match = _NUMBER.match(title)
    return match.group(1) if match else None


def fold(text: str) -> str:
    """``text`` for comparing headings: without accents, case, punctuation and extra space.

    >>> fold("  6.1. Lista de EXCIPIENTES:")
    '6 1 lista de excipientes'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


@cache
def _by_heading() -> dict[str, str]:
    return {fold(h): s.key for s in SMPC_SECTIONS for hs in s.headings.values() for h in hs}


def key_for_heading(title: str) -> str | None:
    """The section a heading names, by its words alone (with or without its number)."""
    words = fold(_NUMBER.sub("", title, count=1))
    return _by_heading().get(words)


def is_heading_of(text: str, key: str) -> bool:
    """Whether ``text`` is the heading of section ``key`` in a language of the table, with
    or without its number, and perhaps a colon: a section's heading found in another's
    text."""
    number = heading_number(text)
    if number is not None and number != key:
        return False
    return key_for_heading(text) == key


def placement(key: str) -> int:
    """Where section ``key`` stands in the template's order."""
    return next(i for i, s in enumerate(SMPC_SECTIONS) if s.key == key)
