"""Sources, links and French typography in the built PDFs (issue #12, items 5-8
and 10): each audience's citation style, live tagged links to the page in the
brief's language, URLs that never break after the scheme, names in both
languages, and French spacing before « : » in text and bookmarks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from pypdf import PdfReader

from briefs.cli import main
from briefs.source.dates import Period
from briefs.source.formats import period_text
from conftest import SAMPLE, Built

FRENCH = ["minister.fr", "partners.fr", "public.fr"]
DOSSIER = yaml.safe_load(
    (Path(__file__).parent.parent / "data" / SAMPLE / "dossier.yaml").read_text()
)
PAIRS = {s["id"]: s["url"] for s in DOSSIER["sources"] if isinstance(s.get("url"), dict)}


def _links(reader: PdfReader) -> list[Any]:
    return [
        a.get_object()
        for page in reader.pages
        for a in page.get("/Annots") or []
        if a.get_object().get("/Subtype") == "/Link"
    ]


def _link_elements(node: Any, found: list[Any]) -> None:
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list):
        for child in node:
            _link_elements(child, found)
    elif hasattr(node, "get"):
        if node.get("/S") == "/Link":
            found.append(node)
        if "/K" in node and node.get("/Type") != "/OBJR":
            _link_elements(node["/K"], found)


def test_french_briefs_link_the_french_pages(sample: Built) -> None:
    assert len(PAIRS) >= 2  # the sample has sources with a page in each language
    for lang in ("en", "fr"):
        uris = {str(a["/A"]["/URI"]) for a in _links(sample.reader(f"partners.{lang}"))}
        other = "fr" if lang == "en" else "en"
        assert {url[lang] for url in PAIRS.values()} <= uris, (lang, uris)
        assert not {url[other] for url in PAIRS.values()} & uris, (lang, uris)


def test_links_are_tagged_with_alternative_text(sample: Built) -> None:
    for name in sample.paths:
        reader = sample.reader(name)
        links = _links(reader)
        assert links, name  # sources (and contacts) are live links
        for annotation in links:
            assert str(annotation.get("/Contents", "")).strip(), (name, annotation)
            assert "/StructParent" in annotation, (name, annotation)
        elements: list[Any] = []
        _link_elements(reader.trailer["/Root"]["/StructTreeRoot"], elements)
        objrs = [
            k.get_object()
            for e in elements
            for k in (e["/K"] if isinstance(e["/K"], list) else [e["/K"]])
            if hasattr(k, "get_object")
            and getattr(k.get_object(), "get", dict().get)("/Type") == "/OBJR"
        ]
        assert len(objrs) == len(links), name
    contents = {str(a["/Contents"]) for a in _links(sample.reader("public.fr"))}
    assert "Questions et réponses" in contents  # the source's title, not its URL


def test_urls_never_break_after_the_scheme(sample: Built) -> None:
    for name in sample.paths:
        for line in sample.text(name).splitlines():
            assert not re.search(r"https?:/*\s*$", line), (name, line)


def test_citation_style_per_audience(sample: Built) -> None:
    """The minister's note and the public backgrounder cite lightly (no [n]);
    partners get numbered references (briefs.yaml ``citations``)."""
    for name in sample.paths:
        html = sample.paths[name].with_suffix(".html").read_text()
        text = sample.text(name)
        if name.startswith("partners"):
            assert '<sup class="cite">[1]</sup>' in html and "[1]" in text, name
        else:
            assert 'class="cite"' not in html and not re.search(r"\[\d+\]", text), name
            assert '<ul class="sources">' in html, name
    minister = sample.text("minister.en")
    assert "Source: Department of Justice Canada, Combatting Human Trafficking" in minister


def test_roles_and_placeholders_print_in_french(sample: Built) -> None:
    for name in FRENCH:
        text = sample.text(name)
        assert "(sample)" not in text and "Office" not in text, name
    assert "Bureau des relations avec les médias (exemple)" in sample.text("public.fr")
    assert "Analyste fictif (exemple)" in sample.text("minister.fr")


def test_french_colon_spacing_in_text_and_bookmarks(sample: Built) -> None:
    """« Fonds d’aide aux victimes : » with a no-break space, never an ASCII space
    or none, in the text layer too: our Lato draws U+00A0 with a glyph of its own
    (scripts/lato-nbsp.py), so the text a reader copies keeps it."""
    for name in FRENCH:
        reader = sample.reader(name)
        titles: list[str] = []
        stack: list[Any] = list(reader.outline)
        while stack:
            entry = stack.pop()
            if isinstance(entry, list):
                stack += entry
            else:
                titles.append(str(entry.title))
        html = sample.paths[name].with_suffix(".html").read_text()
        headings = re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", html, re.S)
        body = re.sub(r"https?://\S+", "", sample.text(name))
        for where, text in [("outline", t) for t in titles] + [("heading", h) for h in headings]:
            assert not re.search(r"(\S :|\w:)(\s|$)", text), (name, where, text)
        assert not re.search(r"(\S :|\w:)(\s|$)", body), name
        typeset = [t for t in titles + headings if "\u00a0:" in t]
        assert typeset or name == "minister.fr", name


def test_one_rule_for_year_ranges() -> None:
    years = Period.parse("2012/2020")
    assert (period_text(years, "en"), period_text(years, "fr")) == ("2012–2020", "2012-2020")
    months = Period.parse("2016-04/2017-03")
    assert period_text(months, "en") == "April 2016 to March 2017"
    assert period_text(months, "fr") == "d’avril 2016 à mars 2017"


def test_range_is_printed_by_the_rule(sample: Built) -> None:
    assert "2012–2020" in sample.text("partners.en")
    assert "2012-2020" in sample.text("partners.fr") and "2012\u2009–" not in sample.text(
        "partners.fr"
    )


def test_stale_figures_and_house_style_are_warnings(project_dir: Path) -> None:
    """Both are warnings: printed by ``briefs check``, exit code 0."""
    config = project_dir / "briefs.yaml"
    settings = yaml.safe_load(config.read_text())
    settings["stale_after_months"] = 12
    config.write_text(yaml.safe_dump(settings, allow_unicode=True))
    figures = project_dir / "data" / SAMPLE / "figures.yaml"
    figures.write_text(
        figures.read_text().replace("    period: 2015\n", "    period: 2015\n    published: 2015\n")
    )
    contacts = project_dir / "data" / SAMPLE / "dossier.yaml"
    contacts.write_text(
        contacts.read_text().replace(
            'fr: "ministère de la Justice Canada (exemple)"',
            'fr: "Ministère de la Justice Canada (exemple)"',
        )
    )
    facts = project_dir / "data" / SAMPLE / "facts.yaml"
    facts.write_text(
        facts.read_text().replace("Canada. In 2015–2016, it sent", "Canada. In 2015-2016, it sent")
    )
    result = CliRunner().invoke(main, ["-C", str(project_dir), "check"])
    assert result.exit_code == 0, result.output
    assert re.search(
        r"facts\[\d+\]\.plain\.en: expected an en dash, 2012–2020, found '2015-2016'", result.output
    )
    stale = re.findall(
        r"warning: data/human-trafficking/figures\.yaml:\d+: (\S+): (.*)", result.output
    )
    assert stale == [
        (
            "figures[4].published",
            "published 2015, 14 months before the dossier's as_of (2017-02-09); "
            "older than stale_after_months (12): look for newer figures, or keep it knowingly",
        )
    ], result.output
    assert "dossier.yaml:" in result.output and "contacts[0].organization.fr" in result.output
    assert "« ministère » in lower case" in result.output
    # The sample's backgrounder has one URL, on canada.ca: its French page is owed.
    assert "sources[0].url: expected the page in each language" in result.output


def test_chart_description_is_typeset_in_french(charted: Built) -> None:
    """The chart's alternative text (SVG title) follows French spacing too."""
    for name, colon in [("public.fr", "2016\u00a0: 340"), ("partners.en", "2016: 340")]:
        reader = charted.reader(name)
        found: list[Any] = []
        stack: list[Any] = [reader.trailer["/Root"]["/StructTreeRoot"]]
        while stack:
            node = stack.pop()
            node = node.get_object() if hasattr(node, "get_object") else node
            if isinstance(node, list):
                stack += node
            elif hasattr(node, "get"):
                if node.get("/S") == "/Figure" and "/Alt" in node:
                    found.append(str(node["/Alt"]))
                if "/K" in node and node.get("/Type") != "/OBJR":
                    stack.append(node["/K"])
        assert any(colon in alt for alt in found), (name, found)
        if name.endswith(".fr"):
            assert not any(re.search(r"\d: ", alt) for alt in found), found
