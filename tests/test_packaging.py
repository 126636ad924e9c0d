"""Packaging: pyproject.toml and environment.yml agree; CI runs the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10 (the oldest stage): pytest brings tomli, the same parser
    import tomli as tomllib

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


def test_ci_runs_the_readme_test_command_and_the_documented_stages():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make all" in readme
    stages = re.findall(r"^stage (\w+) (make [\w-]+)$", ci, flags=re.MULTILINE)
    assert stages == [("main", "make test"), ("colab", "make test-colab"), ("oldest", "make test-oldest")]
    for _, command in stages:
        assert f"`{command}`" in readme, f"the README documents {command}"
    assert "GAN_UTILS_MNIST" in ci and "../shared/data/mnist.npz" in ci


def test_makefile_test_target_runs_pytest_in_smoke_mode():
    makefile = (ROOT / "Makefile").read_text()
    target = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "GAN_UTILS_SMOKE=1" in target and "pytest" in target
    assert "--nbmake" in (ROOT / ".ci" / "colab").read_text(), "the colab stage runs the notebooks through nbmake"


def declared_bounds() -> dict[str, str]:
    """pyproject.toml's lower bounds: ``{package: version}``, Python's included."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    bounds = {"python": re.fullmatch(r">=([\d.]+)", project["requires-python"]).group(1)}
    for requirement in project["dependencies"]:
        match = re.match(r"([\w-]+)>=([\d.]+)", requirement)
        assert match, f"every runtime dependency declares a lower bound: {requirement}"
        bounds[match.group(1).lower()] = match.group(2)
    return bounds


def constraint_pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        match = re.match(r"#?\s*([\w.-]+)==([\w.]+)\s*$", line)
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version))


def test_oldest_stage_pins_exactly_the_declared_lower_bounds():
    pins = constraint_pins(ROOT / ".ci" / "oldest-constraints.txt")
    for package, bound in declared_bounds().items():
        assert package in pins, f".ci/oldest-constraints.txt does not pin {package}"
        release = _release(pins[package])
        assert release[: len(_release(bound))] == _release(bound), f"{package}: declared >={bound}, the oldest stage tests {pins[package]}"


def test_colab_runtime_is_inside_the_declared_bounds():
    pins = constraint_pins(ROOT / ".ci" / "colab-constraints.txt")
    colab_python = re.search(r"Python (3\.\d+)", (ROOT / ".ci" / "colab-constraints.txt").read_text()).group(1)
    for package, bound in declared_bounds().items():
        version = colab_python if package == "python" else pins[package]
        assert _release(version) >= _release(bound), f"Colab has {package} {version}, below the declared >={bound}"


def test_environment_yml_declares_the_same_lower_bounds():
    env = (ROOT / "environment.yml").read_text()
    for package, bound in declared_bounds().items():
        if package != "python":
            assert f"{package}>={bound}" in env
