"""The notebooks' policy: names, Colab badges and setup cells agree with gan_utils.config, the
sections every lesson has, a hint and a worked solution under every exercise, no GAN code inside
notebooks, outputs stripped, README lists them.

Policy (stated in the README): notebooks are committed with outputs stripped. `make all` executes
them and writes rendered copies to build/html/. The ```python blocks of the exercises' solutions run
at the end of their notebook in tests/test_rendered_html.py (scripts/render_notebooks.py extracts them).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

from gan_utils import config

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import render_notebooks  # noqa: E402  (scripts/ is not a package)

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NAMES = [p.name for p in NOTEBOOKS]
EXPECTED_FIRST = ["01_gan_theory.ipynb", "02_vanilla_gan.ipynb", "03_dcgan.ipynb", "04_real_vs_fake.ipynb"]
#: The languages a fenced block in a hint or solution may name: python runs in CI, the others do not.
FENCE_LANGUAGES = ("python", "text", "bash")


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def code_cells(path: Path) -> list[str]:
    return [source(c) for c in cells(path) if c["cell_type"] == "code"]


def test_the_series_is_numbered_in_reading_order():
    assert NAMES[: len(EXPECTED_FIRST)] == EXPECTED_FIRST
    for i, name in enumerate(NAMES, start=1):
        assert re.fullmatch(rf"{i:02d}_[a-z0-9_]+\.ipynb", name), name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_badge_opens_this_notebook_from_the_project_repository(path):
    first = source(cells(path)[0])
    assert first.startswith("# "), "the first cell is the title"
    badges = re.findall(r"\]\((https://colab\.research\.google\.com/github/[^)]+)\)", first)
    assert badges == [config.colab_url(path.name)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_setup_cell_installs_from_the_repository_only_in_colab(path):
    setup = code_cells(path)[0]
    assert '"google.colab" in sys.modules' in setup
    urls = re.findall(r'REPO_URL = "([^"]+)"', setup)
    assert urls == [config.REPO_URL]
    assert f'REPO_URL = os.environ.get("{config.REPO_URL_VARIABLE}", REPO_URL)' in setup, "CI's override of the URL"
    assert setup.count(config.COLAB_CHECKOUT) == 4, "clone once into, install from and import from one checkout"
    body = setup.split('if "google.colab" in sys.modules:', 1)[1]
    assert all(line.startswith("    ") for line in body.strip("\n").splitlines() if line.strip()), "installs only in Colab"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_setup_cell_never_upgrades_colab_packages(path):
    setup = code_cells(path)[0]
    installs = [line.strip() for line in setup.splitlines() if "pip install" in line]
    assert installs == [f"%pip install --quiet -e {config.COLAB_CHECKOUT}"], "no -U, no pinned versions: Colab's own stay"


def test_every_setup_cell_is_the_same():
    assert len({code_cells(p)[0] for p in NOTEBOOKS}) == 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_lesson_has_objectives_setup_summary_and_exercises(path):
    headings = [line.strip() for c in cells(path) if c["cell_type"] == "markdown" for line in source(c).splitlines() if line.startswith("#")]
    for needed in ("## Learning objectives", "## Setup", "## Summary", "## Exercises"):
        assert needed in headings, needed
    order = [headings.index(h) for h in ("## Learning objectives", "## Setup", "## Summary", "## Exercises")]
    assert order == sorted(order)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_exercises_are_numbered_from_one(path):
    numbers = [e.number for e in render_notebooks.exercises(json.loads(path.read_text()))]
    assert numbers and numbers == list(range(1, len(numbers) + 1)), numbers


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_every_exercise_has_a_hint_then_a_worked_solution(path):
    for exercise in render_notebooks.exercises(json.loads(path.read_text())):
        summaries = [summary for summary, _ in exercise.details]
        assert summaries == ["Hint", "Solution"], (
            f"exercise {exercise.number} has details blocks {summaries}: under each exercise put "
            "<details><summary>Hint</summary> ... </details>, then <details><summary>Solution</summary> ... </details>"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_every_solution_sits_under_a_numbered_exercise(path):
    """A Solution block elsewhere would never run in CI."""
    notebook = json.loads(path.read_text())
    markdown = "\n".join(source(c) for c in notebook["cells"] if c["cell_type"] == "markdown")
    under_exercises = sum(len(e.bodies("Solution")) for e in render_notebooks.exercises(notebook))
    assert markdown.count("<summary>Solution</summary>") == under_exercises


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_every_code_block_in_a_hint_or_solution_names_its_language(path):
    """```python blocks of a solution run in CI; pseudo-code and shell commands are ```text or ```bash."""
    for exercise in render_notebooks.exercises(json.loads(path.read_text())):
        for summary, body in exercise.details:
            fences = re.findall(r"^```(.*)$", body, flags=re.MULTILINE)[::2]  # opening fences only
            wrong = [f for f in fences if f.strip() not in FENCE_LANGUAGES]
            assert not wrong, f"exercise {exercise.number}, {summary}: fences {wrong}; name one of {FENCE_LANGUAGES}"


SYNTHETIC = [
    ("markdown", "# A lesson\n\nSteps:\n\n1. not an exercise\n2. nor this"),
    ("code", "x = 1"),
    (
        "markdown",
        "## Exercises\n\n1. Double x.\n\n<details><summary>Hint</summary>\n\n```python\nhint_code = 0\n```\n</details>\n\n"
        "<details><summary>Solution</summary>\n\n```python\ny = 2 * x\n```\n\nThen:\n\n```python\nprint(y)\n```\n"
        "\n```text\nnot run\n```\n</details>\n",
    ),
    (
        "markdown",
        "2. Explain.\n\n<details><summary>Solution</summary>\n\n1. a numbered line inside a solution\n\n"
        "```bash\npython -m gan_utils.train dcgan\n```\n\n```python\nz = y + 1\n```\n</details>\n\n## Further reading\n\n3. not an exercise",
    ),
]


def synthetic_notebook() -> nbformat.NotebookNode:
    new = {"markdown": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    return nbformat.v4.new_notebook(cells=[new[kind](text) for kind, text in SYNTHETIC])


def test_exercises_are_read_from_the_exercises_section_only():
    found = render_notebooks.exercises(synthetic_notebook())
    assert [(e.number, [s for s, _ in e.details]) for e in found] == [(1, ["Hint", "Solution"]), (2, ["Solution"])]
    assert found[0].text == "Double x." and found[1].text == "Explain."


def test_solution_cells_are_the_python_blocks_of_the_solutions_in_order():
    cells = render_notebooks.solution_cells(synthetic_notebook())
    assert [c.source.splitlines()[1:] for c in cells] == [["y = 2 * x"], ["print(y)"], ["z = y + 1"]]
    assert [c.metadata["exercise"] for c in cells] == [1, 1, 2]
    assert all(c.cell_type == "code" and c.metadata["tags"] == [render_notebooks.SOLUTION_TAG] for c in cells)


def test_solution_cells_are_left_out_of_the_page():
    notebook = synthetic_notebook()
    notebook.cells.extend(render_notebooks.solution_cells(notebook))
    html = render_notebooks.to_html(notebook)
    assert html.count('<div class="jp-Cell ') == len(SYNTHETIC)
    assert "celltag_" + render_notebooks.SOLUTION_TAG not in html
    assert "the worked solution" not in html  # the first line of every appended cell
    assert "Double x." in html  # the exercises, with their details blocks, stay
    assert len(render_notebooks.without_solutions(notebook).cells) == len(SYNTHETIC)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_hyperparameters_sit_together_in_one_cell_near_the_top(path):
    code = code_cells(path)
    hyper = [i for i, c in enumerate(code) if c.startswith("# Hyperparameters")]
    assert len(hyper) == 1 and hyper[0] <= 3
    assert "set_seed(" in "".join(code[: hyper[0] + 2])


#: The one training step a notebook may define: the step learners write in notebook 02, shipped
#: filled in and checked there against gan_utils.GAN by gan_utils.check_train_step.
LEARNER_STEPS = {"02_vanilla_gan.ipynb": "my_train_step"}
#: An optimizer update: what makes a function a training step.
OPTIMIZER_UPDATE = re.compile(r"\.apply(_gradients)?\(")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_notebook_uses_the_library_and_defines_no_gan_machinery(path):
    """Notebooks import gan_utils and define no GAN class and no training step, with one exception:
    notebook 02's exercise ``my_train_step`` (exactly one definition, the only cell that updates
    weights by hand), which a cell right after checks against the library's step. The networks a
    lesson teaches are written on its page and checked with ``check_model`` (tests/test_lessons.py)."""
    code = "\n".join(code_cells(path))
    assert "import gan_utils" in code
    steps = re.findall(r"def (\w*train_step\w*)\s*\(", code)
    learner_step = LEARNER_STEPS.get(path.name)
    assert steps == ([learner_step] if learner_step else []), f"training steps defined: {steps}"
    updating = [c for c in code_cells(path) if OPTIMIZER_UPDATE.search(c)]
    assert all(f"def {learner_step}(" in c for c in updating) if learner_step else not updating, "optimizer updates outside the learner's step"
    assert not re.search(r"class \w+\((keras\.)?(Model|GAN)\)", code)
    after_setup = "\n".join(code_cells(path)[1:])
    assert "os.environ" not in after_setup, "settings are read by gan_utils.config (the setup cell is the exception)"


def test_notebook_02_checks_the_learner_step_and_stops_if_it_differs():
    code = code_cells(ROOT / "notebooks" / "02_vanilla_gan.ipynb")
    defined = next(i for i, c in enumerate(code) if "def my_train_step(" in c)
    checks = [i for i, c in enumerate(code) if "check_train_step(gan, my_train_step" in c]
    assert checks and checks[0] > defined, "a cell after the step checks it"
    assert re.search(r"^assert check\.matches\b", code[checks[0]], flags=re.MULTILINE), "the check cell fails loudly"


def test_the_learner_step_of_notebook_02_matches_the_library(mnist_small):
    """The step learners write in notebook 02, as shipped (filled in), does what gan_utils.GAN's
    train_step does on the same batch, noise and weights; the notebook's own check cell asserts the
    same when CI executes the notebook."""
    import gan_utils

    cell = next(c for c in code_cells(ROOT / "notebooks" / "02_vanilla_gan.ipynb") if "def my_train_step(" in c)
    gan_utils.set_seed(0)
    gan = gan_utils.build_gan(gan_utils.get_recipe("vanilla"), seed=0)
    namespace = {"gan": gan, "gan_utils": gan_utils}
    exec(cell, namespace)
    check = gan_utils.check_train_step(gan, namespace["my_train_step"], mnist_small[0][:64], seed=0)
    assert check.matches, str(check)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_committed_notebooks_have_outputs_stripped(path):
    for cell in cells(path):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_readme_lists_every_notebook_in_order_with_its_colab_link():
    readme = (ROOT / "README.md").read_text()
    listing = readme.split("<!-- notebooks:start -->", 1)[1].split("<!-- notebooks:end -->", 1)[0]
    listed = re.findall(r"\(notebooks/(\d\d_[a-z0-9_]+\.ipynb)\)", listing)
    assert listed == NAMES
    for name in NAMES:
        assert config.colab_url(name) in listing
    assert "outputs stripped" in readme


def test_smoke_runs_never_export_over_the_shipped_figures():
    if config.SMOKE:
        assert config.FILES_DIR not in config.EXPORT_DIR.parents and config.EXPORT_DIR != config.FILES_DIR
    else:
        assert config.EXPORT_DIR == config.FILES_DIR
    assert config.FIGURES_DIR.parent == config.EXPORT_DIR
    for path in NOTEBOOKS:
        code = "\n".join(code_cells(path))
        assert "config.FILES_DIR /" not in code, f"{path.name} exports into files/ directly: use gan_utils.config.EXPORT_DIR"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_main_text_reads_in_one_sitting(path):
    """At most lesson_stats.MAX_WORDS (2,500) words of markdown outside collapsed <details> blocks:
    engineering asides go into the collapsed "Under the hood" appendix or the README."""
    import lesson_stats

    words = lesson_stats.count_words(lesson_stats.main_text(path))
    assert words <= lesson_stats.MAX_WORDS, f"{path.name}: {words:,} words of main text, over {lesson_stats.MAX_WORDS:,}"


def _drive_cell() -> str:
    found = [c for c in code_cells(ROOT / "notebooks" / "07_your_own_images.ipynb") if "drive.mount(" in c]
    assert len(found) == 1, "notebook 07 has one cell that mounts Google Drive"
    return found[0]


@pytest.mark.parametrize("in_colab, use_drive", [(True, True), (True, False), (False, True)])
def test_notebook_07_keeps_its_run_folder_in_drive_in_colab_and_names_it_after_the_images(monkeypatch, in_colab, use_drive):
    import types

    import gan_utils

    mounted = []
    if in_colab:
        colab = types.ModuleType("google.colab")
        colab.drive = types.SimpleNamespace(mount=mounted.append)
        monkeypatch.setitem(sys.modules, "google.colab", colab)
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    scope = {"sys": sys, "Path": Path, "gan_utils": gan_utils, "source": "/home/me/Pictures/my cats.zip",
             "IMAGE_SIZE": 64, "AUGMENT": True, "USE_DRIVE": use_drive}
    exec(_drive_cell(), scope)
    name = "07_my_cats_64px_augment" + ("_smoke" if gan_utils.SMOKE else "")
    if in_colab and use_drive:
        assert mounted == ["/content/drive"] and scope["RUN_DIR"] == Path("/content/drive/MyDrive/gan_runs") / name
    else:
        assert mounted == [] and scope["RUN_DIR"] == Path("runs") / name
