"""One version list: requirements.txt pins the direct packages, requirements.lock every package (with hashes)
at the same versions, environment.yml (conda) the same pins, all within pyproject.toml's ranges; and the
course environment holds exactly the lock."""

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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


def test_the_packages_the_course_is_built_on_are_pinned():
    for name in ("numpy", "pandas", "matplotlib", "scikit-learn", "jupyterlab", "nbval", "papermill"):
        assert name in pip_pins()


def test_environment_yml_python_matches_pyproject():
    env_python = re.search(r"-\s+python=(\d+\.\d+)", (ROOT / "environment.yml").read_text()).group(1)
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert Requirement(f"python{requires}").specifier.contains(env_python + ".0")


def test_the_course_needs_only_its_four_libraries():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert sorted(Requirement(s).name for s in project["dependencies"]) == [
        "matplotlib",
        "numpy",
        "pandas",
        "scikit-learn",
    ]


def lock_pins():
    text = (ROOT / "requirements.lock").read_text()
    return {
        canonicalize_name(m.group(1)): m.group(2) for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+) \\$", text, re.M)
    }


def test_the_lock_pins_every_direct_package_at_the_same_version():
    lock = lock_pins()
    for name, version in pip_pins().items():
        assert lock.get(canonicalize_name(name)) == version, (
            f"requirements.lock has {name} {lock.get(name)}, requirements.txt {version}: run make lock"
        )


def test_every_locked_package_has_hashes_and_the_lock_names_no_index_or_local_path():
    text = (ROOT / "requirements.lock").read_text()
    blocks = re.split(r"^(?=[A-Za-z0-9_.-]+==)", text, flags=re.M)[1:]
    assert len(blocks) == len(lock_pins()) >= 100
    for block in blocks:
        assert "--hash=sha256:" in block, block.splitlines()[0]
    assert not re.search(r"--(extra-)?index-url|--find-links|file://|/opt/|/tmp/|/root/", text)


def test_the_course_environment_is_exactly_the_lock():
    """`pip freeze` in .venv, less the course package itself (editable) and the installers pip and uv. Asked of a
    fresh process: this one may have imported setuptools, whose vendored packages then look installed."""
    import subprocess
    import sys

    freeze = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--all", "--exclude-editable"],
        cwd="/",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    installed = {}
    for line in freeze.splitlines():
        name, sep, version = line.partition("==")
        if sep and canonicalize_name(name) not in ("pip", "uv", "fashion-helpers"):
            installed[canonicalize_name(name)] = version
    assert installed == lock_pins()
