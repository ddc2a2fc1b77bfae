"""How values read in each official language: Babel formatting of dates,
numbers and money, and French typography.

Both official languages go through the same functions, so neither is an
afterthought: "$16.17 million" and "16,17 millions de dollars" come from one
value.
"""

from __future__ import annotations

import re
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_compact_decimal, format_currency, format_decimal

from briefs.source.dates import PartialDate, Period
from briefs.source.model import Unit

LOCALES = {"en": "en_CA", "fr": "fr_CA"}
NBSP, NNBSP = "\u00a0", "\u202f"
YEAR_RANGE = {"en": "\u2013", "fr": "-"}
"""What joins the two years of a span: an en dash in English, a hyphen in French."""


def locale(lang: str) -> Locale:
    return Locale.parse(LOCALES[lang])


def date_text(value: PartialDate, lang: str) -> str:
    """ "March 31, 2016" / "31 mars 2016", "June 2012" / "juin 2012", "2005"."""
    day = value.first_day()
    if value.precision == "year":
        return str(value.year)
    if value.precision == "month":
        return format_skeleton("yMMMM", day, locale=locale(lang))
    if lang == "fr" and day.day == 1:
        return "1er " + format_date(day, "MMMM y", locale=locale(lang))
    return format_date(day, "long", locale=locale(lang))


def period_text(value: Period, lang: str) -> str:
    """A date, or a span, by one rule per language (docs/data-format.md, "Periods"):
    years are joined by an en dash in English ("2012–2020") and a hyphen in
    French ("2012-2020"); other spans are written out: "June 2012 to March 2013",
    « de juin 2012 à mars 2013 », « du 1er mars 2016 au 9 février 2017 »."""
    if value.end is None or value.end == value.start:
        return date_text(value.start, lang)
    start, end = date_text(value.start, lang), date_text(value.end, lang)
    if value.start.precision == value.end.precision == "year":
        return f"{start}{YEAR_RANGE[lang]}{end}"
    if lang == "en":
        return f"{start} to {end}"
    if value.start.precision == value.end.precision == "day":
        return f"du {start} au {end}"
    return f"{'d’' if start[0] in 'aeiouyéèAEIOUYÉ' else 'de '}{start} à {end}"


def number_text(value: Decimal, lang: str) -> str:
    return format_decimal(value, locale=locale(lang), decimal_quantization=False)


def money_text(value: Decimal, lang: str) -> str:
    """Millions and up in words, the way briefs write them; smaller sums in full."""
    loc = locale(lang)
    if abs(value) >= 1_000_000:
        amount = format_compact_decimal(value, format_type="long", locale=loc, fraction_digits=2)
        return f"{amount} de dollars" if lang == "fr" else f"${amount}"
    pattern = loc.currency_formats["standard"].pattern
    if value == value.to_integral_value():
        pattern = pattern.replace(".00", "")
    return format_currency(value, "CAD", pattern, locale=loc, currency_digits=False)


def value_text(value: Decimal, unit: Unit, lang: str) -> str:
    """A figure's value, formatted per its unit and language."""
    if unit is Unit.money:
        return money_text(value, lang)
    if unit is Unit.percent:
        return number_text(value, lang) + (f"{NBSP}%" if lang == "fr" else "%")
    return number_text(value, lang)


_FR_RULES = [
    (re.compile(r"(?<=\w)'(?=\w)"), "’"),
    (re.compile(r"«\s*"), "«" + NBSP),
    (re.compile(r"\s*»"), NBSP + "»"),
    (re.compile(r"(?<=\S)[ \u00a0\u202f]*([;?!])(?=\s|$|»)"), NNBSP + r"\1"),
    (re.compile(r"(?<=[\w)»%])[ \u00a0]*:(?=\s|$)"), NBSP + ":"),
]


def typography(text: str, lang: str) -> str:
    """French spacing: non-breaking spaces before : ; ? ! and inside « »."""
    if lang != "fr":
        return text
    for pattern, replacement in _FR_RULES:
        text = pattern.sub(replacement, text)
    return text
