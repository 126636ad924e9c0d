"""Execute notebooks on a fresh kernel and write each as HTML: what ``make all`` publishes.

    python scripts/render_notebooks.py                       # every notebook -> build/html/
    python scripts/render_notebooks.py --output-dir DIR notebooks/03_dcgan.ipynb

Each notebook runs from the ``notebooks/`` folder (so its relative paths, such as ``runs/``, land
there) with no time limit, widget state is not stored (the HTML shows each widget's static
fallback), and the HTML uses nbconvert's default (JupyterLab) template, whose cells carry their
tags as ``celltag_<tag>`` classes. ``tests/test_rendered_html.py`` renders the series the same way
in smoke mode and reads the pages.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import ExecutePreprocessor

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
OUTPUT_DIR = ROOT / "build" / "html"


def execute(path: Path, timeout: int | None = None) -> nbformat.NotebookNode:
    """Run every cell of the notebook at ``path`` on a fresh ``python3`` kernel and return it with outputs."""
    notebook = nbformat.read(path, as_version=4)
    ExecutePreprocessor(timeout=timeout, kernel_name="python3", store_widget_state=False).preprocess(
        notebook, {"metadata": {"path": str(path.parent)}}
    )
    return notebook


def render(path: Path, output_dir: Path = OUTPUT_DIR, timeout: int | None = None) -> tuple[Path, nbformat.NotebookNode]:
    """Execute the notebook and write ``output_dir/<name>.html``; return the page's path and the run notebook."""
    notebook = execute(path, timeout)
    html, _ = HTMLExporter().from_notebook_node(notebook)
    output_dir.mkdir(parents=True, exist_ok=True)
    page = output_dir / (path.stem + ".html")
    tmp = page.with_name("." + page.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(page)
    return page, notebook


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("notebooks", nargs="*", type=Path, help="notebooks to render (default: all, in order)")
    p.add_argument("--output-dir", type=Path, default=OUTPUT_DIR, help=f"where the HTML goes (default {OUTPUT_DIR.relative_to(ROOT)})")
    args = p.parse_args(argv)
    for path in args.notebooks or NOTEBOOKS:
        start = time.perf_counter()
        page, _ = render(path.resolve(), args.output_dir)
        print(f"{path.name}: {time.perf_counter() - start:.0f} s -> {page}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
