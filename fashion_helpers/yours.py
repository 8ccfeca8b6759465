"""Your functions: what a passing self-check records, and what later notebooks load.

When the self-check of an exercise passes, it records the exercise's cell (its imports, constants and function
definitions, without the solution markers) as one section of ``my_functions.py`` beside the notebook. A later
notebook loads your earlier functions from there, and says in one line whose they are::

    ReLU, softmax = yours.use("ReLU", "softmax")

For an exercise that has not passed yet, the self-study edition has the course's working copies
(``course_functions.py`` beside the notebooks) to stand in, so every notebook runs from top to bottom; a graded
assignment has none: the function stops with a message naming the notebook to finish first.

Both files are looked for in the kernel's working folder (or its ``notebooks/``); two environment variables
override their places (the course's tooling sets them for its runs): ``FASHION_MY_FUNCTIONS`` and
``FASHION_COURSE_FUNCTIONS``. With one assignment per notebook (each in its own folder ``NN_topic/``), the records
in the folders of the earlier notebooks beside it count too.
"""

from __future__ import annotations

import ast
import builtins
import fcntl
import functools
import linecache
import os
import re
import symtable
import tempfile
import types
from pathlib import Path

from . import exercises
from .conventions import BEGIN, END
from .errors import CourseInputError

RECORD_NAME = "my_functions.py"
WORKING_COPIES_NAME = "course_functions.py"
RECORD_VARIABLE = "FASHION_MY_FUNCTIONS"
WORKING_COPIES_VARIABLE = "FASHION_COURSE_FUNCTIONS"
MARKERS = (BEGIN, END)
HEADER = '''"""Functions recorded by the course's self-checks when they passed; later notebooks load them from here.

Each section is one exercise's cell: its imports and its function. To change one, edit the exercise in its
notebook and run its self-check again: that rewrites the section (an edit made here is overwritten then).
"""

import numpy as np
'''
_SECTION = re.compile(r"^# --- (\w+) \((\w+)\) ---$", re.M)
_PER_NOTEBOOK_FOLDER = re.compile(r"^\d\d_\w+$")


class NotWrittenYet(RuntimeError):
    """A notebook called an exercise that has not passed its self-check, and no working copy stands in."""


# --------------------------------------------------------------------------- what a section holds


def _lines(lines: list[str], node) -> str:
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    kept = [line for line in lines[start - 1 : node.end_lineno] if line.strip() not in MARKERS]
    return "\n".join(kept).rstrip()


def _constant(value) -> bool:
    try:
        ast.literal_eval(value)
    except ValueError:
        return False
    return True


def section(cell_source: str, name: str, notebook: str, exercise_names) -> str:
    """The section recorded for exercise ``name`` of ``notebook`` from the cell that defines it: a header line, the
    cell's imports, then its constants, helper functions and the function itself. Other statements of the cell
    (prints, trials) are left out, and so are the other exercises (of ``exercise_names``) it defines."""
    lines = cell_source.splitlines()
    others = set(exercise_names) - {name}
    imports, definitions = [], []
    for node in ast.parse(cell_source).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.append(_lines(lines, node))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name not in others:
            definitions.append((node.name, _lines(lines, node)))
        elif isinstance(node, ast.Assign) and _constant(node.value):
            definitions.append(("", _lines(lines, node)))
    if name not in [defined for defined, _ in definitions]:
        raise CourseInputError(f"the cell defines no function {name}: keep the def line the exercise gives")
    parts = ["\n".join(imports)] if imports else []
    parts += [text for _, text in definitions]
    return f"# --- {name} ({notebook}) ---\n" + "\n\n\n".join(parts)


def _free_names(text: str) -> set[str]:
    table = symtable.symtable(text, "<section>", "exec")
    bound = {s.get_name() for s in table.get_symbols() if s.is_imported() or s.is_assigned()}
    used = {s.get_name() for s in table.get_symbols() if s.is_referenced()}

    def walk(scope):
        for child in scope.get_children():
            used.update(s.get_name() for s in child.get_symbols() if s.is_global() and s.is_referenced())
            walk(child)

    walk(table)
    return used - bound - set(dir(builtins)) - {"np"}


def check_section(text: str, name: str, order) -> None:
    """Raise a one-line CourseInputError if the section of ``name`` uses a name it cannot have in later notebooks:
    a variable or helper of another cell, or an exercise that comes later in the course (``order``)."""
    order = list(order)
    earlier = set(order[: order.index(name) + 1])
    unknown = sorted(_free_names(text) - earlier)
    if unknown:
        later = [n for n in unknown if n in order]
        what = (
            f"{', '.join(later)}, an exercise of a later notebook"
            if later
            else f"{', '.join(unknown)}, defined in another cell of the notebook"
        )
        raise CourseInputError(
            f"{name} uses {what}: a function passes on to later notebooks (and to the grader) "
            "with its own cell only, so import or define what it needs in that cell, or take "
            "it as an argument"
        )


def cell_source(fn) -> str | None:
    """The source of the notebook cell that defined ``fn``, or None when ``fn`` does not come from a cell."""
    code = getattr(fn, "__code__", None)
    entry = linecache.cache.get(code.co_filename) if code is not None else None
    if entry is None or entry[1] is not None:  # IPython keeps each cell in linecache with no modification time
        return None
    return "".join(entry[2])


# --------------------------------------------------------------------------- the record file


def _beside_the_notebooks(name: str) -> Path:
    """``name`` in the working folder (where a kernel runs a notebook: JupyterLab, nbconvert, nbgrader, the course's
    runner), or in its ``notebooks/`` folder when only that one exists (papermill typed at the repository's or an
    edition's root). Never further up: an edition kept inside the repository must not find the instructor's."""
    here = Path.cwd()
    if not (here / name).exists() and (here / "notebooks" / name).exists():
        return here / "notebooks" / name
    return here / name


def record_path() -> Path:
    """Where this notebook's record is: ``FASHION_MY_FUNCTIONS``, else ``my_functions.py`` beside the notebooks."""
    return Path(os.environ.get(RECORD_VARIABLE) or _beside_the_notebooks(RECORD_NAME))


def working_copies_path() -> Path | None:
    """The course's working copies, when this edition has them (``FASHION_COURSE_FUNCTIONS``, else
    ``course_functions.py`` beside the notebooks); None in a graded assignment."""
    path = Path(os.environ.get(WORKING_COPIES_VARIABLE) or _beside_the_notebooks(WORKING_COPIES_NAME))
    return path if path.is_file() else None


def read_sections(path: Path) -> dict[str, str]:
    """The sections of a record file by exercise name ({} when there is no file)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    starts = list(_SECTION.finditer(text))
    ends = [m.start() for m in starts[1:]] + [len(text)]
    return {m.group(1): text[m.start() : end].rstrip() for m, end in zip(starts, ends, strict=True)}


def compose(sections: dict[str, str], order=None) -> str:
    """A record file's text: the header, then the sections in teaching order (``order``, default the course's)."""
    order = list(order or exercises.names())
    unknown = sorted(set(sections) - set(order))
    if unknown:
        raise CourseInputError(f"{', '.join(unknown)} is not an exercise of the course")
    body = "\n\n\n".join(sections[name] for name in order if name in sections)
    return HEADER + ("\n\n" + body + "\n" if body else "")


def write_section(text: str, name: str, path: Path | None = None) -> bool:
    """Put ``text`` in as the section of ``name`` (replacing the old one); returns False when it was already there.

    Several notebooks may record at once (the runner runs two side by side), so the folder is locked meanwhile.
    """
    path = Path(path or record_path())
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        sections = read_sections(path)
        if sections.get(name) == text:
            return False
        sections[name] = text
        handle, staged = tempfile.mkstemp(dir=path.parent, prefix=".my_functions-", suffix=".py")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(compose(sections))
        os.replace(staged, path)
        return True
    finally:
        fcntl.flock(folder, fcntl.LOCK_UN)
        os.close(folder)


def record(fn, name: str) -> bool:
    """Record a function that passed its self-check, when it comes from a notebook cell; returns whether it did."""
    source = cell_source(fn)
    if source is None or getattr(fn, "stands_in_for_an_open_exercise", False):
        return False
    order = exercises.names()
    text = section(source, name, exercises.exercise(name).notebook, order)
    check_section(text, name, order)
    write_section(text, name)
    return True


# --------------------------------------------------------------------------- loading: yours, or what stands in


def _exec(text: str, filename: str, namespace: dict) -> dict:
    try:
        exec(compile(text, filename, "exec"), namespace)
    except SyntaxError as error:
        raise CourseInputError(
            f"{filename} does not run ({type(error).__name__} at line {error.lineno}): run the "
            "exercises' self-checks again to rewrite it, or delete it"
        ) from None
    return namespace


@functools.cache
def _working_copies(path: str, mtime: float) -> dict:
    return _exec(Path(path).read_text(encoding="utf-8"), path, {"__name__": "course_functions"})


def _mark(fn, origin: str):
    fn.__course_origin__ = origin
    return fn


def stand_in(name: str):
    """What stands in for exercise ``name`` until it passes: a marked wrapper of the course's working copy in the
    self-study edition, else a function that stops with what to do."""
    notebook = exercises.exercise(name).notebook
    path = working_copies_path()
    copies = _working_copies(str(path), path.stat().st_mtime) if path is not None else {}
    if name in copies:
        copy = copies[name]

        @functools.wraps(copy)
        def stand_in(*args, **kwargs):
            return copy(*args, **kwargs)

        origin = "course"
    else:

        def stand_in(*args, **kwargs):
            raise NotWrittenYet(
                f"{name} has not passed its self-check yet: write it in {notebook} and run its "
                "check there, then run this cell again"
            )

        stand_in.__name__ = stand_in.__qualname__ = name
        origin = "missing"
    stand_in.stands_in_for_an_open_exercise = True
    return _mark(stand_in, origin)


def _record_paths() -> list[Path]:
    """The record files that count for this notebook, the last one winning: with one assignment per notebook,
    the earlier notebooks' folders beside this one, then this notebook's own record."""
    own = record_path()
    if os.environ.get(RECORD_VARIABLE) or not _PER_NOTEBOOK_FOLDER.match(own.parent.name):
        return [own]
    siblings = sorted(p for p in own.parent.parent.glob(f"[0-9][0-9]_*/{RECORD_NAME}") if p.parent != own.parent)
    return siblings + [own]


def load() -> types.ModuleType:
    """Your record as a module: each recorded function, marked as yours; every exercise not recorded there is what
    :func:`stand_in` gives, so a recorded function that calls it still runs."""
    paths = _record_paths()
    sections: dict[str, str] = {}
    for path in paths:
        sections.update(read_sections(path))
    module = types.ModuleType("my_functions")
    module.__file__ = str(record_path())
    module.__dict__.update({name: stand_in(name) for name in exercises.names() if name not in sections})
    if sections:  # one record: run the file as it is (its line numbers in any message); several: run them merged
        text = paths[-1].read_text(encoding="utf-8") if len(paths) == 1 else compose(sections)
        _exec(text, module.__file__, module.__dict__)
    for name in sections:
        _mark(module.__dict__[name], "yours")
    return module


def origin(fn) -> str:
    """Whose ``fn`` is: "yours", "course" (the course's working copy stands in) or "missing" (nothing does)."""
    return getattr(fn, "__course_origin__", "yours")


def describe(fn, name: str) -> str:
    """``fn`` in words, for messages: "your backward_prop", or what stands in for it; a name that is no exercise
    (a notebook's own demonstration) is given as it is."""
    return {
        "course": f"the course's working copy of {name} (yours has not passed yet)",
        "missing": f"{name}, which has not passed yet",
    }.get(origin(fn), f"your {name}" if name in exercises.catalogue() else name)


def use(*names: str):
    """Your functions ``names`` from earlier notebooks, after one line that says whose they are.

    Returns one function for one name, else a tuple in the order asked.
    """
    module = load()
    found = []
    for name in names:
        exercises.exercise(name)  # a one-line error for a name that is not an exercise
        found.append(getattr(module, name))
    print(_whose(names, found))
    return found[0] if len(found) == 1 else tuple(found)


def _whose(names, found) -> str:
    groups: dict[str, list[str]] = {"yours": [], "course": [], "missing": []}
    for name, fn in zip(names, found, strict=True):
        label = name if origin(fn) == "yours" else f"{name} ({exercises.exercise(name).notebook})"
        groups[origin(fn)].append(label)
    parts = []
    if groups["yours"]:
        parts.append(f"your {', '.join(groups['yours'])} (recorded in {RECORD_NAME})")
    if groups["course"]:
        parts.append(f"not passed yet, so the course's working copy stands in: {', '.join(groups['course'])}")
    if groups["missing"]:
        parts.append(
            f"not passed yet: {', '.join(groups['missing'])}: pass its self-check there first (until "
            "then a cell that calls it stops and says so)"
        )
    return "From earlier notebooks: " + "; ".join(parts) + "."
