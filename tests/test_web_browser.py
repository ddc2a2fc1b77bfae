"""End to end: ``briefs serve`` as a real process, its page driven in headless
Chromium as a reader would: landmarks, the language switch used with the
keyboard, a download of the public French backgrounder, checked byte for byte
against the current edition.

The browser is Debian's ``chromium`` (``make test`` installs it with
``scripts/test-deps``), launched through Playwright's ``executable_path``:
Playwright's own browsers are never downloaded. The test is skipped only
where that package is missing and cannot be installed (not root, no
passwordless sudo, no apt-get).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from pypdf import PdfReader

from briefs.editions.approvals import approved_path
from briefs.pipeline import approve, list_editions
from briefs.source.config import load_project
from briefs.web.page import LANGUAGE_NAMES, WORDS
from briefs.web.tokens import open_tokens
from conftest import REPO, SAMPLE

CHROMIUM = Path("/usr/bin/chromium")
HOST = "127.0.0.1"
START = 30.0
"""Longest wait, in seconds, for the server to answer /healthz."""
WAIT_MS = 15_000
"""Longest wait for anything in the browser, in milliseconds."""
TITLE = {
    "en": "Combatting Human Trafficking and Supporting Victims",
    "fr": "Lutte contre la traite de personnes et soutien aux victimes",
}
"""The sample dossier's title (data/human-trafficking/dossier.yaml)."""
APPROVER = "Sample Assistant Deputy Minister (sample)"


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Debian's chromium, installed now by scripts/test-deps if it is missing."""
    if not CHROMIUM.exists():
        subprocess.run([REPO / "scripts" / "test-deps"], timeout=900, check=False)
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing and scripts/test-deps could not install Debian's "
            "chromium (not root, no passwordless sudo, or no apt-get): "
            "run `sudo apt-get install chromium`"
        )
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(project: Path, tmp_path: Path) -> Iterator[str]:
    """``briefs serve`` on a built copy of the sample, on a free loopback port;
    its base URL. Stopped however the test ends; its log shown if it fails."""
    log = tmp_path / "serve.log"
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "briefs", "-C", str(project), "serve"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--host", HOST, "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    url = f"http://{HOST}:{port}"
    try:
        wait_healthy(process, url, log)
        yield url
    except BaseException:
        print(f"briefs serve's log:\n{log.read_text(errors='replace')}", file=sys.stderr)
        raise
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"briefs serve ended with {process.returncode}: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    pytest.fail(f"briefs serve did not answer /healthz within {START:.0f} s")


def test_a_reader_switches_to_french_with_the_keyboard_and_downloads_a_brief(
    chromium: Path, server: str, project: Path, tmp_path: Path
) -> None:
    # The public backgrounder needs approval: readers get the approved edition.
    approve(load_project(project), SAMPLE, "public", None, APPROVER)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium), headless=True, args=["--no-sandbox"], timeout=WAIT_MS
        )
        try:
            context = browser.new_context(accept_downloads=True, locale="en-CA")
            page = context.new_page()
            page.set_default_timeout(WAIT_MS)
            page.set_default_navigation_timeout(WAIT_MS)
            page.goto(f"{server}/")

            # English first: the landmarks, the language, the headings.
            assert page.get_attribute("html", "lang") == "en"
            for role in ("banner", "navigation", "main", "contentinfo"):
                assert page.get_by_role(role).count() == 1, role
            assert page.get_by_role("heading", level=1).inner_text() == WORDS["en"]["heading"]
            assert page.get_by_role("heading", level=2).inner_text() == TITLE["en"]
            accessible(page)

            # The language switch, with the keyboard only: Tab to it, then Enter.
            switch = page.get_by_role("navigation").get_by_role("link")
            assert switch.inner_text() == WORDS["en"]["other_language"]
            focused = []
            for _ in range(5):
                page.keyboard.press("Tab")
                focused.append(page.evaluate("document.activeElement.textContent.trim()"))
                if switch.evaluate("link => link === document.activeElement"):
                    break
            else:
                pytest.fail(f"Tab never reached the language switch; it reached {focused}")
            assert focused[0] == WORDS["en"]["skip"], "the skip link comes first"
            outline = switch.evaluate(
                "link => [getComputedStyle(link).outlineStyle, getComputedStyle(link).outlineColor]"
            )
            assert outline[0] != "none", "the focused switch shows where focus is"
            assert contrast(rgb(outline[1]), (255, 255, 255)) >= 3, outline  # WCAG 1.4.11
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert page.url == f"{server}/?lang=fr"
            page.wait_for_selector("html[lang=fr]")
            assert page.get_by_role("heading", level=1).inner_text() == WORDS["fr"]["heading"]
            assert page.get_by_role("heading", level=2).inner_text() == TITLE["fr"]
            headers = page.get_by_role("columnheader").all_inner_texts()
            assert headers == [WORDS["fr"][w] for w in ("brief", "edition", "changes", "download")]
            accessible(page)

            # The public backgrounder in French, by its link's accessible name.
            link = page.get_by_role("link", name=re.compile("Document d’information, français"))
            assert link.get_attribute("href") == f"/dossiers/{SAMPLE}/public.fr.pdf"
            with page.expect_download(timeout=WAIT_MS) as info:
                link.click()
            download = info.value
            assert download.failure() is None
            saved = tmp_path / "downloaded.pdf"
            download.save_as(saved)
        finally:
            browser.close()

    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    data = saved.read_bytes()
    assert data.startswith(b"%PDF-")
    editions = list_editions(load_project(project), SAMPLE)
    current = [e for e in editions if (e.audience, e.lang) == ("public", "fr")][-1]
    assert data == approved_path(project / current.archive).read_bytes()
    text = " ".join("".join(sheet.extract_text() for sheet in PdfReader(saved).pages).split())
    assert TITLE["fr"] in text
    assert TITLE["en"] not in text


def test_an_approver_approves_a_draft_from_the_page_with_the_keyboard(
    chromium: Path, server: str, project: Path
) -> None:
    with open_tokens(load_project(project).folders) as store:
        token = store.create("public:approver", APPROVER)
    brief = f"{server}/dossiers/{SAMPLE}/public.en.pdf"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(brief, timeout=WAIT_MS / 1000)
    assert refused.value.code == 404  # a draft only: nothing released yet
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium), headless=True, args=["--no-sandbox"], timeout=WAIT_MS
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(WAIT_MS)
            page.goto(f"{server}/approvals")
            page.get_by_label("Author or approver token").fill(token)
            page.keyboard.press("Enter")
            draft = page.get_by_role("region", name=f"{SAMPLE}/public.en, Edition 1")
            draft.get_by_role("button").wait_for()  # drawn once the drafts are fetched
            assert draft.get_by_role("heading", name="Changes since the previous edition").count()
            assert draft.get_by_role("link", name="Open the draft (PDF)").count() == 1
            button = draft.get_by_role("button", name=re.compile("^Approve edition 1"))
            button.focus()
            page.keyboard.press("Enter")
            page.get_by_role("status").get_by_text(f"Approved by {APPROVER}").wait_for()
            accessible(page)
        finally:
            browser.close()
    with urllib.request.urlopen(brief, timeout=WAIT_MS / 1000) as response:
        data = response.read()
    current = [e for e in list_editions(load_project(project), SAMPLE) if e.audience == "public"]
    assert data == approved_path(project / current[0].archive).read_bytes()


# -- cheap axe-like checks -----------------------------------------------------------

TEXT_COLOURS = """() => {
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const colour = getComputedStyle(el).backgroundColor;
      if (!/rgba\\(.*, 0\\)$/.test(colour) && colour !== 'transparent') return colour;
    }
    return 'rgb(255, 255, 255)';
  };
  const seen = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (own) seen.push([el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''),
                        getComputedStyle(el).color, background(el)]);
  }
  return seen;
}"""


def accessible(page: Page) -> None:
    """Every link has an accessible name, every image an alt, every piece of
    text a contrast of at least 4.5:1 with what is behind it (WCAG 2.1 AA),
    and the page's own words are not marked as another language's (3.1.2)."""
    lang = page.get_attribute("html", "lang") or ""
    for part in page.locator(f"main [lang]:not([lang={lang}])").all():
        words = part.inner_text().strip("() ")
        assert words not in LANGUAGE_NAMES[lang].values(), part.evaluate("e => e.outerHTML")
    for link in page.get_by_role("link").all():
        name = link.evaluate("a => (a.getAttribute('aria-label') || a.textContent).trim()")
        assert name, f"a link without a name: {link.evaluate('a => a.outerHTML')}"
    for image in page.locator("img").all():
        assert image.get_attribute("alt") is not None, image.evaluate("i => i.outerHTML")
    pairs = page.evaluate(TEXT_COLOURS)
    assert pairs, "no text found"
    for where, fore, back in pairs:
        ratio = contrast(rgb(fore), rgb(back))
        assert ratio >= 4.5, f"{where}: {fore} on {back} is {ratio:.2f}:1"


def rgb(css: str) -> tuple[int, int, int]:
    """``rgb(26, 77, 143)`` (as getComputedStyle gives colours) as a triple."""
    found = re.fullmatch(r"rgba?\((\d+), (\d+), (\d+)(?:, [\d.]+)?\)", css)
    assert found, f"not an rgb() colour: {css}"
    r, g, b = (int(v) for v in found.groups())
    return r, g, b


def luminance(colour: tuple[int, int, int]) -> float:
    """Relative luminance, as WCAG 2.1 defines it."""

    def linear(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(v) for v in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_computed_as_wcag_does() -> None:
    assert round(contrast((0, 0, 0), (255, 255, 255)), 1) == 21.0
    assert contrast((255, 255, 255), (255, 255, 255)) == 1.0
    assert round(contrast((0x76, 0x76, 0x76), (255, 255, 255)), 2) == 4.54  # the AA edge
