"""The guard stops leaks, not briefs: words the audience may see anyway are no
alarm, and a refusal says what it found, in which item, and who printed it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from briefs import load_project
from briefs.cli import main
from conftest import SAMPLE, copy_templates, load_one, write_project

TERM = {
    "en": "offences against the administration of justice",
    "fr": "infractions contre l'administration de la justice",
}


def _project(tmp_path: Path) -> Path:
    """The sample, its title and a topic named after a legal term."""
    root = write_project(tmp_path / "p", templates=copy_templates(tmp_path))
    dossier = root / "data" / SAMPLE / "dossier.yaml"
    text = dossier.read_text(encoding="utf-8")
    for old, new in [
        (
            'en: "Combatting Human Trafficking and Supporting Victims"\n    fr:',
            f'en: "Human trafficking and {TERM["en"]}"\n    fr:',
        ),
        (
            'fr: "Lutte contre la traite de personnes et soutien aux victimes"\n  lead',
            f'fr: "Traite de personnes et {TERM["fr"]}"\n  lead',
        ),
        (
            'title: {en: "Criminal law", fr: "Droit pénal"}',
            f'title: {{en: "Criminal {TERM["en"]}", fr: "{TERM["fr"].capitalize()}"}}',
        ),
    ]:
        assert old in text, old
        text = text.replace(old, new)
    dossier.write_text(text, encoding="utf-8")
    return root


def _add_secret(root: Path, item_id: str, en: str, fr: str) -> str:
    """A Protected B analysis item; returns where it is written, as file:line."""
    analysis = root / "data" / SAMPLE / "analysis.yaml"
    with analysis.open("a", encoding="utf-8") as handle:
        handle.write(
            f"\n  - id: {item_id}\n    classification: protected_b\n    part: considerations\n"
            f'    text:\n      en: "{en}"\n      fr: "{fr}"\n'
        )
    origin = load_one(load_project(root)).where(item_id)
    return f"{origin.file}:{origin.line}"


def _build(root: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--audience", "public", *options])
    return result.exit_code, result.output


def test_words_the_audience_sees_anyway_are_no_alarm(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _add_secret(
        root,
        "an-justice",
        f"SAMPLE: cases of {TERM['en']} linked to Operation Lantern stay sealed until March.",
        f"EXEMPLE : les poursuites pour « {TERM['fr']} » liées à l'opération Lanterne "
        "restent confidentielles jusqu'en mars.",
    )
    _add_secret(root, "an-label", "Data for the chart", "Données du graphique")  # a label
    code, output = _build(root)
    assert code == 0, output
    assert (root / "output" / SAMPLE / "public.fr.pdf").exists()

    public = root.parent / "templates" / "public.html.j2"
    public.write_text(
        public.read_text().replace(
            "{% block body %}",
            "{% block body %}\n<p>Lanterne restent confidentielles jusqu'en mars.</p>",
        )
    )
    code, output = _build(root, "--lang", "fr")
    assert code == 1
    assert f"public.html.j2:5: {SAMPLE}/public.fr: refused to write: the template prints" in (
        output
    )
    assert "« lanterne restent confidentielles jusqu …" in output
    assert "an-justice" in output


def test_refusal_points_at_the_data_when_the_template_did_not_print_it(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", templates=copy_templates(tmp_path))
    # Six words that the brief prints only across two things it may show:
    # the end of the title, then the "Information as of" line under it.
    where = _add_secret(
        root,
        "an-straddle",
        "SAMPLE: Supporting Victims Information as of February 9 is an internal date.",
        "EXEMPLE : note interne.",
    )
    out = root / "output" / SAMPLE
    code, output = _build(root, "--lang", "en")
    assert code == 1
    assert f"{where}: {SAMPLE}/public.en: refused to write: the rendered text contains" in output
    assert f"« supporting victims information as … » from excluded item an-straddle ({where})" in (
        output
    )
    assert "template's own text does not hold these words" in output
    assert "No PDF was written." in output and "last PDF" not in output
    assert not (out / "public.en.pdf").exists()

    out.mkdir(parents=True, exist_ok=True)
    (out / "public.en.pdf").write_bytes(b"%PDF last good")
    code, output = _build(root, "--lang", "en")
    assert code == 1 and "The last PDF is unchanged." in output
    assert (out / "public.en.pdf").read_bytes() == b"%PDF last good"
