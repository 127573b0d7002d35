"""What an announcement says: templates, ticket digits, window numbers as numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callboard.speech import Template, chinese_number, is_chinese_voice, ticket_clips

DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
UNITS = {"十": 10, "百": 100, "千": 1000}


def _read_back(text: str) -> int:
    """An independent reader of the Hanzi numbers a window can have (一…九千九百九十九)."""
    total, digit = 0, None
    for c in text:
        if c in DIGITS:
            digit = DIGITS[c]
        else:
            total += (1 if digit is None else digit) * UNITS[c]
            digit = None
    return total + (digit or 0)


@pytest.mark.parametrize("n, said", [
    (1, "一"), (3, "三"), (10, "十"), (11, "十一"), (19, "十九"), (20, "二十"), (21, "二十一"),
    (100, "一百"), (101, "一百零一"), (110, "一百一十"), (1005, "一千零五"), (9999, "九千九百九十九"),
])
def test_window_numbers_are_read_as_numbers(n, said):
    assert chinese_number(n) == said


@given(st.integers(1, 9999))
def test_every_window_number_reads_back(n):
    said = chinese_number(n)
    assert _read_back(said) == n
    assert "零零" not in said and not said.endswith("零")


@pytest.mark.parametrize("bad", [0, -1, 10000, True, 1.5, "3"])
def test_impossible_window_numbers_are_refused(bad):
    with pytest.raises(ValueError):
        chinese_number(bad)


def test_ticket_digits_are_read_one_by_one():
    assert ticket_clips("A012") == ["letter-A", "digit-0", "digit-1", "digit-2"]


@given(st.text(min_size=1, max_size=6))
def test_ticket_numbers_only_of_capitals_and_digits(no):
    ok = all(c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" for c in no)
    if ok:
        assert len(ticket_clips(no)) == len(no)
    else:
        with pytest.raises(ValueError):
            ticket_clips(no)


def test_default_template_clips():
    t = Template("请 {no} 号 到 {window} 号 窗口 办理", "cmn-latn-pinyin")
    assert t.clips("B105", 12) == ["word-请", "letter-B", "digit-1", "digit-0", "digit-5",
                                   "word-号", "word-到", "num-12", "word-号", "word-窗口",
                                   "word-办理"]
    texts = t.clip_texts({3: "3号窗口", 12: "12号综合窗口"})
    assert texts["num-12"] == "十二" and texts["num-3"] == "三"
    assert texts["digit-0"] == "零" and texts["letter-Q"] == "Q"
    assert {"word-请", "word-号", "word-到", "word-窗口", "word-办理"} <= set(texts)


def test_window_name_and_a_second_language():
    zh = Template("请{no}号到{window_name}办理", "cmn-latn-pinyin")
    assert zh.clips("A001", 12) == ["word-请", "letter-A", "digit-0", "digit-0", "digit-1",
                                    "word-号到", "name-12", "word-办理"]
    assert zh.clip_texts({12: "12号综合窗口"})["name-12"] == "12号综合窗口"
    en = Template("Number {no}, please_go_to window {window}", "en")
    assert en.clips("A001", 7)[-3:] == ["word-please go to", "word-window", "num-7"]
    assert en.clip_texts({7: "7号窗口"})["num-7"] == "7"
    assert en.clip_texts({})["digit-5"] == "5"
    assert is_chinese_voice("cmn-latn-pinyin") and not is_chinese_voice("en-us")


def test_the_service_is_said_by_its_name():
    t = Template("请{service}{no}号到{window}号窗口", "cmn-latn-pinyin")
    assert t.clips("A001", 3, "A")[:2] == ["word-请", "service-A"]
    assert t.clip_texts({3: "3号窗口"}, {"A": "企业开办"})["service-A"] == "企业开办"
    with pytest.raises(ValueError, match="no service given"):
        t.clips("A001", 3)


@pytest.mark.parametrize("text, why", [
    ("请到 {window} 号窗口", "never says"),
    ("请 {no} 号 到 {room}", "unknown placeholder"),
    ("请 {no!r} 号", "unknown placeholder"),
    ("请 {no:>5} 号", "unknown placeholder"),
    ("请 {no 号", "template"),
    ("请 {no} 号 a/b", "file name"),
])
def test_bad_templates_fail_at_start(text, why):
    with pytest.raises(ValueError, match=why):
        Template(text, "cmn-latn-pinyin")


def test_punctuation_is_a_pause_never_a_word():
    en = Template("Number {no}, please_go_to window {window}.", "en")
    assert en.clips("A1", 7) == ["word-Number", "letter-A", "digit-1", "pause",
                                 "word-please go to", "word-window", "num-7", "pause"]
    zh = Template("请 {no} 号，到 {window} 号 窗口 办理", "cmn-latn-pinyin")
    assert zh.clips("A1", 2)[3:6] == ["word-号", "pause", "word-到"]
    assert not any(k.startswith("word-") and not k[5:].strip(",，。") for k in en.clip_texts({}))


@given(st.text(max_size=40))
def test_any_template_is_either_refused_or_says_the_ticket(text):
    try:
        t = Template(text, "cmn-latn-pinyin")
    except ValueError:
        return
    names = t.clips("A012", 3, "A")
    assert names[0] != "pause"  # never starts with a pause
    assert "letter-A" in names and "digit-0" in names
    assert set(names) - {"pause"} <= set(t.clip_texts({3: "3号窗口"}, {"A": "企业开办"}))
