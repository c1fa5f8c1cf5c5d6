"""Small EU ePI files written for the tests: a made-up SmPC (EXAMPLEX) in English and German,
as FHIR R5 or R4, XML or JSON, a collection of document Bundles or one document Bundle.

They carry the defects real ePIs have, on purpose: bare UUIDs as ``fullUrl``, references to
nothing, a section without a code (found by its numbered heading), a section merged into
another (4.8 at the end of 4.7, 6.1 in 6), styled XHTML; and, where asked, a template
placeholder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

SPOR = "http://spor.ema.europa.eu/v1/lists/200000029659"
TYPES = "http://spor.ema.europa.eu/v1/lists/100000155531"
XHTML = "http://www.w3.org/1999/xhtml"


@dataclass
class Sec:
    """A section: its SPOR code (None: none), title, narrative (XHTML inside the div)."""

    code: str | None
    title: str
    html: str = ""
    subsections: list[Sec] = field(default_factory=list)


def p(*texts: str) -> str:
    return "".join(f'<p style="margin:0pt"><span style="font-family:Arial">{t}</span></p>'
                   for t in texts)


def smpc_en(revision: str = "February 2025") -> list[Sec]:
    return [Sec("200000029791", "Summary of product characteristics", "", [
        Sec("200000029792", "1. NAME OF THE MEDICINAL PRODUCT",
            p("EXAMPLEX 10 mg film-coated tablets", "EXAMPLEX 20 mg film-coated tablets")),
        Sec("200000029793", "2. QUALITATIVE AND QUANTITATIVE COMPOSITION", p(
            "<b>EXAMPLEX 10 mg film-coated tablets</b>",
            "Each film-coated tablet contains 10 mg examplosartan.",
            "<b>EXAMPLEX 20 mg film-coated tablets</b>",
            "Each film-coated tablet contains 20 mg examplosartan.",
            "Excipient with known effect: each film-coated tablet contains 52 mg lactose.",
            "For the full list of excipients, see section 6.1.")),
        Sec("200000029797", "3. PHARMACEUTICAL FORM",
            p("Film-coated tablet.", "White, round, biconvex tablets.")),
        Sec("200000029798", "4. CLINICAL PARTICULARS", "", [
            Sec("200000029799", "4.1 Therapeutic indications",
                p("EXAMPLEX is indicated for the treatment of essential hypertension in"
                  " adults.")),
            Sec("200000029800", "4.2 Posology and method of administration",
                p("The recommended dose is 10 mg once daily.", "For oral use.")),
            Sec(None, "4.3 Contraindications", p(
                "Hypersensitivity to the active substance or to any of the excipients"
                " listed in section 6.1.", "Second and third trimester of pregnancy.")),
            Sec("200000029806", "4.4 Special warnings and precautions for use",
                p("Patients with renal impairment should be monitored.")),
            Sec("200000029809", "4.5 Interaction with other medicinal products and other"
                " forms of interaction", p("No interaction studies have been performed.")),
            Sec("200000029811", "4.6 Fertility, pregnancy and lactation",
                p("EXAMPLEX is not recommended during the first trimester.")),
            Sec("200000029815", "4.7 Effects on ability to drive and use machines",
                p("EXAMPLEX has no influence on the ability to drive.",
                  "<strong>4.8 Undesirable effects</strong>",
                  "Dizziness and headache are common (≥1/100 to &lt;1/10).")),
            Sec("200000029819", "4.9 Overdose", p("No case of overdose has been reported.")),
        ]),
        Sec("200000029821", "5. PHARMACOLOGICAL PROPERTIES", "", [
            Sec("200000029822", "5.1 Pharmacodynamic properties", p(
                "Pharmacotherapeutic group: Angiotensin II receptor blockers (ARBs), plain,"
                " ATC code: C09CA99", "Examplosartan blocks the AT<sub>1</sub> receptor.")),
            Sec("200000029827", "5.2 Pharmacokinetic properties",
                p("Absorption is rapid; C<sub>max</sub> is reached after 2 hours.")),
            Sec("200000029834", "5.3 Preclinical safety data", p("No special hazard.")),
        ]),
        Sec("200000029836", "6. PHARMACEUTICAL PARTICULARS",
            '<div><ol><li><b>List of excipients</b></li></ol></div>'
            + p("<u>Tablet core</u>") + "<ul><li>Lactose monohydrate</li>"
            "<li>Magnesium stearate</li></ul>" + p("<u>Film coating</u>")
            + "<ul><li>Hypromellose</li><li>Titanium dioxide (E 171)</li></ul>", [
                Sec("200000029838", "6.2 Incompatibilities", p("Not applicable.")),
                Sec("200000029839", "6.3 Shelf life", p("3 years.")),
                Sec("200000029840", "6.4 Special precautions for storage",
                    p("Do not store above 30 °C.")),
                Sec("200000029841", "6.5 Nature and contents of container",
                    p("Blister packs of 28 tablets.")),
                Sec("200000029842", "6.6 Special precautions for disposal",
                    p("No special requirements.")),
            ]),
        Sec("200000029844", "7. MARKETING AUTHORISATION HOLDER",
            "<p>Example Pharma GmbH<br/>Beispielstraße 1<br/>10115 Berlin<br/>Germany</p>"),
        Sec("200000029845", "8. MARKETING AUTHORISATION NUMBER(S)",
            p("EU/1/20/1234/001", "EU/1/20/1234/002")),
        Sec("200000029846", "9. DATE OF FIRST AUTHORISATION/RENEWAL OF THE AUTHORISATION",
            p("Date of first authorisation: 15 March 2020",
              "Date of latest renewal: 10 January 2025")),
        Sec("200000029847", "10. DATE OF REVISION OF THE TEXT", p(revision)),
    ])]


def smpc_de(revision: str = "Februar 2025") -> list[Sec]:
    """The German SmPC of EXAMPLEX: section for section the English one, but for 4.2, which
    has a paragraph more."""
    return [Sec("200000029791", "Fachinformation", "", [
        Sec("200000029792", "1. BEZEICHNUNG DES ARZNEIMITTELS",
            p("EXAMPLEX 10 mg Filmtabletten", "EXAMPLEX 20 mg Filmtabletten")),
        Sec("200000029793", "2. QUALITATIVE UND QUANTITATIVE ZUSAMMENSETZUNG", p(
            "<b>EXAMPLEX 10 mg Filmtabletten</b>",
            "Jede Filmtablette enthält 10 mg Examplosartan.",
            "<b>EXAMPLEX 20 mg Filmtabletten</b>",
            "Jede Filmtablette enthält 20 mg Examplosartan.",
            "Sonstiger Bestandteil mit bekannter Wirkung: Jede Filmtablette enthält 52 mg"
            " Lactose.",
            "Vollständige Auflistung der sonstigen Bestandteile, siehe Abschnitt 6.1.")),
        Sec("200000029797", "3. DARREICHUNGSFORM",
            p("Filmtablette.", "Weiße, runde, bikonvexe Tabletten.")),
        Sec("200000029798", "4. KLINISCHE ANGABEN", "", [
            Sec("200000029799", "4.1 Anwendungsgebiete",
                p("EXAMPLEX wird angewendet zur Behandlung der essentiellen Hypertonie bei"
                  " Erwachsenen.")),
            Sec("200000029800", "4.2 Dosierung und Art der Anwendung",
                p("Die empfohlene Dosis beträgt 10 mg einmal täglich.", "Art der Anwendung",
                  "Zum Einnehmen.")),
            Sec("200000029805", "4.3 Gegenanzeigen", p(
                "Überempfindlichkeit gegen den Wirkstoff oder einen der in Abschnitt 6.1"
                " genannten sonstigen Bestandteile.",
                "Zweites und drittes Schwangerschaftstrimester.")),
            Sec("200000029816", "4.8 Nebenwirkungen",
                p("Schwindel und Kopfschmerzen sind häufig (≥1/100, &lt;1/10).")),
        ]),
        Sec("200000029821", "5. PHARMAKOLOGISCHE EIGENSCHAFTEN", "", [
            Sec("200000029822", "5.1 Pharmakodynamische Eigenschaften", p(
                "Pharmakotherapeutische Gruppe: Angiotensin-II-Rezeptorblocker (ARB), rein,"
                " ATC-Code: C09CA99")),
        ]),
        Sec("200000029836", "6. PHARMAZEUTISCHE ANGABEN", "", [
            Sec("200000029837", "6.1 Liste der sonstigen Bestandteile",
                p("<u>Tablettenkern</u>") + "<ul><li>Lactose-Monohydrat</li>"
                "<li>Magnesiumstearat</li></ul>" + p("<u>Filmüberzug</u>")
                + "<ul><li>Hypromellose</li><li>Titandioxid (E 171)</li></ul>"),
        ]),
        Sec("200000029844", "7. INHABER DER ZULASSUNG",
            "<p>Example Pharma GmbH<br/>Beispielstraße 1<br/>10115 Berlin<br/>Deutschland</p>"),
        Sec("200000029845", "8. ZULASSUNGSNUMMER(N)", p("EU/1/20/1234/001", "EU/1/20/1234/002")),
        Sec("200000029846", "9. DATUM DER ERTEILUNG DER ZULASSUNG",
            p("Datum der Erteilung der Zulassung: 15. März 2020",
              "Datum der letzten Verlängerung der Zulassung: 10. Januar 2025")),
        Sec("200000029847", "10. STAND DER INFORMATION", p(revision)),
    ])]


def leaflet_en() -> list[Sec]:
    return [Sec("200000029894", "Package leaflet: Information for the patient", "", [
        Sec("200000029895", "1. What EXAMPLEX is and what it is used for",
            p("EXAMPLEX lowers blood pressure.")),
        Sec("200000029896", "2. What you need to know before you <take> <use> EXAMPLEX",
            p("Do not take EXAMPLEX if you are allergic to examplosartan.")),
    ])]


@dataclass
class Doc:
    kind: str  # SPOR document type code
    lang: str
    title: str
    sections: list[Sec]


def smpc_document(lang: str = "en", **kwargs: str) -> Doc:
    if lang == "de":
        return Doc("100000155532", "de", "Fachinformation", smpc_de(**kwargs))
    return Doc("100000155532", lang, "Summary of product characteristics", smpc_en(**kwargs))


def leaflet_document() -> Doc:
    return Doc("100000155538", "en", "Package leaflet", leaflet_en())


# ---------------------------------------------------------------------------------- XML


def _xml_section(sec: Sec) -> str:
    code = "" if sec.code is None else (
        f'<code><coding><system value="{SPOR}"/><code value="{sec.code}"/></coding></code>')
    text = (f'<text><status value="generated"/><div xmlns="{XHTML}">{sec.html or "<p> </p>"}'
            "</div></text>")
    inner = "".join(_xml_section(s) for s in sec.subsections)
    return f"<section><title value={quoteattr(sec.title)}/>{code}{text}{inner}</section>"


def _xml_composition(doc: Doc, fhir: str) -> str:
    subject = ('<subject><reference value="subjectReference"/></subject>' if fhir == "R5"
               else '<subject><reference value="subjectReference"/></subject>'
               '<confidentiality value="N"/>')
    return (f'<Composition><language value="{doc.lang}"/><status value="final"/>'
            f'<type><coding><system value="{TYPES}"/><code value="{doc.kind}"/></coding></type>'
            f'{subject}<date value="2025-02-01"/><author><reference value="systemUser"/>'
            f'</author><title value={quoteattr(doc.title)}/>'
            + "".join(_xml_section(s) for s in doc.sections) + "</Composition>")


def bundle_xml(*docs: Doc, collection: bool = True, fhir: str = "R5", prolog: str = "") -> str:
    """An ePI as FHIR XML: a collection of document Bundles, or the one document Bundle."""
    def document(doc: Doc, i: int) -> str:
        return (f'<Bundle><id value="doc-{i}"/><type value="document"/><entry>'
                f'<fullUrl value="6a1c0d5e-0000-4000-8000-00000000000{i}"/>'
                f"<resource>{_xml_composition(doc, fhir)}</resource></entry></Bundle>")
    if not collection:
        body = document(docs[0], 0)
        return f'{prolog}{body[:7]} xmlns="http://hl7.org/fhir"{body[7:]}'
    entries = "".join(f'<entry><fullUrl value="6a1c0d5e-1111-4000-8000-00000000000{i}"/>'
                      f"<resource>{document(d, i)}</resource></entry>"
                      for i, d in enumerate(docs))
    return (f'{prolog}<Bundle xmlns="http://hl7.org/fhir"><type value="collection"/>'
            f"{entries}</Bundle>\n")


# --------------------------------------------------------------------------------- JSON


def _json_section(sec: Sec) -> dict[str, object]:
    found: dict[str, object] = {"title": sec.title}
    if sec.code is not None:
        found["code"] = {"coding": [{"system": SPOR, "code": sec.code}]}
    found["text"] = {"status": "generated",
                     "div": f'<div xmlns="{XHTML}">{sec.html or "<p> </p>"}</div>'}
    if sec.subsections:
        found["section"] = [_json_section(s) for s in sec.subsections]
    return found


def _json_composition(doc: Doc, fhir: str) -> dict[str, object]:
    subject: object = ([{"reference": "subjectReference"}] if fhir == "R5"
                       else {"reference": "subjectReference"})
    return {"resourceType": "Composition", "language": doc.lang, "status": "final",
            "type": {"coding": [{"system": TYPES, "code": doc.kind}]}, "subject": subject,
            "date": "2025-02-01", "author": [{"reference": "systemUser"}], "title": doc.title,
            "section": [_json_section(s) for s in doc.sections]}


def bundle_json(*docs: Doc, collection: bool = True, fhir: str = "R5") -> str:
    """An ePI as FHIR JSON, indented so that each section stands on its own lines."""
    def document(doc: Doc, i: int) -> dict[str, object]:
        return {"resourceType": "Bundle", "type": "document", "entry": [
            {"fullUrl": f"6a1c0d5e-0000-4000-8000-00000000000{i}",
             "resource": _json_composition(doc, fhir)}]}
    value = document(docs[0], 0) if not collection else {
        "resourceType": "Bundle", "type": "collection",
        "entry": [{"fullUrl": f"6a1c0d5e-1111-4000-8000-00000000000{i}",
                   "resource": document(d, i)} for i, d in enumerate(docs)]}
    return json.dumps(value, indent=1, ensure_ascii=False) + "\n"
