"""The rendered HTML of every notebook (what ``make all`` publishes, here at smoke size): every
figure and animation is a picture, no TensorFlow log lines, one progress line per epoch.

Each notebook is executed on a fresh kernel and written to ``build/html-smoke/`` by
``scripts/render_notebooks.py``, exactly as ``make all`` does it (open the pages to look at them).
A code cell whose output is a figure is tagged ``figure`` in the notebook (an animation:
``animation``); the tags reach the HTML as ``celltag_figure`` classes. This file is also the main
environment's run of every notebook: a cell that raises fails it. At smoke size the same run also
executes the worked solutions of the notebook's exercises, appended after its last cell, and a
solution that raises fails it too; the pages leave the solution cells out.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import render_notebooks  # noqa: E402  (scripts/ is not a package)

OUTPUT_DIR = ROOT / "build" / "html-smoke"
NOTEBOOKS = render_notebooks.NOTEBOOKS
PICTURE_TAGS = ("figure", "animation")
#: What TensorFlow's C++ runtime, XLA, oneDNN and CUDA write to stderr (which Jupyter shows).
LOG_PATTERNS = [
    r"\b[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ [\w.]+:\d+\]",  # absl / TSL log prefix: I0000 00:00:...  123 file.cc:45]
    r"Compiled cluster using XLA",
    r"remapper failed",
    r"oneDNN custom operations",
    r"absl::InitializeLog",
    r"cuInit|cuda_platform|cudart_stub",
    r"This TensorFlow binary is optimized",
    r"StreamExecutor",
]
#: Keras' progress bar ("12/32 ━━━━━━━━━━━━ 1s 40ms/step - d_loss: ..."); in a saved page each redraw is a line.
PROGRESS_BAR = re.compile(r"\d+/\d+ (━+|\[=*>?\.*\])")


class _Cells(HTMLParser):
    """Split a rendered page into its cells: classes, and what the cell's output area holds."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[dict] = []
        self._depth = 0
        self._cell_depth: int | None = None
        self._output_depth: int | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "div":
            self._depth += 1
            if "jp-Cell" in classes and self._cell_depth is None:
                self._cell_depth = self._depth
                self.cells.append({"classes": classes, "pictures": [], "output_text": []})
            elif "jp-OutputArea" in classes and self._cell_depth is not None and self._output_depth is None:
                self._output_depth = self._depth
        if self._output_depth is not None and tag in ("img", "svg"):
            src = attributes.get("src") or ""
            self.cells[-1]["pictures"].append(src.split(",", 1)[0] if tag == "img" else "svg")

    def handle_endtag(self, tag: str) -> None:
        if tag != "div":
            return
        if self._output_depth == self._depth:
            self._output_depth = None
        if self._cell_depth == self._depth:
            self._cell_depth = None
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._output_depth is not None:
            self.cells[-1]["output_text"].append(data)


@pytest.fixture(scope="module", params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def rendered(request) -> dict:
    """Execute one notebook, write its HTML, and return the page, its cells and the run notebook."""
    page, notebook = render_notebooks.render(request.param, OUTPUT_DIR, timeout=900)
    html = page.read_text(encoding="utf-8")
    parser = _Cells()
    parser.feed(html)
    return {"html": html, "cells": parser.cells, "notebook": notebook, "name": request.param.name, "path": request.param}


def test_page_has_one_html_cell_per_notebook_cell(rendered):
    assert len(rendered["cells"]) == len(rendered["notebook"].cells)


def test_page_shows_the_notebook_without_the_solution_cells(rendered):
    assert len(rendered["cells"]) == len(nbformat.read(rendered["path"], as_version=4).cells)
    assert "celltag_" + render_notebooks.SOLUTION_TAG not in rendered["html"]


def test_every_figure_cell_shows_a_picture(rendered):
    for number, (cell, shown) in enumerate(zip(rendered["notebook"].cells, rendered["cells"]), start=1):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & set(PICTURE_TAGS):
            assert shown["pictures"], f"cell {number} is tagged {sorted(tags)} but its output shows no picture: {''.join(shown['output_text'])[:300]!r}"
            assert "celltag_" + sorted(tags & set(PICTURE_TAGS))[0] in shown["classes"]


def test_every_animation_cell_shows_the_gif_itself(rendered):
    for number, (cell, shown) in enumerate(zip(rendered["notebook"].cells, rendered["cells"]), start=1):
        if "animation" in cell.get("metadata", {}).get("tags", []):
            assert "data:image/gif;base64" in shown["pictures"], f"cell {number}: {shown['pictures']}"


def test_every_picture_is_in_a_tagged_cell(rendered):
    """The converse, so that the tags stay complete: a new figure cell must be tagged to be guarded."""
    for number, (cell, shown) in enumerate(zip(rendered["notebook"].cells, rendered["cells"]), start=1):
        if cell.cell_type == "code" and shown["pictures"]:
            tags = set(cell.get("metadata", {}).get("tags", []))
            assert tags & set(PICTURE_TAGS), f"cell {number} shows a picture; tag it 'figure' (or 'animation'):\n{cell.source[:200]}"


def test_no_placeholder_text_instead_of_a_picture(rendered):
    text = " ".join(" ".join(c["output_text"]) for c in rendered["cells"])
    for placeholder in ("<IPython.core.display.Image object>", "<Figure size", "<IPython.core.display.HTML object>"):
        assert placeholder not in text


@pytest.mark.parametrize("pattern", LOG_PATTERNS)
def test_no_tensorflow_log_lines(rendered, pattern):
    for number, cell in enumerate(rendered["cells"], start=1):
        text = "".join(cell["output_text"])
        found = re.search(pattern, text)
        assert not found, f"cell {number} shows a log line: {text[max(0, found.start() - 80): found.end() + 120]!r}"


def test_training_shows_one_progress_line_per_epoch(rendered):
    for number, cell in enumerate(rendered["cells"], start=1):
        text = "".join(cell["output_text"])
        assert not PROGRESS_BAR.search(text), f"cell {number} kept a progress bar's redraws: {text[:300]!r}"
        epochs = re.findall(r"^Epoch (\d+)/(\d+)", text, flags=re.MULTILINE)
        assert len(epochs) == len(set(epochs)), f"cell {number} repeats epoch lines: {epochs}"


def _exercise_notebook(tmp_path: Path, solutions: list[str]) -> Path:
    """A small notebook on disk: one code cell, then one exercise per solution code."""
    cells = [nbformat.v4.new_code_cell("x = 20"), nbformat.v4.new_markdown_cell("## Exercises")]
    for number, code in enumerate(solutions, start=1):
        cells.append(nbformat.v4.new_markdown_cell(
            f"{number}. Do it.\n\n<details><summary>Hint</summary>\nThink.\n</details>\n\n"
            f"<details><summary>Solution</summary>\n\n```python\n{code}\n```\n</details>"
        ))
    path = tmp_path / "99_exercises.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def test_solutions_run_after_the_last_cell_in_order_on_its_state(tmp_path):
    path = _exercise_notebook(tmp_path, ["y = x + 1", "print(2 * y)"])
    notebook = render_notebooks.execute(path, timeout=60, solutions=True)
    appended = [c for c in notebook.cells if render_notebooks.SOLUTION_TAG in c.metadata.get("tags", [])]
    assert notebook.cells[-2:] == appended and [c.metadata["exercise"] for c in appended] == [1, 2]
    assert appended[-1].outputs[0]["text"] == "42\n"


def test_a_solution_that_raises_names_its_notebook_and_exercise(tmp_path):
    path = _exercise_notebook(tmp_path, ["y = x + 1", "y / 0"])
    with pytest.raises(render_notebooks.SolutionError, match=r"99_exercises\.ipynb: the worked solution of exercise 2 raised ZeroDivisionError"):
        render_notebooks.execute(path, timeout=60, solutions=True)


def test_render_runs_the_solutions_at_smoke_size_only(tmp_path, monkeypatch):
    path = _exercise_notebook(tmp_path, ["y / 0"])
    monkeypatch.setattr(render_notebooks.config, "SMOKE", False)  # make all: full size, the solutions do not run
    page, notebook = render_notebooks.render(path, tmp_path, timeout=60)
    assert page.exists() and len(notebook.cells) == 3
    monkeypatch.setattr(render_notebooks.config, "SMOKE", True)
    with pytest.raises(render_notebooks.SolutionError):
        render_notebooks.render(path, tmp_path, timeout=60)
