"""`runner.py report`: an offline HTML report, opened in a real headless Chromium with networking
disabled: no console message or script error, every panel present, every chart drawn with a size and
data marks, absent data explained; a full-page screenshot is written for review
(warehouse/test-artifacts/, or PYRAMID_TEST_ARTIFACTS)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from browser import load, screenshot
from conftest import PROJECT_DIR, built, run_runner

PANELS = ["kpis", "pyramid", "rfm", "lifecycle", "loyalty", "transitions", "cohorts", "clv", "affinity", "quality"]
ARTIFACTS = Path(os.environ.get("PYRAMID_TEST_ARTIFACTS", PROJECT_DIR / "warehouse" / "test-artifacts"))


def panels_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'<section class="panel" id="[^"]+" data-panel="([^"]+)" data-state="([^"]+)"', html))


def check_in_browser(report: Path, tmp_path: Path, name: str) -> dict[str, str]:
    html = report.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "the report fetches nothing"
    assert "@import" not in html and "url(" not in html
    page = load(report, tmp_path / "profile")
    assert page.console == [], page.console
    assert "data-errors" not in page.body
    assert int(page.body["data-charts"]) > 0
    assert page.body["data-charts-drawn"] == page.body["data-charts"], "every chart is drawn, with a size and marks"
    states = panels_of(page.dom)
    assert list(states) == PANELS
    height = int(page.body["data-height"])
    width, shot_height = screenshot(report, ARTIFACTS / f"report-{name}.png", height, tmp_path / "profile")
    assert (width, shot_height) == (1200, height)
    return states


@pytest.mark.xdist_group("demo")
def test_demo_report_shows_every_panel_in_a_real_browser(demo_build, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    run = built(["report", "--out", str(report)], demo_build.database)
    assert str(report) in run.stdout
    states = check_in_browser(report, tmp_path, "demo")
    assert set(states.values()) == {"shown"}, states
    html = report.read_text()
    as_of = str(demo_build.query("select as_of_date from intermediate.int_as_of_date")[0][0])
    assert html.count(f"(as of {as_of})") == len(PANELS), "every panel names the as-of date"
    customers = demo_build.query("select count(*) from marts.dim_customers")[0][0]
    assert f'<div class="value">{customers:,}</div>' in html


@pytest.mark.xdist_group("contacts")
def test_panels_without_data_say_why(contacts_build, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    run = built(["report", "--out", str(report)], contacts_build.database)
    states = check_in_browser(report, tmp_path, "six-customers")
    absent = {key for key, state in states.items() if state == "absent"}
    assert absent == {"transitions", "clv", "affinity"}, states
    html = report.read_text()
    assert "One month of history only" in html
    assert "CLV is not available: 6 buyers, fewer than clv_min_buyers" in html
    assert "without data: Segment transitions, Predicted lifetime value, What customers buy together" in run.stdout


@pytest.mark.xdist_group("cdnow")
def test_cdnow_report_without_engagement_or_customers(cdnow_build, tmp_path: Path) -> None:
    # a backtest is not published by itself, nor without saying so, and gives no contact lists
    refused = run_runner(["publish"], cdnow_build.database)
    assert refused.returncode == 2 and "is a backtest as of 1997-09-30" in refused.stderr
    lists = run_runner(["export", "--audiences", "--out", str(tmp_path / "lists")], cdnow_build.database)
    assert lists.returncode == 2 and "contact lists come from a current build" in lists.stderr
    built(["publish", "--backtest"], cdnow_build.database)
    report = tmp_path / "report.html"
    built(["report", "--out", str(report)], cdnow_build.database)
    states = check_in_browser(report, tmp_path, "cdnow")
    assert {key for key, state in states.items() if state == "absent"} == {"affinity"}, "CDNOW has no order lines"
    assert "No engagement events in the data" in report.read_text()
