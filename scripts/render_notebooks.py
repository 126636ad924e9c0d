"""Execute notebooks on a fresh kernel and write each as HTML: what ``make all`` publishes.

    python scripts/render_notebooks.py                       # every notebook -> build/html/
    python scripts/render_notebooks.py --output-dir DIR notebooks/03_dcgan.ipynb

Each notebook runs from the ``notebooks/`` folder (so its relative paths, such as ``runs/``, land
there) with no time limit, widget state is not stored (the HTML shows each widget's static
fallback), and the HTML uses nbconvert's default (JupyterLab) template, whose cells carry their
tags as ``celltag_<tag>`` classes. ``tests/test_rendered_html.py`` renders the series the same way
in smoke mode and reads the pages.

At smoke size (``GAN_UTILS_SMOKE=1``) each notebook also runs the worked solutions of its exercises:
the ```python blocks inside each exercise's ``<details><summary>Solution</summary>`` block, appended
in order as code cells tagged ``solution`` and run on the notebook's final state, in the same
kernel. A solution that raises fails the render with the notebook's name and the exercise's number.
The solution cells are removed before the HTML is written, so a page shows the notebook's own cells only;
``make all`` (full size) does not run the solutions.

At full size each notebook's wall-clock time is written into ``notebooks/timings.json`` (with the
date, the machine's core count and the CPU time its kernel used, which says more than the wall
clock when other jobs share the machine), read by ``scripts/lesson_stats.py`` and the README's table.
"""

from __future__ import annotations

import argparse
import copy
import datetime
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import CellExecutionError, ExecutePreprocessor

from gan_utils import atomic, config

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
OUTPUT_DIR = ROOT / "build" / "html"
#: The last full-size time of each notebook (read by scripts/lesson_stats.py).
TIMINGS = ROOT / "notebooks" / "timings.json"
#: The tag of the code cells that :func:`execute` appends: the exercises' worked solutions.
SOLUTION_TAG = "solution"

#: One step of a walk through the Exercises section: a <details> block (skipped over as a whole, so
#: that nothing inside it counts), a fenced block (likewise), a numbered exercise, or the next heading.
_TOKEN = re.compile(
    r"(?P<details><details>\s*<summary>(?P<summary>.*?)</summary>(?P<body>.*?)</details>)"
    r"|(?P<fence>^```.*?^```)"
    r"|^(?P<number>\d+)\.[ \t]"
    r"|^(?P<heading>#{1,2} )",
    re.S | re.M,
)
_DETAILS_BLOCK = re.compile(r"<details>.*?</details>", re.S)
_EXERCISES = re.compile(r"^## Exercises[ \t]*$", re.M)
_PYTHON_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)


class SolutionError(RuntimeError):
    """An exercise's worked solution raised when it ran at the end of its notebook."""


@dataclass(frozen=True)
class Exercise:
    """One numbered exercise of a notebook's ``## Exercises`` list.

    ``text`` is the exercise's own words; ``details`` holds the ``(summary, body)`` of each
    ``<details>`` block under it, in order (``("Hint", ...)``, ``("Solution", ...)``).
    """

    number: int
    text: str
    details: tuple[tuple[str, str], ...]

    def bodies(self, summary: str) -> list[str]:
        """The bodies of this exercise's details blocks with this summary ("Hint" or "Solution")."""
        return [body for s, body in self.details if s == summary]

    @property
    def solution_code(self) -> list[str]:
        """The ```python blocks of the exercise's Solution blocks, in order (```text, ```bash ... are left out)."""
        return [code for body in self.bodies("Solution") for code in _PYTHON_BLOCK.findall(body)]


def _markdown(notebook: dict) -> str:
    """The notebook's Markdown cells, joined (``notebook`` read by nbformat or as plain JSON)."""
    sources = (c["source"] for c in notebook["cells"] if c["cell_type"] == "markdown")
    return "\n\n".join(s if isinstance(s, str) else "".join(s) for s in sources)


def exercises(notebook: dict) -> list[Exercise]:
    """The numbered exercises of the notebook's ``## Exercises`` section, each with its details blocks.

    The section runs from the heading ``## Exercises`` to the next heading of level 1 or 2 (or the end);
    an exercise is a line starting ``N. `` there, outside any details block or fenced block.

    Example:
        >>> nb = {"cells": [{"cell_type": "markdown", "source": "## Exercises\\n\\n1. Add.\\n\\n"
        ...       "<details><summary>Solution</summary>\\n\\n```python\\n1 + 1\\n```\\n</details>"}]}
        >>> [(e.number, e.solution_code) for e in exercises(nb)]
        [(1, ['1 + 1\\n'])]
    """
    text = _markdown(notebook)
    heading = _EXERCISES.search(text)
    if heading is None:
        return []
    found: list[tuple[re.Match, list[tuple[str, str]]]] = []  # each exercise's "N. " and its details blocks
    end = len(text)
    for token in _TOKEN.finditer(text, heading.end()):
        if token["heading"]:
            end = token.start()
            break
        if token["number"]:
            found.append((token, []))
        elif token["details"] and found:
            found[-1][1].append((token["summary"].strip(), token["body"]))
    stops = [item.start() for item, _ in found[1:]] + [end]
    return [
        Exercise(int(item["number"]), _DETAILS_BLOCK.sub("", text[item.end() : stop]).strip(), tuple(details))
        for (item, details), stop in zip(found, stops)
    ]


def solution_cells(notebook: dict) -> list[nbformat.NotebookNode]:
    """The exercises' worked solutions as code cells tagged ``solution``, one per ```python block, in order."""
    return [
        nbformat.v4.new_code_cell(
            f"# Exercise {exercise.number}: the worked solution\n{code}".rstrip("\n"),
            metadata={"tags": [SOLUTION_TAG], "exercise": exercise.number},
        )
        for exercise in exercises(notebook)
        for code in exercise.solution_code
    ]


def without_solutions(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of the notebook without the cells tagged ``solution`` (what the published page shows)."""
    published = copy.deepcopy(notebook)
    published.cells = [c for c in published.cells if SOLUTION_TAG not in c.get("metadata", {}).get("tags", [])]
    return published


def to_html(notebook: nbformat.NotebookNode) -> str:
    """The published page of an executed notebook: nbconvert's HTML of every cell but the solution cells."""
    html, _ = HTMLExporter().from_notebook_node(without_solutions(notebook))
    return html


def execute(path: Path, timeout: int | None = None, solutions: bool = False) -> nbformat.NotebookNode:
    """Run every cell of the notebook at ``path`` on a fresh ``python3`` kernel and return it with outputs.

    With ``solutions``, the exercises' worked solutions (:func:`solution_cells`) are appended first
    and run last, in the same kernel; one that raises raises :class:`SolutionError`, naming the
    notebook and the exercise.
    """
    notebook = nbformat.read(path, as_version=4)
    if solutions:
        notebook.cells.extend(solution_cells(notebook))
    try:
        ExecutePreprocessor(timeout=timeout, kernel_name="python3", store_widget_state=False).preprocess(
            notebook, {"metadata": {"path": str(path.parent)}}
        )
    except CellExecutionError as err:
        failed = [c for c in notebook.cells if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
        if failed and SOLUTION_TAG in failed[-1].metadata.get("tags", []):
            number = failed[-1].metadata["exercise"]
            raise SolutionError(
                f"{path.name}: the worked solution of exercise {number} raised {err.ename}: {err.evalue}\n"
                f"Fix the ```python block in that exercise's <details><summary>Solution</summary> (it runs after "
                f"the notebook's last cell, after the solutions before it).\n\n{err}"
            ) from None
        raise
    return notebook


def render(
    path: Path, output_dir: Path = OUTPUT_DIR, timeout: int | None = None, solutions: bool | None = None
) -> tuple[Path, nbformat.NotebookNode]:
    """Execute the notebook and write ``output_dir/<name>.html``; return the page's path and the published notebook.

    ``solutions`` (default: at smoke size, ``config.SMOKE``) also runs the exercises' worked
    solutions (see :func:`execute`); their cells are left out of the page and of the returned notebook.
    """
    notebook = execute(path, timeout, config.SMOKE if solutions is None else solutions)
    html = to_html(notebook)
    output_dir.mkdir(parents=True, exist_ok=True)
    page = output_dir / (path.stem + ".html")
    tmp = page.with_name("." + page.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(page)
    return page, without_solutions(notebook)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("notebooks", nargs="*", type=Path, help="notebooks to render (default: all, in order)")
    p.add_argument("--output-dir", type=Path, default=OUTPUT_DIR, help=f"where the HTML goes (default {OUTPUT_DIR.relative_to(ROOT)})")
    args = p.parse_args(argv)
    for path in args.notebooks or NOTEBOOKS:
        start, cpu_start = time.perf_counter(), _children_cpu()
        page, _ = render(path.resolve(), args.output_dir)
        seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu_start
        print(f"{path.name}: {seconds:.0f} s ({cpu:.0f} s of CPU in its kernel) -> {page}", flush=True)
        if not config.SMOKE:
            record_time(path.name, seconds, cpu)
    return 0


def _children_cpu() -> float:
    """CPU seconds (user + system) used so far by finished child processes: the kernels."""
    try:
        import resource
    except ImportError:  # not on Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def record_time(name: str, seconds: float, cpu_seconds: float) -> None:
    """Write a full-size run's time into :data:`TIMINGS`, keeping the other notebooks' entries."""
    timings = json.loads(TIMINGS.read_text(encoding="utf-8")) if TIMINGS.exists() else {}
    timings[name] = {
        "seconds": round(seconds),
        "cpu_seconds": round(cpu_seconds),
        "measured": datetime.date.today().isoformat(),
        "cores": os.cpu_count(),
    }
    atomic.write_bytes(TIMINGS, (json.dumps(dict(sorted(timings.items())), indent=1) + "\n").encode("utf-8"))


if __name__ == "__main__":
    sys.exit(main())
