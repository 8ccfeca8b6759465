"""The values of a run, resolved on one path: every command that runs notebooks (run, sweep, refresh, the graded
course's round trip) calls :func:`resolve` once and passes on what it returns.

A run's values come from a parameter file (its relative paths are relative to the file), then ``-p`` overrides
on top (relative to the working directory). A parameter file serves the whole series, so its names that none of
the selected notebooks declares are left out; an override no selected notebook uses is refused. Every value is
validated before any kernel starts (name, type, range, paths, the data files' headers, a dev set that leaves
training rows), and each notebook gets the subset it declares.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import CourseInputError
from .parameters import PATHS, SPEC, parse_value, validate
from .series import declarations, list_notebooks


@dataclass(frozen=True)
class Run:
    """The notebooks a command runs, what each declares, and the validated values set for them."""

    notebooks: list[Path]
    declared: dict[Path, dict]
    values: dict

    def parameters(self, notebook: Path) -> dict:
        """The values ``notebook`` takes: those it declares."""
        return {name: value for name, value in self.values.items() if name in self.declared[notebook]}

    def jobs(self, out: Path) -> list[tuple[Path, Path, dict]]:
        """(notebook, where its executed copy goes, its values) for each notebook, into ``out``."""
        return [(nb, out / nb.name, self.parameters(nb)) for nb in self.notebooks]

    def with_values(self, more: dict) -> Run:
        """The same notebooks with ``more`` set on top, validated again."""
        return Run(self.notebooks, self.declared, prepare_parameters({**self.values, **more}, self.declared))


def resolve(selection=None, directory: Path | str | None = None, params_file: str | None = None, overrides=()) -> Run:
    """The one entry point: the selected notebooks of the series in ``directory``, and the values of the
    parameter file and the ``-p NAME=VALUE`` overrides for them, validated."""
    notebooks = list_notebooks(selection, directory)
    declared = declarations(notebooks)
    return Run(notebooks, declared, prepare_parameters(file_values_for(declared, params_file, overrides), declared))


def _load_yaml(path: str) -> dict:
    file = Path(path)
    if not file.is_file():
        raise CourseInputError(f"parameter file not found: {path}; the shipped ones are in params/")
    try:
        values = yaml.safe_load(file.read_text()) or {}
    except yaml.YAMLError as exc:
        raise CourseInputError(f"{path} is not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(values, dict):
        raise CourseInputError(f"{path} must map parameter names to values (name: value per line)")
    return values


def collect_values(params_file: str | None, overrides: list[str]) -> dict:
    """Values from the YAML file, then ``-p`` overrides on top (their paths relative to the working directory)."""
    values = _load_yaml(params_file) if params_file else {}
    for name in PATHS:  # paths in a parameter file are relative to that file's folder
        if isinstance(values.get(name), str) and not Path(values[name]).expanduser().is_absolute():
            values[name] = str((Path(params_file).parent / values[name]).resolve())
    for item in overrides:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise CourseInputError(f"-p {item!r}: write -p NAME VALUE or -p NAME=VALUE")
        values[name.strip()] = parse_value(text)
    return values


def file_values_for(declared: dict, params_file: str | None, overrides: list[str]) -> dict:
    """:func:`collect_values` for a run of some notebooks: a parameter file serves the whole series, so its known
    names that none of the selected notebooks declares are left out (``-p`` overrides are kept, and refused later
    if no selected notebook uses them; unknown names are always refused)."""
    used = set().union(*declared.values()) if declared else set()
    values = {
        name: value for name, value in collect_values(params_file, []).items() if name in used or name not in SPEC
    }
    values.update(collect_values(None, overrides))
    return values


def prepare_parameters(values: dict, declared: dict[Path, dict], base: Path | None = None) -> dict:
    """Validate overrides before any kernel starts; returns them with paths made absolute.

    declared: :func:`declarations` of the notebooks that will run.
    Refuses a name no notebook knows (listing the known ones), a wrong type or range (saying what is
    expected), a name none of the selected notebooks declares, a data path that does not exist or whose file
    has the wrong header, and a dev_size that leaves no training rows. Relative paths are taken relative to
    ``base`` (the caller's working directory).
    """
    clean = validate(values)
    names = set().union(*declared.values()) if declared else set()
    for name in clean:
        if name not in names:
            raise CourseInputError(
                f"parameter {name!r} is used by none of the selected notebooks "
                f"({', '.join(nb.stem for nb in declared)}); drop it or select a notebook that declares it"
            )
    base = Path.cwd() if base is None else base
    for name in PATHS:
        if clean.get(name) is not None:
            path = Path(clean[name]).expanduser()
            path = path if path.is_absolute() else (base / path).resolve()
            if not path.exists():
                raise CourseInputError(f"parameter {name}: no file or directory at {path}")
            clean[name] = str(path)
    _check_data_sources(clean, declared)
    return clean


def _check_data_sources(values: dict, declared: dict[Path, dict]) -> None:
    """Each data file the run will read has a sound header, and dev_size leaves both sets non-empty:
    checked from the headers alone, so a wrong file is refused in seconds, once, not by every notebook."""
    from .._formats import count_rows
    from ..data import check_dev_size, course_file

    seen = set()
    for notebook, defaults in declared.items():
        for name, split in (("data_path", "train"), ("holdout_path", "test")):
            if name not in defaults:
                continue
            given = values.get(name, defaults[name])
            try:  # where the notebook's kernel will look: it runs in the notebook's folder
                path = course_file(split, notebook.parent) if given is None else Path(notebook.parent, given).resolve()
            except CourseInputError as exc:
                raise CourseInputError(f"parameter {name}: {exc}") from None
            dev_size = values.get("dev_size", defaults.get("dev_size")) if name == "data_path" else None
            if (path, split, dev_size) in seen:
                continue
            seen.add((path, split, dev_size))
            try:
                rows = count_rows(path, split)
            except CourseInputError as exc:
                raise CourseInputError(f"parameter {name}: {exc}") from None
            if dev_size is not None:
                try:
                    check_dev_size(dev_size, rows)
                except CourseInputError as exc:
                    raise CourseInputError(f"parameter {exc}") from None
