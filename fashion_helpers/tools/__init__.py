"""The course's tooling, for instructors and CI (students never need it): the ``fashion-course`` command.

- ``cli``: the command line (run, sweep, refresh, params, grade; with ``editions_commands``: student, course,
  autograde, autograde-check, cases, html) and its one error handler; ``options``: the options they share;
- ``series``: the series on disk (listing, declared parameters, headline numbers) and what ``make refresh``
  writes from ``parameters.SPEC`` (each parameters cell, the README's table);
- ``values``: a run's values resolved on one path (:func:`values.resolve`), the one entry point of every
  command that runs notebooks;
- ``parameters``: every notebook parameter's name, kind, range, default and meaning, and their validation;
- ``runner``: running notebooks with papermill, several at once, summaries, refreshing committed outputs;
- ``sweep``: a parameter grid crossed with seeds, mean ± std of the headline numbers;
- ``editions``: the self-study edition (nbgrader's release, working copies beside it), a graded course
  directory, and the HTML edition;
- ``grading``: nbgrader's cell metadata for the notebooks, and a course directory to release and grade them;
- ``autograde``: grading one submission: nbgrader's autograde runs the notebooks, the isolated grader gives the
  points;
- ``verify``: the isolated grader, each exercise of a submission judged outside the notebook's kernel;
- ``_isolated``: the isolated grader's own processes, a sandboxed server and one child per exercise;
- ``engine``: the engine tasks run on: Dask ``distributed``, a local cluster of worker processes or a running
  scheduler (``--scheduler``), every task reported once, rerun when its worker dies;
- ``classgrade``: grading a whole class on the engine (``fashion-course grade``): one gradebook, grades.csv,
  feedback, resumable; ``submissions``: the hand-ins' intake (nbgrader's layout, an LMS zip) and damage checks;
  ``gradetask``: one submission's grading on a worker, nbgrader's run inside bubblewrap;
- ``autograde_check``: the grading round trip, a released course and six hand-ins each scored as it should be;
- ``cases``: the recorded cases of every exercise (``exercises.json``, the hidden cases), written from the
  instructor's solutions and the answer key;
- ``export``: the instructor's record, ``notebooks/my_functions.py``, written from the notebooks' solution cells.

Needs the ``tools`` extra (``pip install "fashion-helpers[tools]"``): papermill, nbformat, nbconvert, nbgrader,
pyyaml, tqdm, and the rest listed in ``pyproject.toml``. Imports go one way: the tools use the course modules,
the course modules never import the tools.
"""

import sys

# nbformat, and so papermill, nbconvert and nbgrader, imports jsonschema, which imports the optional package
# rfc3987-syntax when it is installed (JupyterLab brings it): that import compiles three Earley grammars, 2 to 3 s
# on the 2-core machine, paid before the first notebook of every `make run` starts. It only lets jsonschema check
# strings declared with the "iri" format, which no notebook schema uses; the tooling's processes go without it.
sys.modules.setdefault("rfc3987_syntax", None)
