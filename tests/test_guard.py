"""The leak guard: a template that prints an excluded item is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefs import load_project
from briefs.audience.guard import Watchlist, html_text, leaks, needles, normalize
from briefs.cli import main
from briefs.source.model import AnalysisPart, Contact, Fact, Figure
from conftest import SAMPLE, copy_templates, load_one, write_project


def _recommendation(root: Path) -> tuple[str, str]:
    loaded = load_one(load_project(root))
    item = next(a for a in loaded.dossier.analysis if a.part is AnalysisPart.recommendation)
    return item.id, item.text.en


@pytest.mark.parametrize(
    "inject",
    [
        "<p>{text}</p>",  # caught in the HTML text
        "<style>h1::after {{ content: '{text}' }}</style>",  # only visible in the PDF text
    ],
)
def test_template_printing_an_excluded_item_is_refused(tmp_path: Path, inject: str) -> None:
    templates = copy_templates(tmp_path)
    root = write_project(tmp_path / "p", templates=templates)
    item_id, text = _recommendation(root)
    public = templates / "public.html.j2"
    snippet = inject.format(text=text.replace("'", " "))
    public.write_text(public.read_text().replace("{% block body %}", "{% block body %}" + snippet))
    out = root / "output" / SAMPLE
    out.mkdir(parents=True)
    (out / "public.en.pdf").write_bytes(b"%PDF last good")
    result = CliRunner().invoke(main, ["-C", str(root), "build"])
    assert result.exit_code == 1, result.output
    assert "human-trafficking/public.en: refused to write" in result.output
    assert item_id in result.output
    assert (out / "public.en.pdf").read_bytes() == b"%PDF last good"
    assert (out / "minister.en.pdf").exists()  # the others are not held hostage


def _fact(text: str, classification: str = "protected_b") -> Fact:
    return Fact.model_validate(
        {
            "id": "x",
            "classification": classification,
            "source": "s",
            "topic": "t",
            "text": {"en": text, "fr": text},
        }
    )


def test_guard_sees_through_layout() -> None:
    secret = _fact("The final figure will be confirmed with provinces next spring")
    rendered = "The ﬁnal  ﬁgure will\nbe conﬁrmed with PROVINCES\u00a0next spring."
    assert leaks(rendered, [secret], []) == ["x"]
    assert leaks("Nothing to see here at all today.", [secret], []) == []


def test_guard_ignores_phrases_that_included_items_share() -> None:
    secret = _fact("Department of Justice Canada internal notes")
    public = _fact("Department of Justice Canada internal notes", "unclassified")
    assert leaks("Department of Justice Canada internal notes", [secret], [public]) == []


def test_needles_cover_both_languages_and_skip_figure_references() -> None:
    item = Fact.model_validate(
        {
            "id": "x",
            "classification": "protected_a",
            "source": "s",
            "topic": "t",
            "text": {
                "en": "one two three four five six {fig}",
                "fr": "un deux trois quatre cinq six",
            },
        }
    )
    assert needles(item) == {
        ("one", "two", "three", "four", "five", "six"),
        ("un", "deux", "trois", "quatre", "cinq", "six"),
    }
    assert normalize("A\u202fB\u00a0C") == "a b c"


def test_guard_knows_an_excluded_figure_by_its_value() -> None:
    figure = Figure.model_validate(
        {
            "id": "sought",
            "classification": "protected_b",
            "source": "s",
            "unit": "money",
            "label": {"en": "Funding sought", "fr": "Financement demandé"},
            "value": 37500000,
        }
    )
    watch = Watchlist([figure], [])
    assert watch.leaks("Lantern. Funding sought: nothing yet.") == ["sought"]
    assert watch.leaks("A covert initiative of $37.5 million.") == ["sought"]
    assert watch.leaks("Une initiative de 37,5 millions de dollars.") == ["sought"]
    assert watch.leaks("A budget of $137.5 million is public.") == []


def test_guard_matches_whole_words_only() -> None:
    contact = Contact.model_validate(
        {
            "id": "c",
            "classification": "protected_a",
            "name": "Li",
            "role": {"en": "R", "fr": "R"},
            "organization": {"en": "O", "fr": "O"},
            "email": "li@example.org",
        }
    )
    watch = Watchlist([contact], [])
    assert watch.leaks("Public policy, as published.") == []
    assert watch.leaks("Write to li@example.org today.") == ["c"]
    assert watch.leaks("Write to mali@example.org.uk today.") == []


def test_text_in_pdf_metadata_or_attributes_is_refused(tmp_path: Path) -> None:
    templates = copy_templates(tmp_path)
    root = write_project(tmp_path / "p", templates=templates)
    item_id, text = _recommendation(root)
    base = templates / "base.html.j2"
    base.write_text(
        base.read_text().replace(
            '<meta name="keywords" content="{{ brief.document_title }}">',
            '<meta name="keywords" content="' + text.replace('"', "") + '">',
        )
    )
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--audience", "public"])
    assert result.exit_code == 1
    assert "human-trafficking/public.en: refused to write" in result.output and item_id in (
        result.output
    )


@pytest.mark.parametrize(
    "dump",
    [
        "The_final_figure_will_be_confirmed_with_provinces_next_spring",
        str(["The", "final", "figure", "will", "be", "confirmed", "with", "provinces"]),
        repr({"en": "The final figure will be confirmed with provinces"}),
        repr("Le chiffre\u00a0définitif sera confirmé avec les provinces"),
        json.dumps("Le chiffre\u202fdéfinitif sera confirmé avec les provinces"),
        "the.final.figure.will.be.confirmed",
    ],
)
def test_glued_text_is_read_word_by_word(dump: str) -> None:
    secret = Fact.model_validate(
        {
            "id": "x",
            "classification": "protected_b",
            "source": "s",
            "topic": "t",
            "text": {
                "en": "The final figure will be confirmed with provinces next spring",
                "fr": "Le chiffre définitif sera confirmé avec les provinces au printemps",
            },
        }
    )
    assert leaks(dump, [secret], []) == ["x"]


def _officer() -> Contact:
    return Contact.model_validate(
        {
            "id": "officer",
            "classification": "protected_a",
            "name": "Sample Policy Officer",
            "role": {"en": "R", "fr": "R"},
            "organization": {"en": "O", "fr": "O"},
            "email": "policy-officer@example.org",
            "phone": "613-555-0142",
        }
    )


@pytest.mark.parametrize(
    "shown",
    [
        "policy-officer@example.org",
        "POLICY-OFFICER@EXAMPLE.ORG",
        "policy_officer@example.org",
        "(613) 555-0142",
        "613.555.0142",
        "+1 613 555 0142",
        "1-613-555-0142",
        "6135550142",
        "16135550142",
    ],
)
def test_excluded_contact_is_found_however_written(shown: str) -> None:
    assert Watchlist([_officer()], []).leaks(f"Call or write: {shown}.") == ["officer"]


def test_excluded_contact_in_a_link_is_found() -> None:
    watch = Watchlist([_officer()], [])
    html = '<p><a href="mailto:policy-officer%40example.org">Write to us</a></p>'
    assert watch.leaks(html_text(html)) == ["officer"]
    assert watch.leaks("Call 613-555-0143 or write to other-officer@example.org.") == []


def test_every_wording_of_an_item_is_watched() -> None:
    """An item that left an audience comes with its current words and its old
    ones under the same id; neither may hide the other."""

    def fact(en: str) -> Fact:
        text = {"en": en, "fr": "Texte sans rapport aucun"}
        return Fact.model_validate(
            {"id": "f", "classification": "protected_b", "source": "s", "topic": "t", "text": text}
        )

    now, before = fact("The agency now screens every traveller"), fact("Officers met each ship")
    watch = Watchlist([now, before], [])
    assert watch.leaks("The agency now screens every traveller.") == ["f"]
    assert watch.leaks("Officers met each ship.") == ["f"]
