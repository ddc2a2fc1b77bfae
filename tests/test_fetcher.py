"""The URL fetcher: data: URLs and shipped assets only, nothing else, ever."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefs.cli import main
from briefs.errors import FetchRefused
from briefs.render.fetcher import AssetFetcher, Refused
from briefs.render.pdf import Renderer
from conftest import REPO, SAMPLE, copy_templates, tree_state, write_project


@pytest.fixture
def assets(tmp_path: Path) -> Path:
    root = tmp_path / "templates" / "assets"
    root.mkdir(parents=True)
    (root / "brief.css").write_text("body { color: black }")
    (tmp_path / "secret.txt").write_text("secret")
    (root / "inside-link.css").symlink_to(root / "brief.css")
    (root / "outside-link.css").symlink_to(tmp_path / "secret.txt")
    (root / ".hidden.css").write_text("body { color: red }")
    return root


def test_serves_assets_with_content_type(assets: Path) -> None:
    response = AssetFetcher(assets).fetch((assets / "brief.css").as_uri())
    assert response.read() == b"body { color: black }"
    assert response.content_type == "text/css"
    linked = AssetFetcher(assets).fetch((assets / "inside-link.css").as_uri())
    assert linked.read() == b"body { color: black }"


def test_serves_data_urls(assets: Path) -> None:
    response = AssetFetcher(assets).fetch("data:text/plain;base64,aGk=")
    assert response.read() == b"hi"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///dev/urandom",
        "{root}/../../secret.txt",
        "{root}/%2e%2e/%2e%2e/secret.txt",
        "{root}/%2E%2E/%2E%2E/secret.txt",
        "{root}/outside-link.css",
        "{root}/.hidden.css",
        "{root}/missing.css",
        "{root}",
        "file://otherhost{path}/brief.css",
        "http://127.0.0.1:9/x.css",
        "https://example.com/x.css",
        "ftp://127.0.0.1/x",
        "javascript:alert(1)",
    ],
)
def test_refuses_everything_else(assets: Path, url: str) -> None:
    url = url.format(root=assets.as_uri(), path=assets)
    fetcher = AssetFetcher(assets)
    with pytest.raises(Refused):
        fetcher.fetch(url)
    assert [refusal.url for refusal in fetcher.refused] == [url]  # even if WeasyPrint catches it


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A real server on loopback that records any request made to it."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "tag",
    [
        '<link rel="stylesheet" href="{url}/x.css">',
        '<img src="{url}/x.png" alt="x">',
        '<link rel="attachment" href="file:///etc/passwd">',
        '<img src="../../../../../../etc/passwd" alt="x">',
    ],
)
def test_template_reaching_out_stops_the_build(
    tmp_path: Path, http_server: tuple[str, list[str]], tag: str
) -> None:
    url, seen = http_server
    templates = copy_templates(tmp_path)
    public = templates / "public.html.j2"
    text = public.read_text().replace("{% block body %}", "{% block body %}" + tag.format(url=url))
    public.write_text(text)
    root = write_project(tmp_path / "project", templates=templates)
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--audience", "public"])
    assert result.exit_code == 1, result.output
    assert "refused to fetch" in result.output
    assert seen == []
    assert not (root / "output" / SAMPLE).exists() or tree_state(root / "output") == {}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_stylesheet_reaching_out_refuses_every_brief(
    tmp_path: Path, http_server: tuple[str, list[str]], jobs: str
) -> None:
    url, seen = http_server
    templates = copy_templates(tmp_path)
    css = templates / "assets" / "brief.css"
    css.write_text(f"@import url({url}/x.css);\n" + css.read_text())
    root = write_project(tmp_path / "project", templates=templates)
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--jobs", jobs])
    assert result.exit_code == 1, result.output
    assert "6 brief(s) refused" in result.output
    assert result.output.count("refused to fetch") == 6
    assert seen == []
    assert not list((root / "output").rglob("*.pdf"))


def test_stylesheet_itself_is_fetched_through_the_lock(tmp_path: Path) -> None:
    templates = copy_templates(tmp_path)
    css = templates / "assets" / "brief.css"
    # Inside the templates folder, so briefs check lets it be; outside assets/.
    (templates / "elsewhere.css").write_text(css.read_text())
    css.unlink()
    css.symlink_to(templates / "elsewhere.css")
    root = write_project(tmp_path / "project", templates=templates)
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--jobs", "1"])
    assert result.exit_code == 1
    assert "outside the template assets folder" in result.output


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("href", ["file:///etc/hostname", "../briefs.yaml", "../../briefs.yaml"])
def test_svg_image_reaching_out_refuses_the_brief(tmp_path: Path, jobs: str, href: str) -> None:
    """WeasyPrint draws an inline SVG under ``except BaseException``: the refused
    ``<image>`` (and the rest of the chart) would vanish and the brief be published."""
    root = tmp_path / "project"
    templates = copy_templates(root)
    public = templates / "public.html.j2"
    svg = f'<svg width="20" height="20"><title>x</title><image href="{href}" width="20"/></svg>'
    text = public.read_text().replace("{% block body %}", "{% block body %}" + svg)
    public.write_text(text)
    write_project(root, templates=templates)
    args = ["-C", str(root), "build", "--audience", "public", "--lang", "en", "--jobs", jobs]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert "1 brief(s) refused" in result.output
    shown = href if href.startswith("file:") else (templates / href).resolve().as_uri()
    assert f"refused to fetch {shown!r}" in result.output, result.output
    assert not list((root / "output").rglob("*.pdf"))


def test_a_refusal_refuses_only_its_own_render() -> None:
    """The in-process renderer serves brief after brief: a refusal is forgotten
    once its render has been refused."""
    page = '<html lang="en"><head><title>t</title></head><body><p>Text</p>{}</body></html>'
    svg = '<svg width="9" height="9"><image href="file:///etc/hostname" width="9"/></svg>'
    renderer = Renderer(REPO / "templates" / "assets")
    with pytest.raises(FetchRefused, match="file:///etc/hostname"):
        renderer.render(page.format(svg), REPO / "templates", "2020-01-01")
    assert renderer.render(page.format(""), REPO / "templates", "2020-01-01").pages == 1
