"""Market profiles: the shipped ones, a portfolio's own, and the problems a bad one names."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from smpc_manager.errors import ProblemsError, UsageError
from smpc_manager.markets import (
    FIELDS,
    PROFILE_DIR,
    load_profile,
    markets_for,
    parse_profile,
    shipped_markets,
)
from smpc_manager.markets.elements import ELEMENT_KEYS
from smpc_manager.markets.profiles import TOP_KEYS
from smpc_manager.portfolio import load_portfolio
from smpc_manager.products import load_product

from .conftest import DATA, EXAMPLE, REPO

MINIMAL = """\
market = "CH"
locale = "de_CH"
title = "Abbreviated summary of product characteristics"

[prescription]
A = "Subject to prescription and pharmacy-only, repeat dispensing prohibited"

[[element]]
field = "name"
end = ""

[[element]]
field = "indications"
label = "Therapeutic indications"
"""


def test_shipped_markets() -> None:
    assert shipped_markets() == ("AT", "DE", "GB", "IE")


@pytest.mark.parametrize("market", ["AT", "DE", "GB", "IE"])
def test_every_shipped_profile_loads(market: str) -> None:
    profile = load_profile(market)
    assert profile.market == market
    # the ▼ statement first (printed only while the product is under additional monitoring)
    assert [e.field for e in profile.elements[:2]] == ["additional-monitoring", "name"]
    assert all(e.field in FIELDS for e in profile.elements if e.field)
    assert profile.source.path.endswith(f"profiles/{market.lower()}.toml")
    assert len(profile.sha256) == 64
    # every message points at the line of the profile that defines it
    lines = PROFILE_DIR.joinpath(
        f"{market.lower()}.toml").read_text(encoding="utf-8").splitlines()
    for message in profile.messages():
        assert message.msgid in lines[message.location.line - 1] or \
            message.msgid.startswith(lines[message.location.line - 1].split('"')[1])


def test_at_follows_the_seed() -> None:
    profile = load_profile("at")  # case does not matter
    assert profile.locale == "de_AT"
    assert profile.required_fields() == (
        "name", "composition", "excipients", "indications", "contraindications",
        "pharmacotherapeutic-group", "atc-code", "marketing-authorisation-holder",
        "revision-date", "prescription-status",
    )
    assert profile.month_names["de_AT"][0] == "Jänner"
    # the seed's closing sentence runs in after the prescription status; the optional
    # market lines a product may add (pack sizes, reimbursement) follow it
    closing = next(e for e in profile.elements if e.field is None)
    assert closing.phrase is not None
    assert closing.run_in
    assert "published summary of product characteristics" in closing.phrase.msgid
    assert [e.field for e in profile.elements[-2:]] == ["packs", "reimbursement"]
    assert all(e.optional for e in profile.elements[-2:])


def test_de_has_the_hwg_items() -> None:
    profile = load_profile("DE")
    fields = {e.field: e for e in profile.elements}
    # Nr. 6: the side effects of the package leaflet (the SmPC's where a product has none);
    # Nr. 7: the warnings of the label, where a product has any
    assert fields["leaflet-side-effects"].fallback == "undesirable-effects"
    assert fields["label-warnings"].optional
    assert "warnings" not in fields
    active = next(e for e in profile.elements if e.field == "active-substance")
    assert active.when == "single-active-not-in-name"
    assert profile.prescription["Rx"].msgid == "Prescription only"
    assert profile.month_names["de_DE"][0] == "Januar"


def test_ie_and_gb_print_the_legal_category_code() -> None:
    for market, code in (("IE", "S1A"), ("GB", "POM")):
        profile = load_profile(market)
        status = next(e for e in profile.elements if e.field == "prescription-status")
        assert status.print == "code"
        assert code in profile.prescription
    assert "cost" in load_profile("GB").required_fields()
    assert "cost" not in load_profile("IE").required_fields()
    assert load_profile("GB").policy.max_prescribing_information_age_months == 24
    assert all(load_profile(market).policy.max_prescribing_information_age_months is None
               for market in ("AT", "DE", "IE"))


def test_unknown_market_is_a_usage_error_listing_the_known() -> None:
    with pytest.raises(UsageError, match=r"unknown market 'XX' \(known: AT, DE, GB, IE\)"):
        load_profile("XX")
    with pytest.raises(UsageError):
        load_profile("../at")


def test_markets_for_the_example() -> None:
    portfolio = load_portfolio(EXAMPLE)
    product = load_product(EXAMPLE / "products" / "besponsa.xml")
    assert markets_for(product, portfolio) == ("AT", "DE", "IE")
    gb = load_portfolio(DATA / "gb")
    assert markets_for(load_product(DATA / "gb" / "products" / "besponsa.xml"), gb) == ("GB",)


def test_markets_for_needs_status_and_authorisation(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "p")
    (tmp_path / "p" / "smpc.toml").write_text('markets = ["AT", "GB", "IE"]\n')
    portfolio = load_portfolio(tmp_path / "p")
    product = load_product(tmp_path / "p" / "products" / "besponsa.xml")
    # GB: no prescription-status and the EU authorisation does not cover it
    assert markets_for(product, portfolio) == ("AT", "IE")


def test_portfolio_profile_inline(tmp_path: Path) -> None:
    table = MINIMAL.replace("[prescription]", "[profiles.CH.prescription]").replace(
        "[[element]]", "[[profiles.CH.element]]")
    head, rest = table.split("\n[profiles.CH.prescription]")
    (tmp_path / "smpc.toml").write_text("[profiles.CH]\n" + head + "\n[profiles.CH.prescription]"
                                        + rest)
    portfolio = load_portfolio(tmp_path)
    profile = load_profile("CH", portfolio)
    assert profile.locale == "de_CH"
    assert [e.field for e in profile.elements] == ["name", "indications"]
    assert profile.source.path == str(tmp_path / "smpc.toml")
    label = profile.elements[1].label
    assert label is not None
    assert label.location.line == 15


def test_portfolio_profile_file_overrides_a_shipped_market(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "at.toml").write_text(MINIMAL.replace('"CH"', '"AT"'))
    (tmp_path / "smpc.toml").write_text('[profiles]\nAT = "profiles/at.toml"\n')
    profile = load_profile("AT", load_portfolio(tmp_path))
    assert profile.locale == "de_CH"
    assert profile.source.path == str(tmp_path / "profiles" / "at.toml")


def test_portfolio_profile_file_missing(tmp_path: Path) -> None:
    (tmp_path / "smpc.toml").write_text('[profiles]\nCH = "profiles/ch.toml"\n')
    with pytest.raises(ProblemsError) as caught:
        load_profile("CH", load_portfolio(tmp_path))
    assert caught.value.lines() == [
        f"{tmp_path / 'smpc.toml'}:2: profile file for market CH 'profiles/ch.toml' cannot"
        " be read: No such file or directory"
    ]


def _problems(text: str) -> list[str]:
    with pytest.raises(ProblemsError) as caught:
        parse_profile(text.encode(), "ch.toml", "CH")
    return caught.value.lines()


def test_unknown_keys_are_named_with_their_line() -> None:
    text = MINIMAL.replace('title =', 'colour = "red"\ntitle =').replace(
        'label = "Therapeutic', 'lable = "x"\nlabel = "Therapeutic')
    assert _problems(text) == [
        "ch.toml:3: unknown profile key 'colour' (known: controlled-drug, cost-format,"
        " dated-cost-format, element, email-format, list-style, locale, market, month-names,"
        " phone-format, policy, prescription, presentation-note, price-date-format,"
        " reimbursement, revision-date-format, title)",
        "ch.toml:15: element 2: unknown key 'lable' (known: contact-format, end, fallback,"
        " field, label, optional, phrase, plural-label, print, run-in, smpc, when)",
    ]


def test_the_old_revision_age_key_is_refused_naming_the_new() -> None:
    text = MINIMAL.replace("[prescription]",
                           "[policy]\nmax-revision-age-months = 24\n\n[prescription]")
    (problem,) = _problems(text)
    assert problem.startswith("ch.toml:6: policy.max-revision-age-months is no longer read:")
    assert "write max-prescribing-information-age-months instead" in problem
    limited = MINIMAL.replace(
        "[prescription]", "[policy]\nmax-prescribing-information-age-months = 18\n\n"
        "[prescription]")
    assert parse_profile(limited.encode(), "ch.toml", "CH").policy \
        .max_prescribing_information_age_months == 18


def test_missing_required_fields() -> None:
    text = MINIMAL.replace('locale = "de_CH"\n', "")
    assert _problems(text) == ["ch.toml: the profile for CH has no 'locale' (required)"]
    assert _problems('market = "CH"\n') == [
        "ch.toml: the profile for CH has no 'locale' (required)",
        "ch.toml: the profile for CH has no 'title' (required)",
        "ch.toml: the profile for CH has no 'element' (required)",
    ]


def test_bad_values_are_named() -> None:
    text = MINIMAL.replace('field = "indications"', 'field = "indication"').replace(
        'locale = "de_CH"', 'locale = "xx_QQ"')
    assert _problems(text) == [
        "ch.toml:2: locale 'xx_QQ' is not a locale CLDR knows (e.g. de_AT, en_IE)",
        "ch.toml:13: element 2: field 'indication' is not a product field (known: "
        + ", ".join(FIELDS) + ")",
    ]
    both = MINIMAL.replace('field = "indications"', 'field = "indications"\nphrase = "x"')
    assert _problems(both) == [
        "ch.toml:13: element 2: needs exactly one of 'field' (a product field) or 'phrase'"
        " (a fixed text)"
    ]
    code = MINIMAL.replace('label = "Therapeutic indications"', 'print = "code"')
    assert _problems(code)[0].startswith("ch.toml:14: element 2: print = 'code' is only for")


def test_wrong_market_and_bad_toml() -> None:
    assert _problems(MINIMAL.replace('market = "CH"', 'market = "AT"')) == [
        "ch.toml:1: market must be 'CH' (the profile's market), found 'AT'"
    ]
    assert _problems(MINIMAL + "[[element]\n") == [
        "ch.toml:15:10: is not valid TOML: expected ']]' at the end of an array declaration"
    ]


def test_month_names_must_be_twelve() -> None:
    text = MINIMAL + '\n[month-names]\nde_CH = ["Jänner"]\n'
    assert _problems(text) == [
        "ch.toml:17: month-names.de_CH must list the 12 month names, found ['Jänner']"
    ]


def test_patterns_fallbacks_and_contact_formats_are_checked() -> None:
    text = MINIMAL.replace('title = "Abbreviated', 'cost-format = "%(amount)s, 100%"\n'
                           'presentation-note = "(only %(strengths)s)"\ntitle = "Abbreviated')
    text = text.replace('label = "Therapeutic indications"',
                        'label = "Therapeutic indications"\nfallback = "cost"\n'
                        'contact-format = "%(company)s"')
    assert _problems(text) == [
        "ch.toml:3: cost-format uses %(amount)s; only %(price)s and %(pack)s exist",
        "ch.toml:3: cost-format has a % that is no placeholder (write %% for a percent sign)",
        "ch.toml:4: presentation-note uses %(strengths)s; only %(presentations)s exist",
        "ch.toml:18: element 2: contact-format is a text, for adverse-event-reporting",
    ]
    fallback = MINIMAL.replace('label = "Therapeutic indications"',
                               'label = "Therapeutic indications"\nfallback = "ATC"')
    assert _problems(fallback) == [
        "ch.toml:15: element 2: fallback = 'ATC' must name a product field printed where the"
        " product has no data for the element's field"]
    statement = MINIMAL + ('\n[[element]]\nfield = "adverse-event-reporting"\n'
                           'phrase = "Report to %(holder)s."\n')
    assert _problems(statement) == [
        "ch.toml:18: element 3: phrase uses %(holder)s; only %(company)s exist"]
    contact = MINIMAL.replace('title = "Abbreviated', 'phone-format = "Tel.: %(number)s"\n'
                              'email-format = "E-mail: %(email)s"\ntitle = "Abbreviated')
    assert _problems(contact) == [
        "ch.toml:3: phone-format uses %(number)s; only %(phone)s exist"]
    profile = parse_profile(contact.replace("%(number)s", "%(phone)s").encode(), "ch.toml",
                            "CH")
    assert profile.phone_format is not None
    assert profile.email_format is not None
    assert (profile.phone_format.msgid, profile.email_format.msgid) == (
        "Tel.: %(phone)s", "E-mail: %(email)s")
    assert {profile.phone_format, profile.email_format} <= set(profile.messages())


def test_a_plural_label_is_for_a_labelled_list() -> None:
    numbers = MINIMAL + ('\n[[element]]\nfield = "marketing-authorisation"\n'
                         'label = "Marketing authorisation number"\n'
                         'plural-label = "Marketing authorisation numbers"\n')
    element = parse_profile(numbers.encode(), "ch.toml", "CH").elements[-1]
    assert element.plural_label is not None
    assert element.plural_label.msgid == "Marketing authorisation numbers"
    assert element.plural_label.location.line == 19
    assert element.plural_label in element.messages()
    for text in (MINIMAL.replace('label = "Therapeutic indications"',
                                 'label = "Therapeutic indications"\nplural-label = "x"'),
                 numbers.replace('label = "Marketing authorisation number"\n', "")):
        [problem] = _problems(text)
        assert problem.endswith("plural-label is a non-empty text, the label's plural, for"
                                " an element with a label that prints one of"
                                " active-substance, marketing-authorisation, packs")


def test_the_markets_guide_names_every_field_and_key() -> None:
    guide = (REPO / "docs" / "markets.md").read_text(encoding="utf-8")
    for name in FIELDS:
        assert f"| `{name}` |" in guide, name
    for key in sorted(ELEMENT_KEYS) + sorted(TOP_KEYS - {"element"}):
        assert f"`{key}`" in guide or f"`[{key}]`" in guide, key
    # the guide's example profile is one the loader takes
    example = guide.split("```toml\n[profiles.CH]\n", 1)[1].split("```", 1)[0]
    example = re.sub(r"profiles\.CH\.?", "", "[profiles.CH]\n" + example)
    profile = parse_profile(example.replace("[]\n", "", 1).encode(), "ch.toml", "CH")
    assert [e.field for e in profile.elements] == ["name", "composition", "excipients",
                                                  "prescription-status"]
