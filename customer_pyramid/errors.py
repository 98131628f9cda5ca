"""Errors meant for the user: one line that says what is wrong and what to do."""


class UserError(Exception):
    """A problem with the user's arguments or input files; printed as one line, exit code 2."""


class BuildFailed(Exception):
    """dbt ran but some models or tests failed; printed with their names, exit code 1."""
