"""Benchmark ``briefs serve`` and print a table of the targets of issue #11.

Run with ``make bench-serve`` (or ``.venv/bin/python bench/bench_serve.py``,
about 40 s; ``--quick`` about 25 s). A real ``briefs serve`` process
serves a built copy of the sample on a free loopback port, and this script is
its clients:

- 32 concurrent clients (one asyncio task and kept-alive connection each, in
  this process) ask for ``/healthz`` for 10 s, then for the current public
  English PDF (``public.en.pdf``, up to date: nothing to build) for 10 s.
  Target: the PDF's p50 within 3 × the p50 of ``/healthz``.
- A public figure is edited (written and renamed, as editors save), then one
  client asks for the stale PDF, which the server builds first. Target: it
  comes within the time the same build takes when run directly + 100 ms. The
  direct build is timed in this process, warm (WeasyPrint imported, one build
  done), the way the server builds (one process, ``jobs=1``), on another copy
  with the same edits, each just before the server's; the server's first
  stale request, which also imports WeasyPrint, is compared with
  ``briefs build … --force``, a fresh process.
- 32 clients ask at once for a stale brief: one build, all of them get its
  PDF, the last within that build's time (as the server logs it) + 100 ms.

Times depend on what else the machine is doing; run it again if a number looks odd.
"""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import yaml

from harness import PY, REPO, Table, end, quick_or_full

BRIEFS = str(Path(PY).parent / "briefs")
HOST = "127.0.0.1"
DOSSIER = "human-trafficking"
PDF = f"/dossiers/{DOSSIER}/public.en.pdf"
EDITED = Path("data/human-trafficking/figures.yaml")
VALUES = ("    value: 18\n", "    value: 19\n")
"""The value of the figure ``taskforce-departments`` (unclassified: the public
brief prints it), switched between these at each edit."""
BRIEF_OPTIONS = ("--audience", "public", "--lang", "en")
CLIENTS = 32
WARM_UP = 1.0
"""Seconds of load before each measured run, not counted."""
START = 30.0
"""Longest wait for the server to answer /healthz."""
TIMEOUT = 60.0
"""Longest wait for one response."""


@dataclass(frozen=True)
class Plan:
    seconds: float
    """Of each concurrent run."""
    stale: int
    """Stale requests timed (the first one after start-up besides)."""


FULL = Plan(seconds=10.0, stale=5)
QUICK = Plan(seconds=3.0, stale=3)


class Failed(Exception):
    """briefs serve did not do what it should."""


def project(base: Path, name: str) -> Path:
    """A built copy of the sample project."""
    root = base / name
    root.mkdir()
    # Released as built: with `approval: required` (the sample's), readers get
    # the last approved edition and an edit makes a draft (docs/approval.md);
    # this measures building on request, so the public audience needs none.
    config = yaml.safe_load((REPO / "briefs.yaml").read_text())
    config["audiences"]["public"]["approval"] = "none"
    (root / "briefs.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    for folder in ("data", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    subprocess.run([BRIEFS, "-C", str(root), "build"], check=True, capture_output=True)
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(root: Path, log: Path) -> Iterator[str]:
    """``briefs serve`` on ``root``, logging to ``log``; its base URL. Stopped
    however this ends; on a failure, the end of its log is shown."""
    port = free_port()
    command = [BRIEFS, "-C", str(root), "serve", "--host", HOST, "--port", str(port)]
    with log.open("wb") as out:
        process = psutil.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://{HOST}:{port}"
    try:
        started = time.perf_counter()
        while True:
            if process.poll() is not None:
                raise Failed(f"briefs serve ended (exit code {process.returncode})")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.perf_counter() - started > START:
                raise Failed(f"briefs serve did not answer /healthz within {START:.0f} s")
            time.sleep(0.05)
        yield url
    except BaseException:
        lines = log.read_text(errors="replace").splitlines()
        print(f"\nThe end of the briefs serve log ({log}):", file=sys.stderr)
        print("\n".join(lines[-40:]), file=sys.stderr)
        raise
    finally:
        end(process)


@dataclass
class Load:
    """What a concurrent run measured."""

    latencies: list[float] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def p(self, percent: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[percent - 1]

    def text(self) -> str:
        rate = len(self.latencies) / self.seconds
        return (
            f"p50 {ms(self.p(50))}, p95 {ms(self.p(95))} "
            f"({len(self.latencies)} requests, {rate:.0f}/s, {len(self.bad)} bad)"
        )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


async def get(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str
) -> tuple[int, bytes]:
    """One GET on a kept-alive HTTP/1.1 connection: the status and the body.
    (httpx's AsyncClient spends more CPU than the server here: with 32
    clients on 2 cores it, not the server, set the pace.)"""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    fields = dict(line.lower().split(": ", 1) for line in lines[1:] if line)
    return int(lines[0].split()[1]), await reader.readexactly(int(fields["content-length"]))


async def load(url: str, path: str, seconds: float, expect: bytes | None = None) -> Load:
    """``CLIENTS`` clients, each on its own connection, asking for ``path`` one
    request after the other for ``seconds`` (after ``WARM_UP`` seconds not
    counted); a response other than 200 (and ``expect``'s bytes) is bad."""
    result = Load()
    port = int(url.rsplit(":", 1)[1])

    async def one() -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while (now := time.perf_counter()) < deadline:
                status, body = await asyncio.wait_for(get(reader, writer, path), TIMEOUT)
                result.latencies.append(time.perf_counter() - now)
                if status != 200 or (expect and body != expect):
                    result.bad.append(f"{status} {body[:80]!r}")
        finally:
            writer.close()

    deadline = time.perf_counter() + WARM_UP
    await asyncio.gather(*(one() for _ in range(CLIENTS)))
    result.latencies.clear()
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(one() for _ in range(CLIENTS)))
    result.seconds = time.perf_counter() - started
    return result


class Editor:
    """Switches the figure's value in a project's data, as editors save."""

    def __init__(self, root: Path) -> None:
        self.file = root / EDITED
        self.saves = 0

    def save(self) -> None:
        old, new = VALUES[self.saves % 2], VALUES[(self.saves + 1) % 2]
        content = self.file.read_text()
        if content.count(old) != 1:
            raise Failed(f"expected {old.strip()!r} once in {self.file}")
        temporary = self.file.with_name(f".{self.file.name}.tmp")
        temporary.write_text(content.replace(old, new))
        os.replace(temporary, self.file)
        self.saves += 1


def current_sha(root: Path) -> tuple[int, str]:
    """The number and SHA-256 of the current public English edition, from the ledger."""
    from briefs.pipeline import list_editions
    from briefs.source.config import load_project

    editions = list_editions(load_project(root), DOSSIER)
    last = [e for e in editions if (e.audience, e.lang) == ("public", "en")][-1]
    return last.number, last.sha256


class Direct:
    """The same builds as the server's, run directly on another copy."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.editor = Editor(root)

    def fresh_process(self) -> float:
        """Seconds of ``briefs build … --force``: start-up, imports, one render."""
        started = time.perf_counter()
        subprocess.run(
            [BRIEFS, "-C", str(self.root), "build", DOSSIER, *BRIEF_OPTIONS, "--force"],
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - started

    def warm(self) -> float:
        """Edit, then seconds of building the brief in this process (WeasyPrint
        imported after the first time), with one render process as the server
        builds."""
        from briefs.pipeline import build
        from briefs.source.config import load_project

        self.editor.save()
        started = time.perf_counter()
        report = build(load_project(self.root), [DOSSIER], ["public"], ["en"], jobs=1)
        took = time.perf_counter() - started
        if len(report.built) != 1 or report.problems:
            raise Failed(f"the direct build built {report.built}, problems {report.problems}")
        return took


def stale_get(url: str, root: Path, editor: Editor) -> float:
    """Edit, then time one GET of the stale PDF on a connection opened before;
    check it is the new edition."""
    before, _ = current_sha(root)
    connection = http.client.HTTPConnection(HOST, int(url.rsplit(":", 1)[1]), timeout=TIMEOUT)
    connection.connect()
    editor.save()
    started = time.perf_counter()
    connection.request("GET", PDF)
    response = connection.getresponse()
    body = response.read()
    took = time.perf_counter() - started
    connection.close()
    number, sha = current_sha(root)
    served = hashlib.sha256(body).hexdigest()
    if response.status != 200 or number != before + 1 or served != sha:
        raise Failed(
            f"stale GET: {response.status}, edition {before} → {number}, "
            f"served {served[:12]}, ledger {sha[:12]}"
        )
    return took


async def stale_burst(url: str, root: Path, editor: Editor) -> tuple[Load, int, int]:
    """``CLIENTS`` GETs at once of a stale PDF, on connections opened before
    the edit: their latencies, how many editions were published, and how
    many different PDFs were served."""
    port = int(url.rsplit(":", 1)[1])
    connections = [await asyncio.open_connection(HOST, port) for _ in range(CLIENTS)]
    before, _ = current_sha(root)
    editor.save()
    result = Load()

    async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
        started = time.perf_counter()
        status, body = await asyncio.wait_for(get(reader, writer, PDF), TIMEOUT)
        result.latencies.append(time.perf_counter() - started)
        if status != 200:
            result.bad.append(str(status))
        writer.close()
        return body

    started = time.perf_counter()
    bodies = await asyncio.gather(*(one(*c) for c in connections))
    result.seconds = time.perf_counter() - started
    number, _ = current_sha(root)
    return result, number - before, len(set(bodies))


def builds_logged(log: Path) -> list[float]:
    """The seconds of each build the server logged (``built … in 0.55 s``)."""
    found = re.findall(r" built \S+ in ([\d.]+) s", log.read_text(errors="replace"))
    return [float(seconds) for seconds in found]


def main() -> None:
    plan = quick_or_full(
        __doc__,
        QUICK,
        FULL,
        f"{QUICK.seconds:.0f} s per concurrent run instead of {FULL.seconds:.0f}, "
        f"{QUICK.stale} stale requests instead of {FULL.stale}",
    )
    table = Table()
    load_average = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        served = project(Path(tmp), "served")
        direct = Direct(project(Path(tmp), "direct"))
        fresh = min(direct.fresh_process() for _ in range(3))
        direct.warm()  # imports WeasyPrint in this process
        log = Path(tmp) / "serve.log"
        with serving(served, log) as url:
            healthz = asyncio.run(load(url, "/healthz", plan.seconds))
            table.row(f"/healthz, {CLIENTS} clients for {plan.seconds:.0f} s", healthz.text())
            pdf = (served / "output" / DOSSIER / "public.en.pdf").read_bytes()
            cached = asyncio.run(load(url, PDF, plan.seconds, pdf))
            table.row(f"current public.en.pdf, {CLIENTS} clients, same", cached.text())
            ratio = cached.p(50) / healthz.p(50)
            table.row(
                "current PDF p50 ÷ /healthz p50",
                f"{ratio:.1f} ×",
                "≤ 3 ×",
                ratio <= 3 and not healthz.bad and not cached.bad,
            )

            editor = Editor(served)
            first = stale_get(url, served, editor)
            table.row(
                "stale PDF, the server's first build (it imports WeasyPrint then)",
                ms(first),
                f"≤ briefs build --force {ms(fresh)} + 100 ms",
                first <= fresh + 0.1,
            )
            # Side by side, so that both see the machine as it is then.
            renders, stale = [], []
            for _ in range(plan.stale):
                renders.append(direct.warm())
                stale.append(stale_get(url, served, editor))
            render, middle = statistics.median(renders), statistics.median(stale)
            table.row(
                "direct build of public.en after an edit, in one warm process (jobs=1)",
                f"median {ms(render)} of {len(renders)} (max {ms(max(renders))})",
            )
            table.row(
                "stale PDF after an edit, one request",
                f"median {ms(middle)} of {len(stale)} (max {ms(max(stale))})",
                f"≤ {ms(render)} + 100 ms",
                middle <= render + 0.1,
            )
            burst, published, different = asyncio.run(stale_burst(url, served, editor))
        logged = builds_logged(log)
    if len(logged) != len(stale) + 2:  # the first, the timed ones, the burst's
        raise Failed(f"the server logged {len(logged)} builds, expected {len(stale) + 2}")
    overhead = statistics.median(s - b for s, b in zip(stale, logged[1:-1], strict=True))
    table.row(
        "stale PDF, one request − the server's own build time (its log), median",
        f"{ms(overhead)} (builds: median {ms(statistics.median(logged[1:-1]))})",
    )
    slowest = max(burst.latencies)
    table.row(
        f"stale PDF, {CLIENTS} requests at once",
        f"{published} edition published, {different} PDF served, p50 {ms(burst.p(50))}, "
        f"max {ms(slowest)}, {len(burst.bad)} bad; its build {ms(logged[-1])} (log)",
        "1, 1, max ≤ its build + 100 ms",
        published == different == 1 and not burst.bad and slowest <= logged[-1] + 0.1,
    )
    quick = " (--quick)" if plan is QUICK else ""
    table.print(
        f"briefs serve benchmark{quick}, load average {load_average:.1f} → {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
