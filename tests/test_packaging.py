"""Packaging: pyproject.toml and environment.yml agree; CI runs the README's test command."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def pyproject_packages() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    return {_name(r) for r in reqs}


def environment_packages() -> tuple[set[str], list[str]]:
    pip, conda, in_pip = [], [], False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        stripped = line.split("#", 1)[0].rstrip()
        if not stripped.strip().startswith("- "):
            in_pip = in_pip and bool(stripped.strip())
            continue
        item = stripped.strip()[2:].strip()
        if item == "pip:":
            in_pip = True
        elif in_pip and len(line) - len(line.lstrip()) > 4:
            pip.append(item)
        else:
            conda.append(item)
            in_pip = False
    return {_name(p) for p in pip if not p.startswith("-e")}, pip + conda


def test_pyproject_and_environment_list_the_same_packages():
    env, _ = environment_packages()
    assert env == pyproject_packages()


def test_both_list_the_core_packages():
    core = {"tensorflow", "numpy", "matplotlib", "ipywidgets", "nbconvert", "pytest", "nbmake"}
    env, _ = environment_packages()
    assert core <= pyproject_packages() and core <= env


def test_environment_installs_python_pip_and_the_project():
    _, items = environment_packages()
    assert any(i.startswith("python") for i in items) and "pip" in items
    assert any(i.startswith("-e .") for i in items)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make all" in readme
    commands = [line.strip() for line in ci.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert commands[-1] == "make test"
    assert "GAN_UTILS_MNIST" in ci and "../shared/data/mnist.npz" in ci


def test_makefile_test_target_runs_pytest_in_smoke_mode():
    makefile = (ROOT / "Makefile").read_text()
    target = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "GAN_UTILS_SMOKE=1" in target and "pytest" in target
    assert "--nbmake" in (ROOT / "pyproject.toml").read_text()
