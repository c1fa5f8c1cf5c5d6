"""The sharper translation checks: numbers with their units one to one, English left in a
translation, and the id every check's reasons carry."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smpc_manager.rules import CHECK_IDS, Failure, check_translation
from smpc_manager.rules.numbers import check_numbers, quantities
from smpc_manager.rules.sentences import MIN_WORDS, check_untranslated_sentence
from tests.conftest import REPO

NAME = "BESPONSA"

CONTRACEPTION = ("Women should use effective contraception for at least 8 months after the"
                 " final dose, men for at least 5 months.")
VERHUETUNG = ("Frauen müssen bis mindestens 8 Monate nach der letzten Dosis zuverlässig"
              " verhüten, Männer bis mindestens 5 Monate.")
RESPONSE = ("The median duration of response was 7 months with BESPONSA and 4 months with"
            " chemotherapy.")
ANSPRECHEN = ("Die mediane Dauer des Ansprechens betrug 7 Monate unter BESPONSA und 4 Monate"
              " unter Chemotherapie.")


def failures(source: str, target: str, locale: str = "de",
             untranslatable: tuple[str, ...] = ()) -> list[Failure]:
    return check_translation(source, target, locale, NAME, untranslatable=untranslatable)


def ids(source: str, target: str, **kwargs: tuple[str, ...]) -> set[str]:
    return {f.check for f in failures(source, target, **kwargs)}


# ------------------------------------------------------------------------ the ids


def test_the_check_ids_are_the_documented_ones() -> None:
    assert CHECK_IDS == ("empty", "unsafe-characters", "tags", "name", "numbers",
                         "untranslated-sentence", "placeholders")
    page = (REPO / "docs" / "checks.md").read_text(encoding="utf-8")
    assert tuple(re.findall(r"^\| `([a-z-]+)` \|", page, re.MULTILINE)) == CHECK_IDS


@pytest.mark.parametrize(("source", "target", "check"), [
    ("Each vial contains 1 mg.", " ", "empty"),
    ("Each vial contains 1 mg.", "Je\u200bde enthält 1 mg.", "unsafe-characters"),
    ("1.8 mg/m<sup>2</sup>.", "1,8 mg/m2.", "tags"),
    ("BESPONSA is for intravenous use.", "Besponsa ist intravenös anzuwenden.", "name"),
    ("Each vial contains 1 mg.", "Jede enthält 2 mg.", "numbers"),
    ("See section 6.1.", "Siehe Abschnitt 6,1.", "numbers"),
    (CONTRACEPTION, VERHUETUNG.replace("verhüten", "use effective contraception for at least"),
     "untranslated-sentence"),
])
def test_each_reason_ends_with_its_checks_id(source: str, target: str, check: str) -> None:
    found = failures(source, target)
    assert found
    assert {f.check for f in found} == {check}
    for failure in found:
        assert str(failure).endswith(f" [{check}]")
        assert failure.check in CHECK_IDS


# ------------------------------------------------------------------------ numbers and units


@pytest.mark.parametrize(("source", "target"), [
    (CONTRACEPTION, VERHUETUNG),
    (RESPONSE, ANSPRECHEN),
    ("After reconstitution, 1 mL of solution contains 0.25 mg.",
     "Nach der Rekonstitution enthält 1 ml Lösung 0,25 mg."),
    ("The infusion is given over 1 hour.", "Die Infusion wird über 1 Stunde gegeben."),
    ("A 3-month course, then 2 weeks without.", "Eine 3-monatige Behandlung, dann 2 Wochen"
                                                " ohne."),
    ("For patients from 18 years.", "Für Patienten ab dem 18. Lebensjahr."),
    ("Up to 1,000.5 IU per day.", "Bis zu 1.000,5 I.E. pro Tag."),
    ("Given on Days 1, 8 and 15 of each cycle.", "Gegeben an Tag 15, 8 und 1 jedes Zyklus."),
    ("Reactions (≥ 20%) were X (51%) and Y (49%).", "Reaktionen (≥ 20 %) waren X (51 %) und"
                                                   " Y (49 %)."),
    ("Dose 1.8 mg/m2/day.", "Dosis 1,8 mg/m²/Tag."),
])
def test_numbers_with_their_units_in_the_languages_forms_pass(source: str,
                                                              target: str) -> None:
    assert failures(source, target) == []


def test_exchanged_durations_fail() -> None:
    swapped = ANSPRECHEN.replace("7 Monate", "#").replace("4 Monate", "7 Monate") \
        .replace("#", "4 Monate")
    (failure,) = failures(RESPONSE, swapped)
    assert failure.check == "numbers"
    assert "the numbers in months come in another order than in the English (the English has" \
        " 7, 4, the translation 4, 7): were two exchanged?" in failure.reason


def test_exchanged_doses_fail() -> None:
    source = "Days 1 (0.8 mg/m<sup>2</sup>) and 8 (0.5 mg/m<sup>2</sup>)."
    target = "Tag 1 (0,5 mg/m<sup>2</sup>) und Tag 8 (0,8 mg/m<sup>2</sup>)."
    assert ids(source, target) == {"numbers"}


@pytest.mark.parametrize(("source", "target", "reason"), [
    ("1 mL contains 0.25 mg.", "1 ml enthält 0,25 ml.",
     "0.25 mg in the English is 0,25 ml in the translation: a number keeps its unit"),
    ("For 7 months, then 4 weeks.", "Für 7 Wochen, dann 4 Monate.",
     "7 months in the English is 7 Wochen in the translation: a number keeps its unit"),
    ("For 7 months.", "Für 7 Tage.",
     "7 months in the English is 7 Tage in the translation: a number keeps its unit"),
    ("Over 3 days.", "Über 3.", "3 days in the English is 3 without a unit in the translation"),
    ("Each vial contains 1 mg.", "Jede enthält 1 mg, 3 Fläschchen.",
     "the translation has 3, which the English has not"),
    ("Each vial contains 1 mg.", "Jede enthält 1 mg und 1 mg.",
     "the translation has 1 mg more often than the English"),
    ("Two doses of 0.5 mg and 0.5 mg.", "Zwei Dosen von 0,5 mg.", "the number 0.5 is missing"),
])
def test_a_number_with_another_unit_or_one_too_many_fails(source: str, target: str,
                                                           reason: str) -> None:
    found = failures(source, target)
    assert {f.check for f in found} == {"numbers"}
    assert reason in "\n".join(f.reason for f in found)


def test_the_english_notation_is_named_once() -> None:
    found = failures("Each vial contains 0.25 mg.", "Jede enthält 0.25 mg.")
    assert [f.reason for f in found] == ["the number 0.25 is missing: in de it is written 0,25"]


def test_a_language_without_unit_words_is_held_to_the_symbols() -> None:
    assert check_numbers("For 7 months, 0.25 mg.", "Pendant 7 mois, 0,25 mg.", "fr") == []
    assert check_numbers("For 7 months, 0.25 mg.", "Pendant 7 mois, 0,25 ml.", "fr")


def test_the_two_of_a_square_metre_is_no_number() -> None:
    (quantity,) = quantities("1.8 mg/m2", "en", words=True)
    assert (quantity.value, quantity.unit) == ("1.8", "mg/m2")


@pytest.mark.parametrize(("source", "target"), [
    ("Iron oxide yellow (E172)", "Eisen(III)-hydroxid-oxid x H2O (E172)"),
    ("Vitamin B12 and CO2", "Cyanocobalamin und Kohlendioxid"),
])
def test_the_digits_of_a_code_or_formula_are_no_number(source: str, target: str) -> None:
    assert check_numbers(source, target, "de") == []
    # a number standing on its own is still one
    assert check_numbers(source + " 5 mg", target + " 6 mg", "de") != []


@given(st.lists(st.sampled_from(["0.25 mg", "1 hour", "7 months", "4 weeks", "20%", "8"]),
                min_size=2, max_size=6))
def test_the_english_against_itself_in_german_notation_passes(parts: list[str]) -> None:
    german = {"0.25 mg": "0,25 mg", "1 hour": "1 Stunde", "7 months": "7 Monate",
              "4 weeks": "4 Wochen", "20%": "20 %", "8": "8"}
    english = ", ".join(parts)
    assert check_numbers(english, ", ".join(german[p] for p in parts), "de") == []
    reordered = list(reversed(parts))
    if any(a != b and a.split()[-1] == b.split()[-1] for a, b in zip(parts, reordered,
                                                                      strict=True)):
        return  # two of one unit exchanged: the order check's case
    assert check_numbers(english, ", ".join(german[p] for p in reordered), "de") == []


# ------------------------------------------------------------------------ English left as it was

WARNING = ("Hepatotoxicity, including life-threatening venoocclusive liver disease, has been"
           " reported. Monitor closely for signs and symptoms of VOD/SOS.")
WARNUNG = ("Hepatotoxizität, einschließlich lebensbedrohlicher venookklusiver"
           " Lebererkrankung, wurde berichtet. Die Patienten sind engmaschig auf Anzeichen"
           " und Symptome einer VOD/SOS zu überwachen.")


def test_an_english_sentence_left_in_a_translation_fails() -> None:
    target = WARNUNG.replace("Die Patienten sind engmaschig auf Anzeichen und Symptome einer"
                             " VOD/SOS zu überwachen.",
                             "Monitor closely for signs and symptoms of VOD/SOS.")
    (failure,) = failures(WARNING, target)
    assert failure.check == "untranslated-sentence"
    assert failure.reason == ("7 words of the English are left as they are: 'Monitor closely"
                              " for signs and symptoms of'")


def test_a_translation_passes() -> None:
    assert failures(WARNING, WARNUNG) == []


def test_a_list_of_names_the_same_in_both_languages_is_no_sentence() -> None:
    english = "Patients had rituximab, trastuzumab, nivolumab, ipilimumab, pembrolizumab."
    german = "Patienten erhielten rituximab, trastuzumab, nivolumab, ipilimumab, pembrolizumab."
    assert check_untranslated_sentence(english, german) == []
    assert check_untranslated_sentence(english.replace(",", ""), german.replace(",", ""))


def test_a_number_inside_a_clause_does_not_end_it() -> None:
    english = "The infusion is given over 1.5 hours to all adult patients."
    german = "Die Infusion: is given over 1,5 hours to all adult patients."
    (reason,) = check_untranslated_sentence(english, german)
    assert reason.startswith("8 words of the English are left as they are: 'is given over")


@pytest.mark.parametrize("kept", [
    # Four words are not a sentence.
    "Hepatotoxizität wurde berichtet: signs and symptoms of VOD/SOS.",
    # Names and codes stay in English and are not counted.
    "Hepatotoxizität wurde berichtet (Philadelphia Chromosome Positive ALL VOD/SOS CD22 TKI).",
])
def test_short_runs_names_and_codes_may_stay(kept: str) -> None:
    source = ("Hepatotoxicity has been reported: signs and symptoms of VOD/SOS in"
              " Philadelphia Chromosome Positive ALL VOD/SOS CD22 TKI patients.")
    assert check_untranslated_sentence(source, kept) == []


STUDY = "In the study of inotuzumab ozogamicin versus standard of care, 20% responded."
STUDIE = "In der Studie study of inotuzumab ozogamicin versus standard of care sprachen 20 % an."


def test_the_portfolios_untranslatable_terms_may_stay() -> None:
    assert ids(STUDY, STUDIE) == {"untranslated-sentence"}
    terms = ("Study of Inotuzumab Ozogamicin versus Standard of Care",)
    assert failures(STUDY, STUDIE, untranslatable=terms) == []


def test_a_translation_into_the_source_language_is_not_english_left() -> None:
    assert check_translation(WARNING, WARNING, "en_GB", NAME) == []


@given(st.lists(st.sampled_from(["the", "dose", "was", "given", "to", "all", "adults", "over",
                                 "one", "hour"]), min_size=MIN_WORDS, max_size=12))
def test_any_run_of_the_english_left_in_german_fails(words: list[str]) -> None:
    english = " ".join(words) + "."
    german = f"Die Dosis: {english} Ende."
    found = check_untranslated_sentence(english, german)
    assert len(found) == 1
    assert re.match(rf"{len(words)} words of the English are left as they are", found[0])
