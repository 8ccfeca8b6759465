"""Submissions as they arrive: nbgrader's ``submitted/<student>/<assignment>/`` folders, or an LMS's zip, checked
and repaired before grading.

A damaged submission is graded as far as it can be, with a note per repair, or refused with one line naming it and
the problem; it never stops the others:

- a notebook that is not valid JSON, or not a notebook: set aside, graded as missing (0 for its exercises);
- a missing notebook: 0 for its exercises (nbgrader itself records it so);
- another assignment's notebook: ignored; a submission with none of this assignment's notebooks is refused;
- a graded cell pasted twice (nbgrader would say "Cell with id ... exists multiple times!"): the first copy is
  graded, the others lose their nbgrader metadata; a deleted graded cell: nbgrader puts the source's back
  (``add_missing_cells``), a deleted solution cell scores 0;
- changed cell metadata (points, locked, grade or solution flags): the source's metadata is put back;
- symbolic links (they could point at the instructor's files), hidden folders, files over :data:`FILE_LIMIT`:
  not copied.

The zip convention (:func:`unpack_zip`), either of:

- folders: ``<student>/<notebook>.ipynb`` or ``<student>/<assignment>/<notebook>.ipynb`` (and any data files);
- Canvas's flat names (its "Download Submissions"): ``<student>_<user id>_<submission id>_<notebook>.ipynb``,
  with ``late_`` after the student for a late one; Canvas's ``-1``, ``-2`` suffix of a re-upload is dropped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..errors import CourseInputError

#: The largest file copied from a submission (bytes), and the most a zip may unpack to.
FILE_LIMIT, ZIP_LIMIT = 64 << 20, 4 << 30
_STUDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$")
_CANVAS = re.compile(r"^(?P<student>[A-Za-z0-9]+)_(?:late_)?\d+_\d+_(?P<file>.+?)(?:-\d+)?(?P<ext>\.[A-Za-z0-9]+)$")
_KEYS = ("grade", "solution", "locked", "points")


@dataclass
class Intake:
    notebooks: list[str] = field(default_factory=list)  # the assignment's notebooks that will be graded
    notes: list[str] = field(default_factory=list)  # what was repaired or set aside, a line each
    refused: str | None = None  # why nothing can be graded


def _copy_regular(src: Path, dest: Path, notes: list[str], top: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for entry in sorted(os.scandir(src), key=lambda e: e.name):
        where = Path(entry.path).relative_to(top)
        if entry.is_symlink():
            notes.append(f"{where} is a symbolic link: not graded (hand in the file itself)")
        elif entry.name.startswith("."):
            continue  # .ipynb_checkpoints and the like
        elif entry.is_dir(follow_symlinks=False):
            _copy_regular(Path(entry.path), dest / entry.name, notes, top)
        elif entry.is_file(follow_symlinks=False):
            if entry.stat(follow_symlinks=False).st_size > FILE_LIMIT:
                notes.append(f"{where} is larger than {FILE_LIMIT >> 20} MB: not copied")
            else:
                shutil.copyfile(entry.path, dest / entry.name)


def _graded_ids(nb) -> dict[str, dict]:
    return {
        c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]
        for c in nb.cells
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    }


def _repair(nb, source, stem: str, notes: list[str]) -> None:
    """Duplicated, foreign or changed nbgrader cells put right against the source notebook (in place)."""
    wanted, seen = _graded_ids(source), set()
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if not isinstance(meta, dict) or not meta:
            continue
        grade_id = meta.get("grade_id")
        if grade_id not in wanted:
            notes.append(f"{stem}: a cell carries nbgrader metadata of no cell of the source ({grade_id!r}): removed")
            cell.metadata.pop("nbgrader")
        elif grade_id in seen:
            notes.append(f"{stem}: cell {grade_id!r} exists more than once: the first copy is graded")
            cell.metadata.pop("nbgrader")
        else:
            seen.add(grade_id)
            changed = [k for k in _KEYS if meta.get(k) != wanted[grade_id].get(k)]
            if changed:
                notes.append(f"{stem}: the metadata of cell {grade_id!r} was changed ({', '.join(changed)}): reset")
                cell.metadata["nbgrader"] = dict(wanted[grade_id])
    for grade_id in wanted:
        if grade_id not in seen and (wanted[grade_id].get("grade") or wanted[grade_id].get("solution")):
            notes.append(f"{stem}: the graded cell {grade_id!r} was deleted")


def prepare(src: Path, dest: Path, expected: list[str], source: Path | None = None) -> Intake:
    """Copy the submission ``src`` to ``dest`` (regular files only) and check and repair its notebooks against the
    assignment's ``expected`` notebook names (their source notebooks in ``source``, by default the scratch
    course's ``source/<assignment>/``, found from ``dest``)."""
    intake = Intake()
    if not src.is_dir() or src.is_symlink():
        intake.refused = f"no folder {src}"
        return intake
    source = source or dest.parents[2] / "source" / dest.name
    _copy_regular(src, dest, intake.notes, src)
    found = sorted(p.stem for p in dest.glob("*.ipynb"))
    for stem in found:
        path = dest / f"{stem}.ipynb"
        if path.is_dir():
            intake.notes.append(f"{stem}.ipynb is a folder, not a notebook: graded as missing, 0 points")
            shutil.rmtree(path)
            continue
        if stem not in expected:
            intake.notes.append(f"{stem}.ipynb is not a notebook of this assignment: ignored")
            path.unlink()
            continue
        try:
            json.loads(path.read_bytes())
            nb = nbformat.read(str(path), as_version=4)
            if not isinstance(nb.get("cells"), list):
                raise ValueError("no list of cells")
        except Exception as error:  # noqa: BLE001  (whatever is wrong with it, it is graded as missing)
            words = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
            intake.notes.append(f"{stem}.ipynb cannot be read as a notebook ({words}): graded as missing, 0 points")
            path.unlink()
            continue
        _repair(nb, nbformat.read(str(source / f"{stem}.ipynb"), as_version=4), stem, intake.notes)
        nbformat.write(nb, str(path))
        intake.notebooks.append(stem)
    for stem in expected:
        if stem not in found:
            intake.notes.append(f"{stem}.ipynb was not handed in: 0 points for it")
    if not intake.notebooks:
        foreign = [f"{s}.ipynb" for s in found if s not in expected]
        intake.refused = (
            f"it holds {', '.join(foreign)}, not a notebook of this assignment ({', '.join(expected)})"
            if foreign
            else f"it holds no readable notebook of this assignment ({', '.join(f'{s}.ipynb' for s in expected)})"
        )
    return intake


def kernel_troubles(autograded: Path) -> list[str]:
    """What went wrong in nbgrader's kernel run, read from the autograded notebooks: cells that ran out of time,
    a kernel that died, memory that ran out."""
    troubles = []
    for path in sorted(autograded.glob("*.ipynb")) if autograded.is_dir() else []:
        names = {
            o.get("ename")
            for c in nbformat.read(str(path), as_version=4).cells
            for o in c.get("outputs", [])
            if o.get("output_type") == "error"
        }
        for ename, words in (
            ("CellTimeoutError", "a cell ran out of time"),
            ("DeadKernelError", "the kernel died"),
            ("MemoryError", "a cell ran out of memory"),
        ):
            if ename in names:
                troubles.append(f"{path.stem}: {words} ({ename})")
    return troubles


def students(course: Path, assignment: str) -> list[str]:
    """The students with a folder for ``assignment`` in ``submitted/``, checked for names nbgrader can use."""
    folder = course / "submitted"
    found = sorted(p.name for p in folder.iterdir() if (p / assignment).is_dir()) if folder.is_dir() else []
    bad = [name for name in found if not _STUDENT.match(name)]
    if bad:
        raise CourseInputError(
            f"submitted/ holds folders that are not student ids ({', '.join(bad[:3])}): rename them to letters, "
            "digits and _.@- only"
        )
    return found


def _place(name: str, assignment: str) -> tuple[str, str] | None:
    """(student, path inside the submission) of one zip entry, by the convention above; None when it fits none."""
    parts = [p for p in name.split("/") if p]
    if len(parts) >= 2 and _STUDENT.match(parts[0]):
        rest = parts[2:] if len(parts) >= 3 and parts[1] == assignment else parts[1:]
        return parts[0], "/".join(rest)
    match = _CANVAS.match(parts[0]) if len(parts) == 1 else None
    return (match["student"], match["file"] + match["ext"]) if match else None


def unpack_zip(archive: Path, course: Path, assignment: str) -> tuple[list[str], list[str]]:
    """Unpack an LMS's zip of submissions into ``course/submitted/<student>/<assignment>/``. Returns the students
    and a line per entry left out. Refuses (CourseInputError) what is no zip, unpacks to more than
    :data:`ZIP_LIMIT`, or holds no entry of either convention."""
    try:
        handle = zipfile.ZipFile(archive)
    except (OSError, zipfile.BadZipFile) as error:
        raise CourseInputError(f"{archive} is not a readable zip ({error}): export the submissions again") from None
    with handle:
        entries = [e for e in handle.infolist() if not e.is_dir()]
        if sum(e.file_size for e in entries) > ZIP_LIMIT:
            raise CourseInputError(f"{archive} unpacks to more than {ZIP_LIMIT >> 30} GB: is it the right file?")
        placed, skipped = {}, []
        for entry in entries:
            where = _place(entry.filename, assignment)
            inside = where and Path(where[1])
            if (
                not where
                or not where[1]
                or inside.is_absolute()
                or ".." in inside.parts
                or "__MACOSX" in entry.filename
            ):
                skipped.append(f"{entry.filename}: not <student>/<notebook> nor <student>_<id>_<id>_<notebook>")
                continue
            placed.setdefault(where[0], []).append((entry, where[1]))
        if not placed:
            raise CourseInputError(
                f"{archive} holds no submission: name entries <student>/<notebook>.ipynb or Canvas's "
                "<student>_<user id>_<submission id>_<notebook>.ipynb"
            )
        for student, items in placed.items():
            folder = course / "submitted" / student / assignment
            for entry, inside in items:
                target = folder / inside
                target.parent.mkdir(parents=True, exist_ok=True)
                with handle.open(entry) as data, open(target, "wb") as out:
                    shutil.copyfileobj(data, out)
            stamp = max(e.date_time for e, _ in items)
            if not (folder / "timestamp.txt").exists():
                (folder / "timestamp.txt").write_text("{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d} UTC\n".format(*stamp))
    return sorted(placed), skipped
