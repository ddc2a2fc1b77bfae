"""`briefs check` reports the reading level of each plain-language brief."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from click.testing import CliRunner

from briefs import load_project
from briefs.cli import main
from briefs.editions.fingerprint import UNPRINTED
from briefs.editions.readability import Reading, score
from conftest import SAMPLE, write_project

LINE = re.compile(
    r"^human-trafficking/public\.(en|fr): reading (grade|ease) (\d+\.\d) "
    r"\(target (≤|≥) (\d+)\): (meets target|above target|below target)$",
    re.M,
)


def check(root: Path) -> tuple[int, dict[str, tuple[float, str]]]:
    result = CliRunner().invoke(main, ["-C", str(root), "check"])
    found = {m[1]: (float(m[3]), m[6]) for m in LINE.finditer(result.output)}
    return result.exit_code, found


def set_target(root: Path, en: float, fr: float) -> None:
    config = yaml.safe_load((root / "briefs.yaml").read_text())
    config["audiences"]["public"]["reading_level"] = {"en": en, "fr": fr}
    (root / "briefs.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))


def simplify(root: Path) -> None:
    """Every fact and program's public text, short sentences of short words."""
    for path in (root / "data" / SAMPLE).glob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        for section in ("facts", "programs"):
            for item in data.get(section) or []:
                item["plain"] = {
                    "en": "It is a crime. We help the girls. They are safe now.",
                    "fr": "C'est un crime. On aide les filles. Elles sont en paix.",
                }
        path.write_text(yaml.safe_dump(data, allow_unicode=True))


def test_check_prints_both_levels_and_a_warning_only(project_dir: Path) -> None:
    set_target(project_dir, en=1, fr=119)
    code, found = check(project_dir)
    assert code == 0
    assert set(found) == {"en", "fr"}
    assert found["en"][1] == "above target"
    assert found["fr"][1] == "below target"


def test_simpler_text_lowers_the_grade_and_meets_the_target(tmp_path: Path) -> None:
    before = write_project(tmp_path / "before")
    after = write_project(tmp_path / "after")
    simplify(after)
    for root in (before, after):
        set_target(root, en=8, fr=60)
    _, old = check(before)
    _, new = check(after)
    assert new["en"][0] < old["en"][0]
    assert new["fr"][0] > old["fr"][0]
    assert new["en"][1] == "meets target"
    assert new["fr"][1] == "meets target"


def test_the_target_is_left_out_of_the_fingerprint(project_dir: Path) -> None:
    public = load_project(project_dir).settings.audiences["public"]
    assert public.reading_level is not None
    without = public.model_copy(update={"reading_level": None})
    dump = {"mode": "json", "exclude_none": True, "exclude": UNPRINTED}
    assert public.model_dump(**dump) == without.model_dump(**dump)  # type: ignore[arg-type]


def test_scores_do_not_depend_on_call_order() -> None:
    import textstat

    english = "Human trafficking is a serious crime. It mostly affects women and girls."
    french = "La traite des personnes est un crime grave. Elle touche surtout les femmes."
    first = (score(english, "en"), score(french, "fr"))
    textstat.set_lang("fr")
    assert (score(english, "en"), score(french, "fr")) == first
    textstat.set_lang("en_US")
    assert (
        str(Reading("d/public.en", "en", 7.5, None)) == "d/public.en: reading grade 7.5 (no target)"
    )
