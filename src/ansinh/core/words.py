"""An amount of đồng in words, as a Vietnamese receipt writes it under the figure ("Bằng chữ").

Vietnamese reads a number in groups of three digits (trăm, mươi, đơn vị) followed by the group's
unit (nghìn, triệu, tỷ; then nghìn tỷ, triệu tỷ), with these rules:

- a zero tens digit before a non-zero unit is "linh" (the written standard; "lẻ" in the south):
  105 "một trăm linh năm";
- a group after the first keeps its hundreds even when zero: 1.005.000 "một triệu không trăm
  linh năm nghìn"; a group that is all zero is left out: 1.000.000 "một triệu";
- tens: 1 is "mười", 2–9 "<chữ số> mươi";
- units after "mươi": 1 is "mốt", 4 is "tư", 5 is "lăm"; after "mười": 5 is "lăm" (mười một,
  mười bốn stay); after "linh" or alone they keep their name (linh một, linh bốn, linh năm).

English follows a cheque: "One million five hundred thousand dong", "twenty-one", no "and".

`core/static/ansinh/words.js` is the same function in JavaScript for the offline pages; the
case file `core/tests/words_cases.json` holds both to the same answers.
"""

from __future__ import annotations

LIMIT = 10**15  # 999 nghìn tỷ: beyond any receipt, and within JavaScript's exact integers

_VI_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_VI_UNITS = ("", "nghìn", "triệu")  # then "tỷ", which repeats: nghìn tỷ, triệu tỷ

_EN_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
            "seventeen", "eighteen", "nineteen")
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
            "ninety")
_EN_SCALES = ("", "thousand", "million", "billion", "trillion")


def amount_in_words(amount: int, lang: str = "vi") -> str:
    """``amount`` đồng in words, capitalised, with the currency: 1_500_000 →
    "Một triệu năm trăm nghìn đồng" (vi), "One million five hundred thousand dong" (en).

    A negative amount (a reversal) reads "Âm …" / "Minus …". Any language but English is
    Vietnamese.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"an amount of đồng is an integer, not {amount!r}")
    if abs(amount) >= LIMIT:
        raise ValueError(f"{amount} is beyond {LIMIT - 1}")
    english = lang.lower().startswith("en")
    words = _english(abs(amount)) if english else _vietnamese(abs(amount))
    if amount < 0:
        words = ("minus " if english else "âm ") + words
    words += " dong" if english else " đồng"
    return words[0].upper() + words[1:]


# --------------------------------------------------------------------------------------------
# Vietnamese


def _vi_group(number: int, leading: bool) -> list[str]:
    """Three digits; ``leading`` is the number's first group, which drops "không trăm" and
    "linh" before a lone unit."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words: list[str] = []
    if hundreds or not leading:
        words += [_VI_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_VI_DIGITS[tens], "mươi"]
    if units == 1 and tens >= 2:
        words.append("mốt")
    elif units == 4 and tens >= 2:
        words.append("tư")
    elif units == 5 and tens >= 1:
        words.append("lăm")
    elif units:
        words.append(_VI_DIGITS[units])
    return words


def _vi_below_billion(number: int, leading: bool) -> list[str]:
    groups = [number // 1_000_000, number // 1000 % 1000, number % 1000]
    words: list[str] = []
    for index, group in enumerate(groups):
        if group == 0:
            continue
        words += _vi_group(group, leading and not words)
        unit = _VI_UNITS[2 - index]
        if unit:
            words.append(unit)
    return words


def _vi_words(number: int, leading: bool) -> list[str]:
    billions, rest = divmod(number, 1_000_000_000)
    words: list[str] = []
    if billions:
        words += [*_vi_words(billions, leading), "tỷ"]
    if rest:
        words += _vi_below_billion(rest, leading and not words)
    return words


def _vietnamese(number: int) -> str:
    if number == 0:
        return "không"
    return " ".join(_vi_words(number, True))


# --------------------------------------------------------------------------------------------
# English


def _en_group(number: int) -> list[str]:
    hundreds, rest = divmod(number, 100)
    words: list[str] = []
    if hundreds:
        words += [_EN_ONES[hundreds], "hundred"]
    if rest >= 20:
        tens, units = divmod(rest, 10)
        words.append(_EN_TENS[tens] + (f"-{_EN_ONES[units]}" if units else ""))
    elif rest:
        words.append(_EN_ONES[rest])
    return words


def _english(number: int) -> str:
    if number == 0:
        return "zero"
    words: list[str] = []
    scale = len(_EN_SCALES) - 1
    while scale >= 0:
        group = number // 1000**scale % 1000
        if group:
            words += _en_group(group)
            if _EN_SCALES[scale]:
                words.append(_EN_SCALES[scale])
        scale -= 1
    return " ".join(words)
