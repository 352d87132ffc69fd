"""The facts guard: no text may change or imitate the campaign's numbers and
addresses, in any script, width or invisible disguise.

The payloads are generated from Unicode's own data (every script's digits,
every format character, every homoglyph of the campaign host's letters), not
listed by hand, so that the guard is tested as a mechanism."""

from __future__ import annotations

import io
import sys
import unicodedata
from pathlib import Path

import pytest

from leaflets.cli import main
from leaflets.model.guard import FactsGuard, char_name, digit_value
from leaflets.model.load import load_project

HOTLINE = "0120-924-839"
WRONG = "0120-924-830"


@pytest.fixture(scope="module")
def guard(root):
    project, diags = load_project(root)
    assert project is not None and not diags.errors
    return FactsGuard.from_facts(project.facts)


def zeros() -> list[str]:
    """The digit zero of every decimal digit set Unicode has (Nd, values 0-9 in a row)."""
    out = []
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        if unicodedata.category(ch) == "Nd" and unicodedata.decimal(ch) == 0 and \
                all(unicodedata.category(chr(cp + i)) == "Nd" for i in range(10)):
            out.append(ch)
    return out


def in_script(number: str, zero: str) -> str:
    return "".join(chr(ord(zero) + int(c)) if c.isdigit() else c for c in number)


def messages(findings) -> str:
    return "\n".join(f.message + " / " + f.hint for f in findings)


# ----------------------------------------------------------------- numbers

def test_every_script_digit_set_is_read_by_value(guard):
    sets = zeros()
    assert len(sets) > 50          # Unicode has ~70 decimal digit sets
    for zero in sets:
        wrong = in_script(WRONG, zero)
        found = guard.check(f"call {wrong} now")
        assert found, f"{char_name(zero)}: {wrong!r} passed"
        assert "not one of the campaign's numbers" in messages(found)
        same = in_script(HOTLINE, zero)
        if zero != "0":
            found = guard.check(f"call {same} now")
            assert found and "written another way" in messages(found), f"{char_name(zero)}: {same!r}"
            assert HOTLINE in messages(found)


def _numerals() -> dict[int, list[str]]:
    """Every character that is no decimal digit but has a digit's value (Unicode's Numeric_Value 0-9), by value."""
    out: dict[int, list[str]] = {}
    for cp in range(0x80, sys.maxunicode + 1):
        ch = chr(cp)
        if unicodedata.category(ch) == "Nd":
            continue
        v = unicodedata.numeric(ch, None)
        if v is not None and v == int(v) and 0 <= v <= 9 and unicodedata.normalize("NFKC", ch) == ch:
            out.setdefault(int(v), []).append(ch)
    return out


def test_numerals_that_are_no_digits_are_read_by_value_where_they_stand_together(guard):
    """〇一二〇・九二四・八三九 (ideographs), 零一二零… (Chinese), and every other set of numerals with a digit's
    value: the hotline in them is the hotline written another way, another number is refused."""
    numerals = _numerals()
    assert {len(numerals[d]) > 0 for d in range(10)} == {True}
    assert "〇" in numerals[0] and "一" in numerals[1] and "九" in numerals[9] and "零" in numerals[0]
    for other in ("〇一二〇・九二四・八三九", "〇一二〇九二四八三九", "零一二零九二四八三九", "〇一二〇 九二四 八三九"):
        found = guard.check(f"電話 {other} へ")
        assert found and "written another way" in messages(found), other
    assert "not one of the campaign's numbers" in messages(guard.check("電話 〇三・五五五五・一二三四 へ"))
    # one numeral of each value, as many sets as Unicode has, in turn
    for k in range(max(len(v) for v in numerals.values())):
        digits = "".join(numerals[int(d)][k % len(numerals[int(d)])] for d in "0120924830")
        found = guard.check(f"call {digits} now")
        assert "not one of the campaign's numbers" in messages(found), digits
    # alone, and among words, a numeral is a word: 一人, 一一〇番 (three digits), 二〇二六年
    for ok in ("一人で悩まないで", "一一〇番に電話", "二〇二六年一月一日", "第三者", "九州と四国"):
        assert guard.check(ok) == [], ok
    assert "written another way" in messages(guard.check("0120一924一839"))     # 一 between digits: a dash


def _spellouts() -> dict[str, list[str]]:
    """The words ICU spells 0 to 9 with in every locale Babel knows whose ten words the guard's table has
    (those with its digits): locale -> words."""
    from babel.localedata import locale_identifiers
    from icu4py.locale import Locale
    from icu4py.messageformat import MessageFormat
    from leaflets.model import numberwords
    table = numberwords._table()
    out = {}
    for ident in sorted(locale_identifiers()):
        fmt = MessageFormat("{n, spellout}", Locale(ident.replace("_", "-")))
        words = [fmt.format({"n": n}) for n in range(10)]
        if all(table.get(numberwords.fold(w)) == n for n, w in enumerate(words)):
            out[ident] = words
    return out


def test_the_hotline_spelled_in_words_is_refused_in_every_language_icu_spells_numbers_in(guard):
    """"zero one two zero nine two four eight three nine", "공일이공 구이사 팔삼구", Thai with no spaces: in
    the words of every locale ICU spells numbers in, spaced, dashed or glued, upper-case or full-width,
    decomposed, alone or mixed with digits; another valid phone number in words is refused as well."""
    spellouts = _spellouts()
    assert len({tuple(w) for w in spellouts.values()}) > 60        # distinct sets of words, not only English
    assert {"en", "th", "ko", "vi", "my", "km", "ru", "ar", "ne", "fil"} <= set(spellouts)
    for ident, words in spellouts.items():
        spell = lambda number, sep=" ": sep.join(words[int(c)] for c in number if c.isdigit())  # noqa: E731
        forms = [spell("0120924839"), spell("0120924839", "-"), spell("0120924839", ""),
                 spell("0120924839").upper(), unicodedata.normalize("NFD", spell("0120924839")),
                 spell("0120") + " 924-839"]
        for form in forms:
            found = messages(guard.check(f"« {form} »"))
            # (words that are numerals too, 零一二…, are judged as numerals first)
            assert "spells the campaign's hotline number in words" in found or \
                "hotline number written another way" in found, (ident, form)
        other = messages(guard.check(f"« {spell('0355551234')} »"))
        assert "spells a phone number in words" in other or "not one of the campaign's numbers" in other, \
            (ident, spell("0355551234"))
    assert "hotline number in words" in messages(guard.check("Ｚｅｒｏ ｏｎｅ ｔｗｏ ｚｅｒｏ ９２４ ８３９"))


def test_words_that_hold_number_words_stay_words(guard):
    """Number words inside other words (someone, stone, tone), a few of them in a row, counting, and
    Korean syllables that are number words in ordinary words: no finding."""
    for ok in ("Someone won two prizes; the stone has one tone.", "one, two, three, four, five, six, seven",
               "이 일은 사이가 좋은 오구 이사 공간입니다", "Ang isa o dalawang tao", "không một ai biết",
               "ศูนย์ช่วยเหลือหนึ่งแห่ง"):
        assert guard.check(ok) == [], ok


def test_the_kept_number_words_are_those_icu_spells(tmp_path):
    import json
    from icu4py._version import icu_version
    from leaflets.model import numberwords
    kept = json.loads(numberwords.TABLE_FILE.read_text("utf-8"))
    if kept["icu"] != str(icu_version):
        pytest.skip(f"the table was made with ICU {kept['icu']}, this is ICU {icu_version}: make it again with "
                    "leaflets.model.numberwords.write_table()")
    assert numberwords.write_table(tmp_path / "again.json").read_bytes() == numberwords.TABLE_FILE.read_bytes()


def test_the_display_form_is_the_only_accepted_form(guard):
    assert guard.check(f"Call {HOTLINE} (toll-free).") == []
    for other in ("+81 120 924 839", "+81-120-924-839", "0120 924 839", "0120924839", "(0120) 924-839",
                  "０１２０－９２４－８３９", "0120・924・839", "0120ー924ー839", "0120−924−839", "0120.924.839",
                  "⓪①②⓪-⑨②④-⑧③⑨", "𝟎𝟏𝟐𝟎-𝟗𝟐𝟒-𝟖𝟑𝟗", "O12O-924-839"):
        found = guard.check(f"call {other}")
        assert found, other
        assert f"write it exactly as {HOTLINE}" in messages(found), other


def test_the_hotline_stands_on_its_own(guard):
    assert guard.check(f"Call {HOTLINE} (24 hours)") == []
    assert guard.check(f"{HOTLINE} / {HOTLINE}") == []
    for longer in (f"{HOTLINE}-1", f"{HOTLINE}0", f"1{HOTLINE}", f"{HOTLINE}.5"):
        assert "not one of the campaign's numbers" in messages(guard.check(longer)), longer


def test_any_other_phone_number_is_refused(guard):
    """A number phonenumbers reads as valid (Japanese from its trunk prefix, any other country's after '+'),
    and one a digit off the campaign's own."""
    for other in ("03-1234-5678", "090-1234-5678", "+1 202 555 0143", "0120-000-000", "0312345678",
                  "(03) 3581-0141", "0570-000-911", "+66 2 123 4567", "+44 20 7946 0958", "〇三・五五五五・一二三四",
                  "0120-924-8390", "0120-924-830", "120 924 838"):
        assert "not one of the campaign's numbers" in messages(guard.check(f"tel {other} now")), other


def test_digits_no_phone_number_parser_reads_as_one_pass(guard):
    """Years and their ranges, dates in any order, times with dots, amounts with any thousands separator,
    lists, codes: text a translator needs, in any script's digits, is no phone number."""
    thai = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
    for ok in ("From 2019–2023, 1,234 people asked for help.", "2019〜2023年の5年間", "2023-2024 학년도",
               "Дата вступления в силу: 01.04.2024.", "Berlaku sejak 01-04-2024.", "2024. 04. 01. 개정",
               "Jam kerja: pukul 08.00–17.00 WIB.", "Hours 9.00-12.00, 13.00-17.00", "Lương 12.000.000 đồng/tháng.",
               "Бюджет 12 000 000 рублей.", "Fees: 200 000 – 300 000 yen.", "Japan had 125,416,877 residents in 2023.",
               "人口は126,146,099人です。", "Cases: 312, 456, 789.", "312、456、789件", "47/53/61/120",
               "Open Monday to Friday, 9 to 12, 13 to 17.", "Năm 2021, 2022 và 2023 đều tăng.",
               "Call 0120-924-839\n(24 hours)", "ホットライン\n0120-924-839\n（24時間）", "2019\n2020\n2021\n2022",
               "ISBN 978-4-00-000000-0", "ตั้งแต่ปี 2562–2566 มีผู้เสียหาย 1,234 คน".translate(thai)):
        assert guard.check(ok) == [], (ok, messages(guard.check(ok)))


def test_ordinary_numbers_and_postal_codes_pass(guard):
    for ok in ("In 2019, 47 victims (+20) and 19 minors.", "〒100-8914 東京都千代田区永田町1-6-1", "24 hours, 365 days",
               "A4, B2 and 91 x 55 mm", "on 2019.12.31", "from 9:00 to 17:00"):
        assert guard.check(ok) == [], ok


def test_every_invisible_character_inside_a_number_is_named(guard):
    hidden = [chr(cp) for cp in range(sys.maxunicode + 1)
              if unicodedata.category(chr(cp)) == "Cf" and cp not in range(0x202A, 0x202F)
              and cp not in range(0x2066, 0x206A)]
    hidden += ["\u3164", "\u115f", "\ufe0f", "\u034f", "\u20e3", "\u0301"]
    for ch in hidden:
        text = HOTLINE[:6] + ch + HOTLINE[6:]
        found = messages(guard.check(text, rtl=True))
        assert found, char_name(ch)
        assert f"U+{ord(ch):04X}" in found, (char_name(ch), found)


# --------------------------------------------------------- hidden characters

def test_control_and_bidi_characters_are_refused_everywhere(guard):
    controls = [chr(c) for c in list(range(0x00, 0x20)) + list(range(0x7F, 0xA0)) if c != 0x0A]
    bidi = [chr(c) for c in list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A))]
    for ch in controls + bidi:
        for rtl in (False, True):
            found = messages(guard.check(f"Human{ch} trafficking", rtl=rtl))
            assert f"U+{ord(ch):04X}" in found, char_name(ch)
            assert ch not in found           # never echoed raw


def test_a_reversed_hotline_is_refused(guard):
    # stored as the hotline, displayed as 938-429-0210
    found = messages(guard.check("\u202e" + HOTLINE + "\u202c"))
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in found


def test_joiners_and_direction_marks(guard):
    assert guard.check("ශ්\u200dරී ලංකාව") == []                  # Sinhala yansaya
    assert guard.check("می\u200cخواهم", rtl=True) == []             # Persian ZWNJ
    assert guard.check("क्\u200dष", rtl=False) == []                 # Devanagari half form
    assert guard.check("مرحبا \u200f!", rtl=True) == []
    assert "U+200F" in messages(guard.check("hello \u200f!", rtl=False))
    assert "U+200D" in messages(guard.check("hello\u200d 1"))
    assert "U+200C" in messages(guard.check("abc\u200cмир"))        # two scripts


def test_text_sanity(guard):
    assert "no letter to sit on" in messages(guard.check("\u0301abc"))
    assert "no letter to sit on" in messages(guard.check("abc \u0e49"))
    assert "stacked" in messages(guard.check("Z" + "\u0300\u0301\u0302\u0303\u0304\u0305\u0306" + "algo"))
    assert "twice" in messages(guard.check("ก\u0e48\u0e48"))
    # real text with several marks on a letter passes
    for ok in ("Tiếng Việt", "ကြွေး", "ក្ស្ត្រ", "བསྒྲུབས", "प्रकृति", "שָׁלוֹם"):
        assert guard.check(ok) == [], ok


# ---------------------------------------------------------------- addresses

def test_campaign_addresses_pass_exactly(guard):
    for ok in ("Visit www.tokumei24.jp.", "https://www.tokumei24.jp/", "(www.gem.or.jp/en/wh/whindex00113.html)"):
        assert guard.check(ok) == [], ok


def test_every_homoglyph_of_the_host_is_refused(guard):
    from confusable_homoglyphs.confusables import confusables_data
    host = "www.tokumei24.jp"
    tried = 0
    for i, ch in enumerate(host):
        for entry in confusables_data.get(ch, []):
            g = entry["c"].strip("\u200e")
            if len(g) != 1 or g.isascii():
                continue
            fake = host[:i] + g + host[i + 1:]
            found = messages(guard.check(f"see {fake} today"))
            assert found, f"{fake!r} ({char_name(g)}) passed"
            tried += 1
    assert tried > 100


def test_look_alike_and_foreign_addresses(guard):
    cases = {
        "ｗｗｗ．ｔｏｋｕｒｎｅｉ２４．ｊｐ": "imitates",
        "tokumei24.info": "imitates", "www.tokumei24.com": "imitates", "tokurnei24.jp": "imitates",
        "tokumei24。jp": "imitates", "www.tokumеi24.jp": "U+0435 CYRILLIC SMALL LETTER IE",
        "www.tοkumei24.jp": "U+03BF GREEK SMALL LETTER OMICRON",
        "www.tokumei\u200b24.jp": "U+200B ZERO WIDTH SPACE",
        "www.tokumei24.jp/report?x=1": "imitates",
        "help@example.org": "not one of the campaign's links", "evil.example": "not one of the campaign's links",
        "javascript:alert(1)": "scheme", "ｊａｖａｓｃｒｉｐｔ：alert(1)": "scheme", "http://www.tokumei24.jp": "scheme",
        "data:text/html,x": "scheme", "tel:0120924839": "scheme", "mailto:a@b.jp": "scheme",
    }
    for text, expected in cases.items():
        found = messages(guard.check(f"Go to {text} now"))
        assert expected in found, (text, found)


# ---------------------------------------------------- every way text enters

def _set_string(project: Path, lang: str, key: str, text: str) -> Path:
    """Put ``text`` into a language file by editing the YAML text (double-quoted, escaped)."""
    import json
    path = project / "content" / "languages" / f"{lang}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.strip() == f"{key}:":
            assert lines[i + 1].strip().startswith("text:")
            indent = lines[i + 1][:len(lines[i + 1]) - len(lines[i + 1].lstrip())]
            escaped = json.dumps(text, ensure_ascii=True)
            lines[i + 1] = f"{indent}text: {escaped}\n"
            path.write_text("".join(lines), encoding="utf-8")
            return path
    raise AssertionError(f"{key} not in {path}")


def _run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue() + err.getvalue()


def _line_of(path: Path, key: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() == f"{key}:":
            return n
    raise AssertionError(key)


HOSTILE = {
    "thai-digits": ("th", "๐๑๒๐-๙๒๔-๘๓๐", "not one of the campaign's numbers"),
    "word-joiner": ("vi", "0120\u2060-924-839", "U+2060 WORD JOINER"),
    "override": ("ar", "\u202e0120-924-839\u202c", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    "full-width-host": ("ja", "ｗｗｗ．ｔｏｋｕｒｎｅｉ２４．ｊｐ", "imitates"),
    "cyrillic-o": ("ru", "www.tоkumei24.jp", "U+043E CYRILLIC SMALL LETTER O"),
    "javascript": ("es", "javascript:alert(1)", "scheme"),
    "spelled-korean": ("ko", "공일이공 구이사 팔삼구", "spells the campaign's hotline number in words"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_check_and_build_refuse_hostile_text(project_copy, font_cache, case):
    lang, payload, expected = HOSTILE[case]
    path = _set_string(project_copy, lang, "anonymous.note", payload)
    line = _line_of(path, "anonymous.note")
    code, text = _run("check", "--project", str(project_copy), "--cache", str(font_cache))
    assert code == 1
    assert f"content/languages/{lang}.yaml:{line}" in text, text
    assert expected in text
    for ch in payload:
        if unicodedata.category(ch) in ("Cc", "Cf"):
            assert ch not in text, "a raw control character reached the terminal"
    out = project_copy / "output"
    code, text = _run("build", "--project", str(project_copy), "--cache", str(font_cache), "--lang", lang,
                      "--edition", "print")
    assert code == 1 and expected in text and "Traceback" not in text
    assert not out.exists() or not any(p.is_file() for p in out.rglob("*"))
    code, text = _run("preview", lang, "--project", str(project_copy), "--cache", str(font_cache))
    assert code == 1 and expected in text and "Traceback" not in text


def test_import_refuses_a_hostile_translation(project_copy, font_cache):
    import polib
    po_path = project_copy / "th.po"
    code, text = _run("translations", "export", "th", "--format", "po", "-o", str(po_path),
                      "--project", str(project_copy), "--cache", str(font_cache))
    assert code == 0, text
    po = polib.pofile(str(po_path))
    entry = next(e for e in po if e.msgctxt == "anonymous.note")
    entry.msgstr = "โทร ๐๑๒๐-๙๒๔-๘๓๐"
    po.save(str(po_path))
    target = project_copy / "content" / "languages" / "th.yaml"
    before = target.read_bytes()
    code, text = _run("translations", "import", str(po_path), "--project", str(project_copy),
                      "--cache", str(font_cache))
    assert code == 1, text
    assert "not one of the campaign's numbers" in text and "Traceback" not in text
    assert target.read_bytes() == before


def test_yaml_numbers_are_not_text(project_copy):
    path = project_copy / "content" / "languages" / "th.yaml"
    text = path.read_text(encoding="utf-8").replace("  headline:\n    text: ", "  headline:\n    text: 2024 #", 1)
    path.write_text(text, encoding="utf-8")
    code, out = _run("check", "--project", str(project_copy))
    assert code == 1
    assert "reads 2024 as a number" in out and f"th.yaml:{_line_of(path, 'headline') + 1}" in out


# ----------------------------------------------------------- campaign facts

def _campaign(project: Path, old: str, new: str) -> None:
    path = project / "content" / "campaign.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("old,new,expected", [
    ("display: 0120-924-839", "display: 0120-924-8390", "not a valid"),
    ("display: 0120-924-839", "display: 03-3581-0141", "not the same number"),
    ('dial: "+81120924839"', 'dial: "+81120924830"', "not the same number"),
    ("display: 0120-924-839", "display: \"0120-924-83\u200b9\"", "U+200B"),
    ("display: 0120-924-839", "display: ０１２０-924-839", "ASCII"),
    ("url: https://www.tokumei24.jp/", "url: https://www.tokumеi24.jp/", "U+0435"),
])
def test_the_campaign_facts_are_validated(project_copy, old, new, expected):
    _campaign(project_copy, old, new)
    code, out = _run("check", "--project", str(project_copy))
    assert code == 1 and expected in out, out
    assert "content/campaign.yaml:" in out


def test_a_free_call_number_must_be_toll_free(project_copy):
    _campaign(project_copy, "display: 0120-924-839", "display: 03-3581-0141")
    _campaign(project_copy, 'dial: "+81120924839"', 'dial: "+81335810141"')
    code, out = _run("check", "--project", str(project_copy))
    assert code == 1 and "not a toll-free number" in out


def test_other_official_numbers(project_copy, font_cache):
    _campaign(project_copy, "\nlinks:", '\nnumbers:\n  police:\n    display: "110"\n    dial: "110"\n\nlinks:')
    project, diags = load_project(project_copy)
    assert not diags.errors, [d.format() for d in diags.errors]
    assert project.facts.numbers() == {"hotline": HOTLINE, "police": "110"}
    assert project.facts.link_target("police") == "tel:110"


def test_digit_value_covers_compatibility_forms():
    assert [digit_value(c) for c in "٣۳३๓３③𝟑"] == [3] * 7
    assert digit_value("a") is None


def test_command_line_arguments_are_never_echoed_raw(project_copy):
    for argv in (["build", "--lang", "t\u202eh\x07"], ["build", "--design", "a4\u200b"],
                 ["preview", "\x1b[31mth"]):
        code, text = _run(*argv, "--project", str(project_copy))
        assert code == 2, text
        assert not any(unicodedata.category(c) in ("Cc", "Cf") and c != "\n" for c in text), repr(text)
        assert "⟨U+" in text


# ------------------------------------------------------------ the package's copy of the confusables tables

def test_the_kept_confusables_tables_are_those_of_the_installed_data(tmp_path):
    import hashlib
    import json
    from leaflets.model import guard
    source = guard._confusables_path()
    if source is None:
        pytest.skip("confusable_homoglyphs' confusables.json is not installed")
    raw = Path(source).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    kept = json.loads(guard.TABLES_FILE.read_text("utf-8"))
    if kept["source_sha256"] != digest:
        pytest.skip("the installed confusables data is not the one the package's tables were derived from "
                    "(they are derived anew at run time); regenerate with leaflets.model.guard.write_tables()")
    derived = guard._tables_from(guard._confusables_data(raw))
    assert guard._kept_tables(digest) == derived
    assert guard._confusable_tables() == derived
    # a copy for other data, or a damaged one, is never used
    assert guard._kept_tables("0" * 64) is None
    damaged = tmp_path / "t.json"
    damaged.write_text(json.dumps({**kept, "digits": ["not", "a", "table"]}), "utf-8")
    assert guard._kept_tables(digest, damaged) is None
    damaged.write_text("{", "utf-8")
    assert guard._kept_tables(digest, damaged) is None
    written = guard.write_tables(tmp_path / "again.json")
    assert written.read_bytes() == guard.TABLES_FILE.read_bytes()


def test_unreadable_confusables_data_is_an_error_with_a_fix(project_copy, tmp_path):
    """$CONFUSABLE_DATA naming a folder without the data (or with a broken confusables.json): exit 1, the
    cause and what to do, no traceback, nothing written."""
    import os
    import subprocess
    broken = tmp_path / "data"
    broken.mkdir()
    (broken / "confusables.json").write_text("{", encoding="utf-8")
    for where in (tmp_path / "nowhere", broken):
        env = {**os.environ, "CONFUSABLE_DATA": str(where), "LEAFLETS_CACHE_DIR": str(tmp_path / "cache")}
        done = subprocess.run([sys.executable, "-m", "leaflets", "build", "--lang", "en", "--edition", "print",
                               "--design", "a4-leaflet", "--project", str(project_copy)],
                              capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 1, done.stderr
        assert "confusables data could not be read" in done.stderr and "CONFUSABLE_DATA" in done.stderr
        assert "Traceback" not in done.stderr + done.stdout
        assert not (project_copy / "output").exists()


def test_a_string_longer_than_any_box_is_refused_before_layout(project_copy):
    """A pasted-in-a-loop string (100,000 Thai letters): one error with the file, line and length, from
    check, build and import alike, before it is shaped or fitted; the language file stays as it was."""
    from leaflets.model.load import MAX_STRING
    th = project_copy / "content" / "languages" / "th.yaml"
    before = th.read_text(encoding="utf-8")
    line = _line_of(th, "headline")
    th.write_text(before.replace("    text: การค้ามนุษย์เป็นอาชญากรรม!", "    text: " + "ก" * 100_000, 1),
                  encoding="utf-8")
    for command in (["check"], ["build", "--lang", "th", "--design", "a4-leaflet", "--edition", "print"]):
        code, out = _run(*command, "--project", str(project_copy))
        assert code == 1, out
        assert f"th.yaml:{line}: error: strings.headline is 100000 characters long" in out, out
        assert f"at most {MAX_STRING}" in out
    assert not (project_copy / "output").exists()
    th.write_text(before, encoding="utf-8")
    po = project_copy / "th.po"
    assert _run("translations", "export", "th", "--format", "po", "-o", str(po), "--project",
                str(project_copy))[0] == 0
    import polib
    catalog = polib.pofile(str(po))
    next(e for e in catalog if e.msgctxt == "headline").msgstr = "ก" * 100_000
    catalog.save(str(po))
    code, out = _run("translations", "import", str(po), "--project", str(project_copy))
    assert code == 1 and "characters long" in out, out
    assert th.read_text(encoding="utf-8") == before


def test_digits_read_aloud_and_parted_by_any_mark_are_the_number_they_make(guard):
    """Readings CLDR does not spell (Korean 영, "oh", Japanese kana, Chinese 幺), digits parted by any
    punctuation or symbol (0120/924/839, 0_1_2_0…), a full-width look-alike letter and one numeral
    against digits: the hotline is refused and so is any other valid number; hours, dates, amounts and
    ratios parted so stay text."""
    from leaflets.model.numberwords import READ_ALOUD
    spoken = {d: [w for w, v in READ_ALOUD.items() if v == d] for d in range(10)}
    for d in range(10):
        for w in spoken[d]:
            digits = "0120924839".replace(str(d), "\0")
            text = " ".join(w if c == "\0" else {"0": "zero", "1": "one", "2": "two", "3": "three",
                            "4": "four", "5": "five", "6": "six", "7": "seven", "8": "eight",
                            "9": "nine"}[c] for c in digits)
            assert "hotline number in words" in messages(guard.check(text)), (w, text)
    marks = sorted({chr(c) for c in range(0x21, 0x3000) if unicodedata.category(chr(c))[0] in "PS"
                    and chr(c) not in "+＋" and digit_value(chr(c)) is None})
    for mark in marks:
        if mark.join(["0120", "924", "839"]) == HOTLINE:
            continue                    # exactly as campaign.yaml writes it
        found = messages(guard.check(f"call {mark.join(['0120', '924', '839'])} now"))
        assert "hotline" in found or "written another way" in found, mark
        assert "not one of the campaign's numbers" in messages(guard.check(f"call {mark.join(['090', '1234', '5678'])}"))
    for other in ("電話 0120-九24-839", "〇１２〇-九24-8三9", "電話 Ｏ１２Ｏ-９２４-８３９", "0_1_2_0_9_2_4_8_3_9"):
        assert "written another way" in messages(guard.check(other)), other
    # one or two words beside digits of any script finish a number as well
    for other in ("ศูนย์ ๑ สอง ๐ 924 839", "zero 120 924 839"):
        assert "hotline" in messages(guard.check(other)), other
    # a mark before the number does not hide it: the parts between marks are judged as any run
    for other in ("12:30 0120 924 839", "Tel: 1/0120 924 839", "0120 924 839! 24"):
        assert guard.check(other), other
    for ok in ("Open 10:00–18:00, 365 days", "2026/12/01", "1,234,567,890 yen", "1/2/3/4/5/6/7/8",
               "3人に1人", "第3四半期", "Call 0120-924-839/24h"):
        assert guard.check(ok) == [], ok


def test_the_hotline_parted_by_words_or_letters_is_refused(guard):
    """The hotline's digits in two to four groups, read one after another across the words or letters of
    any script between them, in every form it is dialled with (trunk 0, without it, the country code), on
    one line or more, with other numbers after it: refused by what they are; groups far apart or of
    another number are not read as it."""
    from itertools import combinations
    from leaflets.model.guard import MAX_SPLIT_GAP
    gaps = [" x ", "x", " then ", " または ", "か", " और ", " ຫຼື ", " или ", " أو ", "a", " 및 "]
    for digits in ("0120924839", "120924839", "81120924839", "+81120924839"):
        k = 0
        for cuts in (c for r in (1, 2, 3) for c in combinations(range(2, len(digits) - 1), r)):
            parts = [digits[a:b] for a, b in zip((0, *cuts), (*cuts, len(digits)))]
            gap = gaps[k % len(gaps)]
            k += 1
            text = "Call " + gap.join(parts) + " now"
            found = messages(guard.check(text))
            assert "hotline number" in found, (text, found)
            wrong = text.replace(parts[-1], parts[-1][:-1] + str((int(parts[-1][-1]) + 1) % 10))
            assert "is the campaign's hotline number" not in messages(guard.check(wrong)), wrong
    for text in ("zero one two zero then nine two four then eight three nine", "〇一二〇と九二四と八三九",
                 "０１２０か９２４か８３９", "Call 0120\nand 924 839", "0120 x 924 x 839 (24h)",
                 "Dial 0120 first, and then when you hear the long tone, dial 924839",
                 "zero one two zero nine two four eight three nine 365 days a year", "ОІ2О-924-839"):
        assert "hotline number" in messages(guard.check(text)), text
    far = " " + "word " * (MAX_SPLIT_GAP // 5 + 1)
    for text in ("0120" + far + "924" + far + "839",
                 "In 2023, 120 cases; 924 victims; 841 arrests", "Hours 9-17, Sat 10-12, room 924, 839 people"):
        assert "hotline number" not in messages(guard.check(text)), text


def test_the_hotline_in_the_number_words_of_every_shipped_language_is_refused(guard, root):
    """For every language the project ships, the hotline spelled in that language's words for 0-9 (ICU's
    spellout; for a language CLDR spells no numbers for, as its speakers say them), and the same typed
    without accents or hamza (dalawa for dalawá, اثنان for إثنان), is refused."""
    from icu4py.locale import Locale
    from icu4py.messageformat import MessageFormat
    from leaflets.model.numberwords import bare
    said = {"mn": "тэг нэг хоёр гурав дөрөв тав зургаа долоо найм ес",
            "tl": "sero isa dalawa tatlo apat lima anim pito walo siyam"}
    english = [MessageFormat("{n, spellout}", Locale("en")).format({"n": d}) for d in range(10)]
    for path in sorted((root / "content" / "languages").glob("*.yaml")):
        lang = path.stem
        words = [MessageFormat("{n, spellout}", Locale(lang)).format({"n": d}) for d in range(10)]
        if lang != "en" and words == english:
            assert lang in said, f"{lang}: ICU spells no numbers for it; list how its speakers say 0-9 here"
            words = said[lang].split()
        text = " ".join(words[int(c)] for c in "0120924839")
        for form in dict.fromkeys((text, bare(text))):
            assert "hotline number" in messages(guard.check(form)), (lang, form)


@pytest.mark.parametrize("script", ["Xyzw", "Abcd", "Qaaa1"])
def test_a_script_code_iso_15924_does_not_have_is_one_error_on_its_line(project_copy, script):
    """Only codes CLDR names (ISO 15924: Unicode's scripts and Jpan, Kore, Hans, Hant …) are scripts; any
    other is one error on the script's line, not a font error followed by a cascade of overflows."""
    th = project_copy / "content" / "languages" / "th.yaml"
    th.write_text(th.read_text(encoding="utf-8").replace("  script: Thai", f"  script: {script}", 1),
                  encoding="utf-8")
    line = next(n for n, text in enumerate(th.read_text(encoding="utf-8").splitlines(), 1)
                if text.strip() == f"script: {script}")
    code, out = _run("check", "--project", str(project_copy))
    assert code == 1
    assert f"th.yaml:{line}: error: script '{script}' is not an ISO 15924 code" in out, out
    assert "1 error(s)" in out and "no font covers" not in out
