"""One version list: environment.yml (conda) pins exactly what requirements.txt (pip) pins, and both satisfy
the package's own ranges in pyproject.toml."""

import re
import tomllib

from packaging.requirements import Requirement

from .conftest import ROOT


def pip_pins():
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower()] = version
    return pins


def conda_pins():
    pins = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        match = re.match(r"^\s+-\s+([A-Za-z0-9_.-]+)=([^\s#=]+)", line)
        if match and match.group(1) != "python":
            pins[match.group(1).lower()] = match.group(2)
    return pins


def test_conda_and_pip_pin_the_same_packages_and_versions():
    assert conda_pins() == pip_pins()


def test_every_pin_is_commented_in_environment_yml():
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if re.match(r"^\s+-\s+[A-Za-z0-9_.-]+=", line):
            assert "#" in line, f"environment.yml line without a comment saying why: {line.strip()}"


def test_pins_satisfy_pyproject_ranges():
    """The course's own dependencies and the tools extra: each pinned, each pin inside its range."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = pip_pins()
    for spec in project["dependencies"] + project["optional-dependencies"]["tools"]:
        requirement = Requirement(spec)
        name = requirement.name.lower()
        assert name in pins, f"pyproject needs {name}, which requirements.txt does not pin"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {requirement.specifier}"


def test_design_card_packages_are_pinned():
    for name in ("numpy", "pandas", "matplotlib", "scikit-learn", "jupyterlab", "nbval", "papermill"):
        assert name in pip_pins()


def test_environment_yml_python_matches_pyproject():
    env_python = re.search(r"-\s+python=(\d+\.\d+)", (ROOT / "environment.yml").read_text()).group(1)
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert Requirement(f"python{requires}").specifier.contains(env_python + ".0")


def test_the_course_needs_only_its_four_libraries():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert sorted(Requirement(s).name for s in project["dependencies"]) == ["matplotlib", "numpy", "pandas",
                                                                            "scikit-learn"]
