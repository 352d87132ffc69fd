"""Batch specs: the sample loads; every field is checked by its type; the
campaign facts cannot be set; hostile values are generated, not listed."""

from __future__ import annotations

import dataclasses
import sys
import unicodedata
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from leaflets.batch import SAMPLE_SPEC, load_spec, qr_target
from leaflets.batch.spec import MAX_COPIES
from leaflets.errors import ContentError
from leaflets.model.load import require_project
from leaflets.model.schema import Link, QrTagRule

ROOT = Path(__file__).resolve().parents[1]
HOTLINE = "0120-924-839"


@pytest.fixture(scope="module")
def project():
    return require_project(ROOT)[0]


@pytest.fixture(scope="module")
def tagged(project):
    """The project with a distribution tag allowed."""
    facts = dataclasses.replace(project.facts, qr_tag=QrTagRule(True, "src", "[a-z0-9-]{1,24}"))
    return dataclasses.replace(project, facts=facts)


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def spec(org: str = "name: Sample Support Centre", top: str = "") -> str:
    org_lines = "\n".join("  " + line for line in org.splitlines())
    return f"id: test-batch\norganisation:\n{org_lines}\nlanguages: [ja, en]\nformats: [a4-leaflet]\n{top}"


def errors(tmp_path, project, text: str) -> list:
    path = write(tmp_path, text)
    with pytest.raises(ContentError) as info:
        load_spec(path, project)
    diags = info.value.diagnostics
    assert diags, "a refused spec names at least one problem"
    for d in diags:
        assert d.file == path and d.line is not None and d.hint, d.format()
    return diags


def messages(diags) -> str:
    return "\n".join(d.format() for d in diags)


# ------------------------------------------------------------------ the sample

def test_sample_spec_loads(tmp_path, project):
    s = load_spec(write(tmp_path, SAMPLE_SPEC), project)
    assert s.id == "sample-ngo"
    assert set(s.languages) <= set(project.languages) and s.languages
    assert set(s.designs) <= set(project.designs) and s.designs
    org = s.organisation
    assert org.phones and org.phones[0].e164.startswith("+81")
    assert org.name_for("ja") != org.name_for("th") == org.name[""]
    assert org.postal_code.startswith("〒")
    assert org.website.startswith("https://") and not org.website_display.startswith("http")
    assert s.copies("a4-leaflet", "ja") == 100
    assert s.qr_tag is None


def test_copies_per_format_and_language(tmp_path, project):
    s = load_spec(write(tmp_path, spec(top="copies: {default: 5, formats: {a4-leaflet: 7}, languages: {ja: 9}}")),
                  project)
    assert (s.copies("a4-leaflet", "ja"), s.copies("a4-leaflet", "en"), s.copies("a5-flyer", "en")) == (9, 7, 5)


@pytest.mark.parametrize("value", ["0", "-3", str(MAX_COPIES + 1), "2.5", '"ten"', "true", "10" * 30])
def test_copies_out_of_range(tmp_path, project, value):
    d = errors(tmp_path, project, spec(top=f"copies: {value}"))
    assert any("copies" in x.message and x.line == 6 for x in d), messages(d)


# --------------------------------------------------------------- the campaign's

FACT_NAMES = ["hotline", "Hotline", "hotline_number", "hotlineDisplay", "free_call", "freeCall", "toll_free",
              "tollfree", "free-dial", "report", "report_url", "reportUrl", "report-link", "qr", "qr_url", "qrURL",
              "qr_target", "qr_code", "info", "info_url", "links", "numbers", "agencies", "agency", "Agencies",
              "facts", "campaign", "campaign_id", "national_number", "official_number", "ＨＯＴＬＩＮＥ"]


@pytest.mark.parametrize("name", FACT_NAMES)
@pytest.mark.parametrize("where", ["top", "organisation", "phone"])
def test_campaign_facts_cannot_be_set(tmp_path, project, name, where):
    value = '"0120-111-222"'
    if where == "top":
        text = spec(top=f"{name}: {value}\n")
    elif where == "organisation":
        text = spec(org=f"name: A\n{name}: {value}")
    else:
        text = spec(org=f'name: A\nphones:\n  - number: "03-1234-5678"\n    {name}: {value}')
    d = errors(tmp_path, project, text)
    hit = [x for x in d if "campaign fact" in x.message]
    assert hit, messages(d)
    assert name in hit[0].message and "campaign.yaml" in hit[0].hint


def test_unknown_key_did_you_mean(tmp_path, project):
    d = errors(tmp_path, project, spec(org="name: A\nwebsit: https://www.example.org/"))
    assert any("websit" in x.message and "website" in x.hint for x in d), messages(d)
    d = errors(tmp_path, project, spec(top="designs: [a4-leaflet]\n"))
    assert any("designs" in x.message and "formats" in x.hint for x in d), messages(d)


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "", "42\n"])
def test_spec_must_be_a_mapping(tmp_path, project, text):
    path = write(tmp_path, text)
    with pytest.raises(ContentError) as info:
        load_spec(path, project)
    assert "mapping" in info.value.diagnostics[0].message


def test_enormous_and_aliased_specs(tmp_path, project):
    big = write(tmp_path, spec() + "# " + "x" * (2 << 20) + "\n", "big.yaml")
    with pytest.raises(ContentError) as info:
        load_spec(big, project)
    assert "bytes" in info.value.diagnostics[0].message
    alias = write(tmp_path, "a: &x [1, 2]\nb: *x\n", "alias.yaml")
    with pytest.raises(ContentError) as info:
        load_spec(alias, project)
    assert "anchor" in info.value.diagnostics[0].message or "alias" in info.value.diagnostics[0].message


def test_languages_formats_editions_exist(tmp_path, project):
    text = "organisation: {name: A}\nlanguages: [thai, xx]\nformats: [a4-leafet]\neditions: [pdf]\n"
    d = errors(tmp_path, project, text)
    m = messages(d)
    assert "'th'" in m and "a4-leaflet" in m and "pdf" in m
    assert {x.line for x in d} >= {2, 3, 4}
    d = errors(tmp_path, project, "organisation: {name: A}\n")
    assert any("no languages" in x.message for x in d) and any("no formats" in x.message for x in d)


def test_language_spellings_resolve(tmp_path, project):
    s = load_spec(write(tmp_path, spec().replace("[ja, en]", "[JA, pt_br, zh-CN]")), project)
    assert s.languages == ("ja", "pt-BR", "zh-Hans")
    assert s.editions == ("print",)


# ---------------------------------------------------------------------- phones

def _digit_scripts() -> list[str]:
    """The zero of every decimal digit block Unicode has."""
    zeros = []
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        if unicodedata.category(ch) == "Nd" and unicodedata.decimal(ch) == 0 and \
                all(unicodedata.decimal(chr(cp + i), None) == i for i in range(10)):
            zeros.append(ch)
    return zeros


ZEROS = _digit_scripts()


def _in_script(number: str, zero: str) -> str:
    return "".join(chr(ord(zero) + int(c)) if c.isdigit() else c for c in number)


def test_there_are_many_digit_scripts():
    assert len(ZEROS) > 50


@pytest.mark.parametrize("zero", ZEROS, ids=lambda z: f"U+{ord(z):04X}")
def test_hotline_in_any_digit_script_is_refused(tmp_path, project, zero):
    number = _in_script(HOTLINE, zero)
    d = errors(tmp_path, project, spec(org=f'name: A\nphones: ["{number}"]'))
    assert any("hotline" in x.message for x in d), messages(d)


HOTLINE_DISGUISES = [
    "０１２０－９２４－８３９", "0120 924 839", "0120924839", "+81 120 924 839", "+81-120-924-839", "(0120) 924-839",
    "O12O-924-839", "0l20-924-839", "0120\u200b-924-839", "0120-9\u20602\u00ad4-839", "0120\ufeff924839",
    "01２0-924-８39", "0120-924-838", "0120-924-893", "0120-294-839",
]


@pytest.mark.parametrize("number", HOTLINE_DISGUISES)
def test_hotline_disguised_is_refused(tmp_path, project, number):
    esc = number.encode("unicode_escape").decode("ascii")
    d = errors(tmp_path, project, spec(org=f'name: A\nphones: ["{esc}"]'))
    assert any("hotline" in x.message for x in d), messages(d)


@pytest.mark.parametrize("number", ["312345678", "+81312345678", "0312345670"])
def test_phone_as_yaml_number_is_refused(tmp_path, project, number):
    d = errors(tmp_path, project, spec(org=f"name: A\nphones: [{number}]"))
    assert any("YAML reads" in x.message and "quotes" in x.hint for x in d), messages(d)
    assert any("leading + or 0" in x.message for x in d), messages(d)


def test_an_empty_list_of_phones_says_so(tmp_path, project):
    d = errors(tmp_path, project, spec(org="name: A\nphones: []"))
    assert any(x.message == "organisation.phones lists no number" for x in d), messages(d)


@pytest.mark.parametrize("number", ["03-1234-567", "110", "12345", "+999 123 456", "03 1234 5678 ext 5",
                                    "0990-123-456", "call me", "1-800-FLOWERS", "+", "0120-924-839-0"])
def test_invalid_phone_numbers(tmp_path, project, number):
    errors(tmp_path, project, spec(org=f'name: A\nphones: ["{number}"]'))


def test_phones_are_formatted_by_phonenumbers(tmp_path, project):
    text = spec(org='name: A\nphones: ["０３（１２３４）５６７８", {number: "+63 2 8123 4567", label: Manila office}]')
    s = load_spec(write(tmp_path, text), project)
    a, b = s.organisation.phones
    assert (a.number, a.e164, a.label) == ("03-1234-5678", "+81312345678", None)
    assert (b.number, b.e164, b.label) == ("+63 2 8123 4567", "+63281234567", "Manila office")


# ---------------------------------------------------------------- addresses

CONFUSABLE_HOSTS = ["tokumei24.jp", "www.tokumei24.jp", "TOKUMEI24.JP", "tokumei24.info", "tokumei24.jp.example.org",
                    "tokurnei24.jp", "tokume124.jp", "t0kumei24.jp", "tokumeі24.jp", "tοkumei24.jp",
                    "ｔｏｋｕｍｅｉ２４．ｊｐ", "tokumei24。jp", "tokumei24-support.org", "gem.or.jp",
                    "ngo.gem.or.jp"]


def _idna(host: str) -> str:
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


@pytest.mark.parametrize("host", CONFUSABLE_HOSTS + [_idna("tokumeі24.jp"), _idna("tοkumei24.jp")])
def test_website_confusable_with_campaign_host(tmp_path, project, host):
    d = errors(tmp_path, project, spec(org=f'name: A\nwebsite: "https://{host}/"'))
    assert any("website" in x.message for x in d), messages(d)


@pytest.mark.parametrize("host", CONFUSABLE_HOSTS)
def test_email_to_confusable_domain(tmp_path, project, host):
    d = errors(tmp_path, project, spec(org=f'name: A\nemail: "info@{host}"'))
    assert any("email" in x.message for x in d), messages(d)


@pytest.mark.parametrize("url", ["http://www.example.org/", "www.example.org", "ftp://example.org/",
                                 "javascript:alert(1)", "https://user:pw@example.org/", "https://example.org:8080/",
                                 "https://192.168.0.1/", "https://exa mple.org/", "https://example/",
                                 "https://exa\u200bmple.org/", "https://раураl.com/"])
def test_bad_websites(tmp_path, project, url):
    esc = url.encode("unicode_escape").decode("ascii")
    d = errors(tmp_path, project, spec(org=f'name: A\nwebsite: "{esc}"'))
    assert any("website" in x.message for x in d), messages(d)


def test_website_normalised(tmp_path, project):
    s = load_spec(write(tmp_path, spec(org='name: A\nwebsite: "https://WWW.Example.org:443/help?x=1"')), project)
    assert s.organisation.website == "https://www.example.org/help?x=1"
    assert s.organisation.website_display == "www.example.org/help?x=1"
    s = load_spec(write(tmp_path, spec(org='name: A\nwebsite: "https://例え.jp"')), project)
    assert urlsplit(s.organisation.website).hostname == "例え.jp".encode("idna").decode()
    assert s.organisation.website_display == "例え.jp"


@pytest.mark.parametrize("email", ["a b@example.org", "a@@example.org", "example.org", "mailto:a@example.org",
                                   ".a@example.org", "a@example", "a\u202e@example.org"])
def test_bad_emails(tmp_path, project, email):
    esc = email.encode("unicode_escape").decode("ascii")
    errors(tmp_path, project, spec(org=f'name: A\nemail: "{esc}"'))


@pytest.mark.parametrize("line_id", ["has space", "x" * 21, "a/b", "0120924839", "@ＡＢＣ"])
def test_bad_line_ids(tmp_path, project, line_id):
    errors(tmp_path, project, spec(org=f'name: A\nline_id: "{line_id}"'))


@pytest.mark.parametrize("code,shown", [("1600023", "〒160-0023"), ("160-0023", "〒160-0023"),
                                        ("〒１６０－００２３", "〒160-0023"), ("〒 160-0023", "〒160-0023"),
                                        ("१६०-००२३", "〒160-0023")])
def test_postal_codes(tmp_path, project, code, shown):
    s = load_spec(write(tmp_path, spec(org=f'name: A\npostal_code: "{code}"')), project)
    assert s.organisation.postal_code == shown


@pytest.mark.parametrize("code", ["0120-924-839", "03-1234-5678", "16-00023", "000-0000", "160-00234", "abc"])
def test_bad_postal_codes(tmp_path, project, code):
    d = errors(tmp_path, project, spec(org=f'name: A\npostal_code: "{code}"'))
    if code.startswith(("0120", "03")):
        assert any("phone number" in x.message for x in d), messages(d)
    d = errors(tmp_path, project, spec(org="name: A\npostal_code: 1600023"))
    assert any("YAML reads" in x.message for x in d)


# ------------------------------------------------------------------- free text

FREE_TEXT_BAD = ["Call 03-1234-5678", f"Hotline {HOTLINE}", "See www.example.org", "A\u202eB", "A\u200bB",
                 "A\u2066B\u2069", "e\u0301\u0301\u0301\u0301\u0301\u0301", "Tel ０３１２３４５６７８",
                 "tokumeі24.jp", "A\u0007B"]


@pytest.mark.parametrize("field", ["name", "address", "hours"])
@pytest.mark.parametrize("text", FREE_TEXT_BAD)
def test_free_text_is_guarded(tmp_path, project, field, text):
    esc = text.encode("unicode_escape").decode("ascii")
    org = f'name: A\n{field}: "{esc}"' if field != "name" else f'name: "{esc}"'
    d = errors(tmp_path, project, spec(org=org))
    assert any(f"organisation.{field}" in x.message for x in d), messages(d)


def test_free_text_per_language(tmp_path, project):
    s = load_spec(write(tmp_path, spec(org="name: {default: Centre, ja: センター, ar: مركز}\n"
                                           "hours: 月〜金 10:00〜17:00\naddress: 東京都新宿区西新宿2-8-1 〒163-8001")),
                  project)
    org = s.organisation
    assert (org.name_for("ja"), org.name_for("en"), org.name_for("ar")) == ("センター", "Centre", "مركز")
    assert org.hours_for("th") == "月〜金 10:00〜17:00"
    d = errors(tmp_path, project, spec(org="name: {ja: センター}"))
    assert any("en" in x.message and "default" in x.hint for x in d), messages(d)
    d = errors(tmp_path, project, spec(org="name: {default: A, xx: B}"))
    assert any("'xx'" in x.message for x in d), messages(d)


def test_phone_label_is_guarded(tmp_path, project):
    d = errors(tmp_path, project, spec(org=f'name: A\nphones: [{{number: "03-1234-5678", label: "or {HOTLINE}"}}]'))
    assert any("label" in x.message for x in d), messages(d)


def test_languages_spoken(tmp_path, project):
    s = load_spec(write(tmp_path, spec(org="name: A\nlanguages_spoken: [ja, en_US, fil, my]")), project)
    assert s.organisation.languages_spoken == ("ja", "en-US", "fil", "my")
    errors(tmp_path, project, spec(org="name: A\nlanguages_spoken: [xx-Qaaa]"))


# ---------------------------------------------------------------------- QR tag

def test_qr_tag_off_by_default(tmp_path, project):
    assert project.facts.qr_tag.allowed is False
    d = errors(tmp_path, project, spec(top="qr_tag: shinjuku-station\n"))
    assert any("does not allow" in x.message for x in d), messages(d)
    assert qr_target(project.facts, None) == project.facts.links["report"].url


PERSONAL_TAGS = (["taro@example.org", "taro＠example", "a@b"]
                 + [_in_script("1234", z) for z in ZEROS[:: max(1, len(ZEROS) // 12)]]
                 + ["room-2024", "０９０１２３４５６７８", "090-1234-5678", "tel-0312345678", "+81312345678",
                    "Taro Yamada", "TaroYamada", "Taro-Yamada", "maria santos", "a\u200bb", "x\u00a0y"])


@pytest.mark.parametrize("tag", PERSONAL_TAGS)
def test_personal_tags_are_refused(tmp_path, tagged, tag):
    esc = tag.encode("unicode_escape").decode("ascii")
    d = errors(tmp_path, tagged, spec(top=f'qr_tag: "{esc}"\n'))
    assert any("tag" in x.message for x in d), messages(d)
    with pytest.raises(ValueError):
        qr_target(tagged.facts, tag)


@pytest.mark.parametrize("tag", ["UPPER", "a" * 25, "with_underscore", "shinjuku!"])
def test_tags_outside_the_pattern(tmp_path, tagged, tag):
    d = errors(tmp_path, tagged, spec(top=f'qr_tag: "{tag}"\n'))
    assert any("tag" in x.message for x in d), messages(d)


def test_qr_target_adds_one_parameter(tmp_path, tagged):
    s = load_spec(write(tmp_path, spec(top="qr_tag: shinjuku-station\n")), tagged)
    url = qr_target(tagged.facts, s.qr_tag)
    parts = urlsplit(url)
    report = urlsplit(tagged.facts.links["report"].url)
    assert (parts.scheme, parts.netloc, parts.path) == (report.scheme, report.netloc, report.path)
    assert parse_qs(parts.query) == {"src": ["shinjuku-station"]}
    # the report URL's own query is kept as it is
    links = dict(tagged.facts.links, report=Link("https://www.tokumei24.jp/form?lang=ja&x=a%20b",
                                                  "www.tokumei24.jp/form?lang=ja&x=a%20b"))
    facts = dataclasses.replace(tagged.facts, links=links,
                                qr_tag=QrTagRule(True, "where", r"[a-z0-9\-~.]{1,24}"))
    url = qr_target(facts, "st.~x")
    assert urlsplit(url).query.startswith("lang=ja&x=a%20b&")
    assert parse_qs(urlsplit(url).query) == {"lang": ["ja"], "x": ["a b"], "where": ["st.~x"]}


def test_qr_tag_rule_in_campaign_file(tmp_path):
    from leaflets.errors import Diagnostics
    from leaflets.model.load import load_facts
    base = (ROOT / "content" / "campaign.yaml").read_text(encoding="utf-8")
    head = base.split("\nqr_tag:")[0]
    for rule, bad in [("{allowed: true, parameter: 'a b', pattern: '[a-z]+'}", "parameter"),
                      ("{allowed: true, parameter: src, pattern: '[a-z'}", "pattern"),
                      ("{allowed: true, parameter: src, pattern: '[a-z]*'}", "empty"),
                      ("{allowed: yes please}", "allowed"), ("{allowed: true, colour: red}", "colour")]:
        p = tmp_path / "campaign.yaml"
        p.write_text(head + f"\nqr_tag: {rule}\n", encoding="utf-8")
        diags = Diagnostics()
        assert load_facts(p, diags) is None, rule
        assert any(bad in d.message and d.line for d in diags.errors), [d.format() for d in diags]
    p.write_text(head + "\nqr_tag: {allowed: true, parameter: ref, pattern: '[a-z]{2,8}'}\n", encoding="utf-8")
    diags = Diagnostics()
    facts = load_facts(p, diags)
    assert facts is not None and facts.qr_tag == QrTagRule(True, "ref", "[a-z]{2,8}")


def test_logo_through_the_spec(tmp_path, project):
    (tmp_path / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 1">'
                                       '<rect width="2" height="1" fill="#123456"/></svg>', encoding="utf-8")
    s = load_spec(write(tmp_path, spec(org="name: A\nlogo: logo.svg")), project)
    assert s.organisation.logo.kind == "svg" and s.organisation.logo.aspect == 2.0
    d = errors(tmp_path, project, spec(org="name: A\nlogo: ../logo.svg"))
    assert d[0].line == 4 and "../logo.svg" in d[0].message
