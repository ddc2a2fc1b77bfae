"""Dates, numbers and money per language, and French typography."""

from __future__ import annotations

from decimal import Decimal

import pytest

from briefs.source.dates import PartialDate, Period
from briefs.source.formats import date_text, money_text, period_text, typography, value_text
from briefs.source.model import Unit

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("value", "en", "fr"),
    [
        ("2016-03-31", "March 31, 2016", "31 mars 2016"),
        ("2016-03-01", "March 1, 2016", "1er mars 2016"),
        ("2012-06", "June 2012", "juin 2012"),
        ("2005", "2005", "2005"),
    ],
)
def test_dates(value: str, en: str, fr: str) -> None:
    date = PartialDate.parse(value)
    assert date_text(date, "en") == en
    assert date_text(date, "fr") == fr


@pytest.mark.parametrize(
    ("value", "en", "fr"),
    [
        (16_170_000, "$16.17 million", "16,17 millions de dollars"),
        (4_000_000, "$4 million", "4 millions de dollars"),
        (100_000_000, "$100 million", "100 millions de dollars"),
        (2_500_000_000, "$2.5 billion", "2,5 milliards de dollars"),
        (250_000, "$250,000", f"250{NBSP}000{NBSP}$"),
        (1234.5, "$1,234.50", f"1{NBSP}234,50{NBSP}$"),
    ],
)
def test_money(value: float, en: str, fr: str) -> None:
    amount = Decimal(str(value))
    assert money_text(amount, "en") == en
    assert money_text(amount, "fr").replace(NNBSP, NBSP) == fr


def test_numbers_and_percent() -> None:
    assert value_text(Decimal("12345"), Unit.count, "en") == "12,345"
    assert value_text(Decimal("12345"), Unit.count, "fr").replace(NNBSP, NBSP) == f"12{NBSP}345"
    assert value_text(Decimal("0.94"), Unit.per_100k, "fr") == "0,94"
    assert value_text(Decimal("12.5"), Unit.percent, "en") == "12.5%"
    assert value_text(Decimal("12.5"), Unit.percent, "fr") == f"12,5{NBSP}%"


def test_periods() -> None:
    """One rule per language (docs/data-format.md, "Periods"): years joined by an
    en dash in English and a hyphen in French; other spans written out."""
    assert period_text(Period.parse("2012/2020"), "en") == "2012–2020"
    assert period_text(Period.parse("2012/2020"), "fr") == "2012-2020"
    assert period_text(Period.parse("2016"), "fr") == "2016"
    assert period_text(Period.parse("2012-06/2016-03-31"), "en") == "June 2012 to March 31, 2016"
    months = Period.parse({"start": "2016-03", "end": "2016-08"})
    assert period_text(months, "en") == "March 2016 to August 2016"
    assert period_text(months, "fr") == "de mars 2016 à août 2016"
    days = Period.parse("2016-03-01/2017-02-09")
    assert period_text(days, "fr") == "du 1er mars 2016 au 9 février 2017"


@pytest.mark.parametrize("bad", ["2016-02-30", "2016-13", "16-03-01", "2016/2012", "soon"])
def test_bad_dates_say_what_was_expected(bad: str) -> None:
    with pytest.raises(ValueError, match=r"expected|ends"):
        Period.parse(bad)


def test_french_typography() -> None:
    assert typography("Résumé : « oui » ; non ? Si !", "fr") == (
        f"Résumé{NBSP}: «{NBSP}oui{NBSP}»{NNBSP}; non{NNBSP}? Si{NNBSP}!"
    )
    assert typography("l'action d'aujourd'hui", "fr") == "l’action d’aujourd’hui"
    assert typography("https://example.org/a:b", "fr") == "https://example.org/a:b"
    assert typography("Note: 'quoted'", "en") == "Note: 'quoted'"
