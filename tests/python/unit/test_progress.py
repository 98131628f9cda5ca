"""The build's progress display (customer_pyramid/dbt.py Progress), fed dbt's own event shapes:
one line per finished node where output is a log, a status line redrawn in place on a terminal,
and nothing with --quiet."""

from __future__ import annotations

import io
from types import SimpleNamespace

from customer_pyramid.dbt import Progress


def node(name: str, kind: str = "model") -> SimpleNamespace:
    return SimpleNamespace(unique_id=f"{kind}.{name}", resource_type=kind, node_name=name, node_status="")


def started(item: SimpleNamespace, total: int = 3) -> SimpleNamespace:
    return SimpleNamespace(info=SimpleNamespace(name="NodeStart"), data=SimpleNamespace(node_info=item, total=total))


def finished(item: SimpleNamespace, status: str) -> SimpleNamespace:
    result = SimpleNamespace(status=status, execution_time=0.25)
    return SimpleNamespace(
        info=SimpleNamespace(name="NodeFinished"), data=SimpleNamespace(node_info=item, run_result=result)
    )


COMPLETED = SimpleNamespace(info=SimpleNamespace(name="CommandCompleted"), data=SimpleNamespace())


def feed(progress: Progress) -> None:
    model, passing, failing = node("stg_orders"), node("unique_id", "test"), node("not_null_id", "test")
    for event in (started(model), finished(model, "success"), started(passing), finished(passing, "pass")):
        progress(event)
    progress(started(failing))
    progress(finished(failing, "fail"))
    progress(COMPLETED)


def test_plain_output_is_one_line_per_model_and_per_test_that_did_not_pass() -> None:
    lines: list[str] = []
    stream = io.StringIO()
    feed(Progress(write=lines.append, live=False, stream=stream))
    assert lines == [
        "    [1/3] success model     stg_orders (0.25s)",
        "    [3/3] fail    test      not_null_id (0.25s)",
        "1 tests and unit tests passed",
    ]
    assert stream.getvalue() == "", "no status line where output is a log"


def test_live_output_redraws_one_status_line_and_prints_only_what_did_not_pass() -> None:
    lines: list[str] = []
    stream = io.StringIO()
    progress = Progress(write=lines.append, live=True, stream=stream, tick=False)  # no clock: the test is timeless
    progress(started(node("fct_orders")))
    assert stream.getvalue().endswith("[0/3] 0:00 running model fct_orders")
    progress(started(node("dim_customers")))
    assert stream.getvalue().endswith("running model fct_orders (+1 more)")
    progress(finished(node("fct_orders"), "success"))
    assert lines == [], "a model that built is shown in the status line only"
    assert stream.getvalue().endswith("[1/3] 0:00 running model dim_customers")
    progress(finished(node("dim_customers"), "error"))
    assert lines == ["    [2/3] error   model     dim_customers (0.25s)"]
    progress(COMPLETED)
    assert stream.getvalue().endswith("\r\x1b[K"), "the status line is cleared at the end"
