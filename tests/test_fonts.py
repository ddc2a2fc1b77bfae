"""Fonts: only the shipped ones, all of them there, and fontconfig quiet about it."""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from fontTools import subset
from pypdf import PdfReader

from briefs.cli import main
from briefs.errors import FontNotShipped
from briefs.render.faces import asked_faces
from briefs.render.pdf import Renderer
from conftest import SAMPLE, copy_templates, write_project

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
"""Debian's fonts-dejavu-core: a system font the briefs must never embed."""
Edit = Callable[[Path, str, str], None]
needs_dejavu = pytest.mark.skipif(not DEJAVU.is_dir(), reason="fonts-dejavu-core is not installed")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_without_home_fontconfig_caches_under_the_state_folder(
    project_dir: Path, jobs: str
) -> None:
    """A service or a container may run without HOME: fontconfig, whose cache
    the shipped fonts.conf puts under $XDG_CACHE_HOME (else $HOME/.cache), had
    nowhere to write and said so in every render process."""
    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "XDG_CACHE_HOME")}
    args = ["build", "--jobs", jobs, "--audience", "public", "--lang", "en"]
    done = subprocess.run(
        [sys.executable, "-m", "briefs", "-C", str(project_dir), *args],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "Fontconfig" not in done.stderr, done.stderr
    assert (project_dir / "output" / SAMPLE / "public.en.pdf").is_file()
    cache = project_dir / "output" / ".state" / "cache" / "briefs-fontconfig"
    assert list(cache.glob("*.cache-*")), "fontconfig wrote no cache under the state folder"


def _build(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["-C", str(root), "build", *args])
    return result.exit_code, result.output


def _project(tmp_path: Path) -> tuple[Path, Path]:
    """A project whose templates (a copy) a test may break: (root, fonts folder)."""
    root = tmp_path / "project"
    templates = copy_templates(root)
    write_project(root, templates=templates)
    return root, templates / "assets" / "fonts"


def test_without_fonts_conf_nothing_is_built(tmp_path: Path) -> None:
    """Fontconfig, not pointed at the shipped fonts, served DejaVu, and the
    briefs were published in it."""
    root, fonts = _project(tmp_path)
    (fonts / "fonts.conf").unlink()
    code, output = _build(root, "--jobs", "2")
    assert code == 1, output
    assert "nothing was written" in output
    assert "templates/assets/fonts/fonts.conf: fonts: expected fontconfig's list" in output
    assert not list((root / "output").rglob("*.pdf"))
    result = CliRunner().invoke(main, ["-C", str(root), "check"])
    assert result.exit_code == 1 and "fonts.conf" in result.output


@pytest.mark.parametrize(
    ("missing", "face"),
    [
        ("Lato-Bold.ttf", "Lato bold"),
        ("Lato-Regular.ttf", "Lato regular"),
        ("NotoSans-Regular.ttf", "Noto Sans regular"),
        ("NotoSans-Bold.ttf", "Noto Sans bold (inherited from the base family)"),
        ("NotoSans-Italic.ttf", "Noto Sans italic (for <em> and <i>)"),
    ],
)
def test_a_missing_font_file_stops_the_build(tmp_path: Path, missing: str, face: str) -> None:
    """Fontconfig fakes a missing face from another file of the family (or takes
    another family) and says nothing."""
    root, fonts = _project(tmp_path)
    (fonts / missing).unlink()
    code, output = _build(root, "--jobs", "1")
    assert code == 1, output
    assert f"asks for {face}, but templates/assets/fonts has no file for that face" in output
    assert not list((root / "output").rglob("*.pdf"))


def test_a_family_that_is_not_shipped_stops_the_build(tmp_path: Path, edit: Edit) -> None:
    root, fonts = _project(tmp_path)
    css = fonts.parent / "brief.css"
    asked = 'font-family: "Lato"; font-weight: 700;'
    line = next(n for n, text in enumerate(css.read_text().splitlines(), 1) if asked in text)
    edit(css, asked, 'font: 700 1em "DejaVu Sans";')
    code, output = _build(root, "--jobs", "1")
    assert code == 1, output
    assert (
        f"templates/assets/brief.css:{line}: fonts: asks for the font family 'DejaVu Sans'"
        in output
    )


def test_a_font_file_that_is_not_a_font_stops_the_build(tmp_path: Path) -> None:
    root, fonts = _project(tmp_path)
    (fonts / "Lato-Bold.ttf").write_text("version https://git-lfs.github.com/spec/v1\n")
    code, output = _build(root, "--jobs", "1")
    assert code == 1, output
    assert "templates/assets/fonts/Lato-Bold.ttf: fonts: not a font fontconfig can use" in output


@pytest.mark.parametrize(
    ("line", "said"),
    [
        (f"<dir>{DEJAVU}</dir>", f"lists the font folder '{DEJAVU}', outside templates/assets"),
        ("<dir>~/.fonts</dir>", "lists the font folder '~/.fonts', outside templates/assets"),
        ('<dir prefix="relative">../..</dir>', "lists the font folder '../..', outside"),
        ("<include>/etc/fonts/fonts.conf</include>", "includes '/etc/fonts/fonts.conf'"),
    ],
)
def test_fonts_conf_showing_other_fonts_stops_the_build(
    tmp_path: Path, line: str, said: str
) -> None:
    root, fonts = _project(tmp_path)
    conf = fonts / "fonts.conf"
    conf.write_text(conf.read_text().replace("</fontconfig>", f"  {line}\n</fontconfig>"))
    code, output = _build(root, "--jobs", "1")
    assert code == 1, output
    assert f"templates/assets/fonts/fonts.conf: fonts: {said}" in output


def test_a_template_asking_for_a_system_font_gets_a_shipped_one(tmp_path: Path) -> None:
    """Fontconfig, shown only the shipped fonts, cannot find DejaVu even where it
    is installed: the text falls back to a shipped family, and is published."""
    root, fonts = _project(tmp_path)
    _ask_in_template(fonts, "<p style=\"font-family: 'DejaVu Sans'\">Foreign</p>")
    code, output = _build(root, "--jobs", "1", "--audience", "public", "--lang", "en")
    assert code == 0, output
    assert _families(root / "output" / SAMPLE / "public.en.pdf") <= {"Lato", "Noto Sans"}


@needs_dejavu
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_font_that_is_not_shipped_refuses_the_brief(tmp_path: Path, jobs: str) -> None:
    """A template can still bring its own font, as a data: URL; its PDF is refused."""
    root, fonts = _project(tmp_path)
    data = base64.b64encode(_subset(DEJAVU / "DejaVuSans.ttf", "Foreign")).decode()
    _ask_in_template(
        fonts,
        f"<style>@font-face {{ font-family: Foreign; src: url(data:font/ttf;base64,{data}) }}"
        "</style><p style='font-family: Foreign'>Foreign</p>",
    )
    code, output = _build(root, "--jobs", jobs, "--audience", "public")
    assert code == 1, output
    assert "2 brief(s) refused" in output
    assert output.count("embeds font(s) not shipped in") == 2
    assert "(DejaVu Sans)" in output
    assert not list((root / "output").rglob("*.pdf"))


@needs_dejavu
def test_the_renderer_refuses_a_system_font_whatever_fonts_conf_says(tmp_path: Path) -> None:
    """The check after rendering does not trust the one before it."""
    _, fonts = _project(tmp_path)
    conf = fonts / "fonts.conf"
    conf.write_text(conf.read_text().replace("</fontconfig>", f"<dir>{DEJAVU}</dir></fontconfig>"))
    renderer = Renderer(fonts.parent)
    page = "<html lang='en'><head><title>t</title></head><body><p style='{}'>Text</p></body></html>"
    with pytest.raises(FontNotShipped, match=r"DejaVu-Sans \(DejaVu Sans\)"):
        renderer.render(page.format("font-family: DejaVu Sans"), fonts.parent, "2020-01-01")
    rendered = renderer.render(page.format(""), fonts.parent, "2020-01-01")
    assert rendered.pages == 1


def _ask_in_template(fonts: Path, markup: str) -> None:
    public = fonts.parent.parent / "public.html.j2"
    text = public.read_text().replace("{% block body %}", "{% block body %}" + markup)
    public.write_text(text)


def _families(pdf: Path) -> set[str]:
    """The family of every font embedded in ``pdf``, read with pypdf."""
    families = set()
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            families.add(str(descendant["/FontDescriptor"]["/FontFamily"]))
    return families


def _subset(path: Path, text: str) -> bytes:
    """A few glyphs of a font: small enough for a data: URL."""
    options = subset.Options()
    font = subset.load_font(str(path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()


def test_faces_asked_for_by_a_stylesheet() -> None:
    css = """
@font-face { font-family: Own; src: url(data:,x) }
html { font: 10pt/1.4 "Noto Sans", sans-serif; }
@page { @top-center { font: italic 700 8pt Lato; } }
@media print { h1 { font-family: Some Family; font-weight: 600 } }
p { font-family: serif; }
.x { font-weight: bold; }
.y { font-style: oblique; font-weight: 400; }
"""
    assert [(str(face), line, why) for face, line, why in asked_faces(css)] == [
        ("Noto Sans regular", 3, ""),
        ("Lato bold italic", 4, ""),
        ("Some Family bold", 5, ""),
        ("Noto Sans bold", 7, " (inherited from the base family)"),
        ("Noto Sans italic", 8, " (inherited from the base family)"),
        ("Noto Sans bold", 3, " (for <strong>, <b>, <th> and headings)"),
        ("Noto Sans italic", 3, " (for <em> and <i>)"),
    ]
