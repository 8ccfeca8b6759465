"""The course's tooling, for instructors and CI (students never need it): the ``fashion-course`` command.

- ``cli``: the command line (run, sweep, refresh, student, html, params) and its one error handler;
- ``parameters``: every notebook parameter's name, kind, range and default, and their validation;
- ``runner``: running notebooks with papermill, collecting headline numbers, refreshing committed outputs;
- ``sweep``: a parameter grid crossed with seeds, mean ± std of the headline numbers;
- ``editions``: the student edition (solutions stubbed) and the HTML edition.

Needs the ``tools`` extra (``pip install "fashion-helpers[tools]"``): papermill, nbformat, nbconvert, pyyaml,
tqdm. Imports go one way: the tools use the course modules, the course modules never import the tools.
"""

import sys

# nbformat, and so papermill, nbconvert and nbgrader, imports jsonschema, which imports the optional package
# rfc3987-syntax when it is installed (JupyterLab brings it): that import compiles three Earley grammars, 2 to 3 s
# on the 2-core machine, paid before the first notebook of every `make run` starts. It only lets jsonschema check
# strings declared with the "iri" format, which no notebook schema uses; the tooling's processes go without it.
sys.modules.setdefault("rfc3987_syntax", None)
