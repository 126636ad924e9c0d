"""Print, per notebook, the words of main text, the lines of code and the last measured full-size time.

Main text is the markdown outside collapsed ``<details>`` blocks (hints, solutions, the "Under the
hood" appendix): what a learner reads on a first pass; a formula counts as one word. Code lines are the non-blank lines of the
code cells. The full-size times are those ``scripts/render_notebooks.py`` measured last, read from
``notebooks/timings.json`` (written when it renders at full size): the wall clock, and the CPU time
the notebook's kernel used (on a machine shared with other jobs the wall clock is only an upper bound).

    python scripts/lesson_stats.py            # the table
    python scripts/lesson_stats.py --check    # exit 1 if a notebook has more than MAX_WORDS of main text
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TIMINGS = NOTEBOOKS / "timings.json"
#: The most words of main text one lesson may hold (issue 24: one sitting).
MAX_WORDS = 2500
_DETAILS = re.compile(r"<details>.*?</details>", re.DOTALL | re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9][\w'’.,-]*")
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.DOTALL)


def main_text(notebook: Path) -> str:
    """The markdown of ``notebook`` outside ``<details>`` blocks."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    text = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return _DETAILS.sub(" ", text)


def count_words(text: str) -> int:
    """Words of ``text``: runs of letters and digits; a formula (``$...$`` or ``$$...$$``) counts as one
    word, punctuation and markup as none.

    Example:
        >>> count_words("The generator's loss, $-\\log D(G(z))$, is **non-saturating**.")
        6
    """
    return len(_WORD.findall(_MATH.sub(" formula ", text)))


def code_lines(notebook: Path) -> int:
    """Non-blank lines of the code cells of ``notebook``."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum(1 for c in cells if c["cell_type"] == "code" for line in "".join(c["source"]).splitlines() if line.strip())


def timings() -> dict:
    """The last measured full-size run of each notebook: ``{name: {"seconds": s, "measured": date}}``."""
    return json.loads(TIMINGS.read_text(encoding="utf-8")) if TIMINGS.exists() else {}


def stats() -> list[dict]:
    """One row per notebook: name, words of main text, code lines, last full-size seconds (or None)."""
    measured = timings()
    return [
        {
            "notebook": nb.name,
            "words": count_words(main_text(nb)),
            "code_lines": code_lines(nb),
            "seconds": measured.get(nb.name, {}).get("seconds"),
            "cpu_seconds": measured.get(nb.name, {}).get("cpu_seconds"),
            "measured": measured.get(nb.name, {}).get("measured", ""),
        }
        for nb in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help=f"exit 1 when a notebook has more than {MAX_WORDS} words of main text")
    args = parser.parse_args(argv)
    rows = stats()
    print(f"{'notebook':<32} {'main-text words':>15} {'code lines':>10} {'full size':>10} {'kernel CPU':>10}  measured")
    for r in rows:
        time = f"{r['seconds'] / 60:.1f} min" if r["seconds"] is not None else "not yet"
        cpu = f"{r['cpu_seconds'] / 60:.1f} min" if r["cpu_seconds"] is not None else ""
        print(f"{r['notebook']:<32} {r['words']:>15,} {r['code_lines']:>10,} {time:>10} {cpu:>10}  {r['measured']}")
    timed = [r["seconds"] for r in rows if r["seconds"] is not None]
    print(f"{'all':<32} {sum(r['words'] for r in rows):>15,} {sum(r['code_lines'] for r in rows):>10,} "
          f"{sum(timed) / 60:>6.1f} min  ({len(timed)} of {len(rows)} timed)")
    over = [r["notebook"] for r in rows if r["words"] > MAX_WORDS]
    if args.check and over:
        print(f"over {MAX_WORDS} words of main text: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
