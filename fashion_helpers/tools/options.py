"""The command line's shared options, defined once: the folder of the series, and the values of a run (a parameter
file and ``-p`` overrides, resolved by :func:`.values.resolve`)."""

from __future__ import annotations

import os
from pathlib import Path

#: Notebooks (or hand-ins) run side by side by default: the cores there are, at most two.
JOBS = max(1, min(2, os.cpu_count() or 1))


def notebooks_option(p) -> None:
    p.add_argument(
        "--notebooks",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder of the series NN_*.ipynb (default: ./notebooks)",
    )


def values_options(p, what: str = "parameter values from a YAML file") -> None:
    p.add_argument("--params", metavar="FILE.yaml", help=what)
    p.add_argument(
        "-p",
        "--parameter",
        dest="p",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override one parameter (also: -p NAME VALUE)",
    )
