"""The course's tooling, for instructors and CI (students never need it): the ``fashion-course`` command.

- ``cli``: the command line (run, sweep, refresh, student, html, params) and its one error handler;
- ``parameters``: every notebook parameter's name, kind, range and default, and their validation;
- ``runner``: running notebooks with papermill, collecting headline numbers, refreshing committed outputs;
- ``sweep``: a parameter grid crossed with seeds, mean ± std of the headline numbers;
- ``editions``: the student edition (solutions stubbed) and the HTML edition.

Needs the ``tools`` extra (``pip install "fashion-helpers[tools]"``): papermill, nbformat, nbconvert, pyyaml,
tqdm. Imports go one way: the tools use the course modules, the course modules never import the tools.
"""
