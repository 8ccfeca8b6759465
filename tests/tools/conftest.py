"""Fixtures of the tooling's tests: one graded course, released once per test session (nbgrader's generate_assignment
takes seconds), for every test that only reads it."""

import pytest

from fashion_helpers.tools import editions, series

from ..conftest import NOTEBOOK_DIR


@pytest.fixture(scope="session")
def released_course(tmp_path_factory):
    """A graded course directory of notebooks 02 and 03, its assignment released (read it, never change it)."""
    course = tmp_path_factory.mktemp("graded") / "course"
    editions.write_graded_course(series.list_notebooks(["02", "03"], NOTEBOOK_DIR), course, release=True)
    return course
