"""The generic test `model_checks` (tests/dbt/generic/model_checks.sql), which checks every
per-column rule of a model in one query: rendered from its file with Jinja (as dbt renders it) and
run on DuckDB against rows that break each rule once, and against rows that break none. The same
semantics as dbt's own tests it replaces: nulls pass `unique` and `accepted_values`, a grain's
nulls group together, an expression that is null fails."""

from __future__ import annotations

import duckdb
import jinja2
import pytest
from conftest import PROJECT_DIR

MACRO = PROJECT_DIR / "tests" / "dbt" / "generic" / "model_checks.sql"


class CompilerError(Exception):
    pass


class Exceptions:
    @staticmethod
    def raise_compiler_error(message: str) -> None:
        raise CompilerError(message)


def render(model: str, **arguments) -> str:
    """The test's SQL, as dbt compiles `{% test model_checks(...) %}` (a macro named after it)."""
    text = MACRO.read_text().replace("{% test model_checks(", "{% macro model_checks(").replace("endtest", "endmacro")
    environment = jinja2.Environment(extensions=["jinja2.ext.do"])
    template = environment.from_string(text + "{{ model_checks(model, **arguments) }}")
    return template.render(model=model, arguments=arguments, exceptions=Exceptions)


RULES = {
    "not_null": ["id"],
    "unique": ["code"],
    "accepted_values": {"status": ["open", "O'Brien"], "score": [1, 2]},
    "unique_combinations": [["a", "b"]],
    "expressions": ["score > 0"],
}


def failures(rows: str) -> dict[str, int]:
    with duckdb.connect() as connection:
        connection.execute(f"create table t as select * from (values {rows}) as v(id, code, status, score, a, b)")
        return {rule: count for rule, count in connection.execute(render("t", **RULES)).fetchall()}


def test_each_broken_rule_is_one_row_with_its_count() -> None:
    found = failures(
        "(1, 'x', 'open', 1, 'p', 1), (null, 'x', 'shut', 2, 'p', 1), (3, null, null, 3, null, null),"
        " (4, null, 'O''Brien', null, null, null)"
    )
    assert found == {
        "id is not null": 1,
        "code is unique": 1,  # 'x' twice; the two nulls are no duplicate
        "status in ('open', 'O''Brien')": 1,  # 'shut'; null is accepted
        "score in (1, 2)": 1,  # 3; null is accepted
        "(a, b) is unique": 2,  # ('p', 1) twice, and (null, null) twice: nulls group together
        "score > 0": 1,  # null is no proof
    }


def test_rows_that_keep_every_rule_return_nothing() -> None:
    assert failures("(1, 'x', 'open', 1, 'p', 1), (2, null, null, 2, 'p', 2), (3, null, 'O''Brien', 1, null, 1)") == {}


def test_an_empty_table_passes() -> None:
    with duckdb.connect() as connection:
        connection.execute("create table t (id int, code text, status text, score int, a text, b int)")
        assert connection.execute(render("t", **RULES)).fetchall() == []


@pytest.mark.parametrize("arguments", [{"accepted_values": {"flag": [True, False]}}, {}])
def test_values_that_are_neither_text_nor_numbers_and_no_rules_are_errors(arguments) -> None:
    with pytest.raises(CompilerError, match="model_checks"):
        render("t", **arguments)
