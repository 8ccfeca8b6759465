"""Fixtures of the tooling's tests: one graded course of the whole series, released once per test session (nbgrader's
generate_assignment takes seconds), for every test that only reads it."""

import pytest

from fashion_helpers.tools import editions, series

from ..conftest import NOTEBOOK_DIR


@pytest.fixture(scope="session")
def released_course(tmp_path_factory):
    """A graded course directory of every notebook, its assignment released (read it, never change it)."""
    course = tmp_path_factory.mktemp("graded") / "course"
    editions.write_graded_course(series.list_notebooks(directory=NOTEBOOK_DIR), course, release=True)
    return course
