"""Errors meant for the user: one line that says what is wrong and what to do."""


class UserError(Exception):
    """A problem with the user's arguments or input files; printed as one line, exit code 2."""


class BuildFailed(Exception):
    """dbt ran but some models or tests failed; printed with their names, exit code 1."""


def first_line(value: object) -> str:
    """The first non-blank line of an error or message, for one-line reports."""
    lines = [line.strip() for line in str(value).splitlines() if line.strip()]
    return lines[0] if lines else type(value).__name__
