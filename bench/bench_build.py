"""Benchmark builds and print a table of the targets of issue #3.

Run with ``make bench`` (or ``.venv/bin/python bench/bench_build.py``). Every
ratio compares runs made side by side in this one process tree, on this
machine, so a busy machine moves both sides.

Targets:
- full build of the sample ≤ 0.4 × a shell loop of the ``weasyprint`` command;
- full build ≤ 1.25 × (single-process render time ÷ cores) + start-up, where
  start-up is ``briefs check`` plus making a Renderer (WeasyPrint loaded as
  builds load it, see ``briefs.render.engine``), and the single-process render time
  is a ``--jobs 1`` build minus start-up (and, more strictly, the six HTML
  files rendered by one warm Renderer);
- no-op build ≤ 0.5 × ``python -c "import weasyprint"`` (sample and 100 dossiers);
- one changed data file in 100 dossiers rebuilds only that dossier's briefs;
- time per brief at 100 dossiers ≤ 1.2 × time per brief at 10;
- peak RSS of the whole process tree during the 600-brief build ≤ 400 MB.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import psutil

from harness import CORES, MB, PY, REPO, PeakRss, Table

WEASYPRINT = str(Path(PY).parent / "weasyprint")

RENDER_ONLY = """
import sys, time
from pathlib import Path
from briefs.render.pdf import Renderer
assets = Path(sys.argv[1]) / "assets"
renderer = Renderer(assets)
pages = [Path(p).read_text() for p in sys.argv[2:]]
link = f'<base href="{Path(sys.argv[1]).as_uri()}/"><link rel="stylesheet" href="assets/brief.css">'
renderer.render(pages[0].replace(link, ""), Path(sys.argv[1]), "2017-02-09")  # warm-up
started = time.perf_counter()
for page in pages:
    renderer.render(page.replace(link, ""), Path(sys.argv[1]), "2017-02-09")
print(time.perf_counter() - started)
"""


MAKE_RENDERER = """
import sys
from pathlib import Path
from briefs.render.pdf import Renderer
Renderer(Path(sys.argv[1]))
"""


def timed(args: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def median(args: list[str], runs: int) -> float:
    return statistics.median(timed(args) for _ in range(runs))


def briefs(root: Path, *extra: str) -> list[str]:
    return [PY, "-m", "briefs", "-C", str(root), "build", *extra]


def briefs_check(root: Path) -> list[str]:
    return [PY, "-m", "briefs", "-C", str(root), "check"]


def project(base: Path, dossiers: int) -> Path:
    """A project of copies of the sample dossier, each its own folder."""
    root = base / f"p{dossiers}"
    base.mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(parents=True)
    text = (REPO / "briefs.yaml").read_text()
    (root / "briefs.yaml").write_text(text + f"templates: {REPO / 'templates'}\n")
    for index in range(dossiers):
        shutil.copytree(REPO / "data" / "human-trafficking", root / "data" / f"d{index:03d}")
    return root


def peak_tree_rss(args: list[str]) -> tuple[float, float, str]:
    """Wall time, peak summed RSS (MB) of a command and all its children, and
    the RSS of each process at that peak."""
    process = psutil.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.perf_counter()
    with PeakRss(process) as rss:
        process.wait()
    elapsed = time.perf_counter() - started
    assert process.returncode == 0, "build failed"
    return elapsed, rss.peak / MB, rss.parts


def main() -> None:
    table = Table()
    import_wp = median([PY, "-c", "import weasyprint"], 5)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        sample = project(base, 1)
        cold_projects = [project(base / f"cold{i}", 1) for i in range(3)]
        timed(briefs(sample, "--html"))
        pages = sorted(str(p) for p in (sample / "output").rglob("*.html"))
        env = {**os.environ, "FONTCONFIG_FILE": str(REPO / "templates/assets/fonts/fonts.conf")}
        shell_loop = [
            "bash",
            "-c",
            f'for f in {" ".join(pages)}; do "{WEASYPRINT}" "$f" "${{f%.html}}.loop.pdf"; done',
        ]
        os.sync()  # time the builds, not the write-back of the copies just made
        colds, loops = [], []
        for root in cold_projects:  # side by side: a busy spell slows both sides
            colds.append(timed(briefs(root)))
            loops.append(timed(shell_loop, env))
        full, loop = statistics.median(colds), statistics.median(loops)
        noop = median(briefs(sample), 7)
        single = float(
            subprocess.run(
                [PY, "-c", RENDER_ONLY, str(REPO / "templates"), *pages],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        # Start-up: what a build does before its first render (check the data,
        # and make a Renderer, loading WeasyPrint the way builds do).
        renderer = [PY, "-c", MAKE_RENDERER, str(REPO / "templates" / "assets")]
        startup = median(briefs_check(sample), 3) + median(renderer, 3)
        bound = 1.25 * single / CORES + startup
        serial = median(briefs(sample, "--force", "--jobs", "1"), 3)
        forced = median(briefs(sample, "--force"), 3)
        serial_render = serial - startup
        serial_bound = 1.25 * serial_render / CORES + startup
        table.row("import weasyprint (reference)", f"{import_wp:.3f} s", "-", True)
        table.row(
            "sample: full build, 6 briefs (median of 3 cold builds)",
            f"{full:.2f} s",
            f"≤ 0.4 × loop = {0.4 * loop:.2f} s",
            full <= 0.4 * loop,
        )
        table.row("sample: shell loop of weasyprint (median of 3)", f"{loop:.2f} s", "-", True)
        table.row(
            "sample: full rebuild vs a one-process build (--jobs 1)",
            f"{forced:.2f} s",
            f"≤ 1.25 × ({serial:.2f} − {startup:.2f} s) ÷ {CORES} + {startup:.2f} s "
            f"= {serial_bound:.2f} s",
            forced <= serial_bound,
        )
        table.row(
            "sample: full build vs one warm renderer (stricter)",
            f"{full:.2f} s",
            f"≤ 1.25 × {single:.2f} s ÷ {CORES} + {startup:.2f} s = {bound:.2f} s",
            full <= bound,
        )
        table.row(
            "sample: no-op build",
            f"{noop * 1000:.0f} ms",
            f"≤ 0.5 × import = {500 * import_wp:.0f} ms",
            noop <= 0.5 * import_wp,
        )

        ten = project(base, 10)
        ten_time = timed(briefs(ten))
        hundred = project(base, 100)
        hundred_time, peak, parts = peak_tree_rss(briefs(hundred))
        per10, per100 = ten_time / 60, hundred_time / 600
        table.row(
            "10 dossiers: full build, 60 briefs",
            f"{ten_time:.1f} s ({per10:.3f} s/brief)",
            "-",
            True,
        )
        table.row(
            "100 dossiers: full build, 600 briefs",
            f"{hundred_time:.1f} s ({per100:.3f} s/brief)",
            f"≤ 1.2 × {per10:.3f} s/brief",
            per100 <= 1.2 * per10,
        )
        table.row(
            "100 dossiers: peak RSS, process tree",
            f"{peak:.0f} MB ({parts})",
            "≤ 400 MB",
            peak <= 400,
        )
        noop100 = median(briefs(hundred), 7)
        table.row(
            "100 dossiers: no-op build",
            f"{noop100 * 1000:.0f} ms",
            f"≤ 0.5 × import = {500 * import_wp:.0f} ms",
            noop100 <= 0.5 * import_wp,
        )
        figures = hundred / "data" / "d042" / "figures.yaml"
        figures.write_text(figures.read_text().replace("value: 44\n", "value: 45\n"))
        started = time.perf_counter()
        out = subprocess.run(briefs(hundred), check=True, capture_output=True, text=True).stdout
        one = time.perf_counter() - started
        rebuilt = out.split()
        only = all("/d042/" in path for path in rebuilt)
        table.row(
            "100 dossiers: one data file changed",
            f"{len(rebuilt)} rebuilt in {one:.1f} s",
            "only d042's 6 briefs",
            only and len(rebuilt) == 6,
        )

    table.print("briefs build benchmark")


if __name__ == "__main__":
    main()
