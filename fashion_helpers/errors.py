"""The one exception type the course raises for bad input."""


class CourseInputError(ValueError):
    """Bad input, caught before any work starts.

    The message is one line: what is wrong, then how to fix it. It subclasses ValueError so
    ordinary ``except ValueError`` code still catches it.
    """
