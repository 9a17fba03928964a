"""The manager's table: 100 columns, totals from summed components, targets marked, labels in both languages."""

from __future__ import annotations

import io

import orjson
import pytest
from rich.cells import cell_len
from rich.console import Console

from pipeline.core.intervals import parse_instant
from pipeline.core.kpi import METRIC_KEYS
from pipeline.i18n import label
from pipeline.report import render
from pipeline.report.build import Report, ReportRequest, build
from pipeline.settings import QueueSettings, Settings, load_settings
from pipeline.simulate.config import SimulationConfig
from pipeline.simulate.engine import generate
from pipeline.store.store import Store
from tests.fixtures.events import abandoned, answered_call, event, offered
from tests.fixtures.stores import ingest

SETTINGS = load_settings()
ZONE = SETTINGS.zone
START, END = parse_instant("2026-11-02", ZONE), parse_instant("2026-11-03", ZONE)
LONG_AGO = END + 86_400_000  # "now" for a range that has ended


def hand_worked() -> list[dict]:
    """billing: answered in 10 s, answered in 40 s, abandoned after 20 s; sales: answered in 5 s.

    SL (exclude_short, 30 s): billing 1/3, sales 1/1; all queues 2/4 = 50 %, not the 66.7 % mean of the rows.
    """
    return [*answered_call("b1", 0, 10, 60, 5), *answered_call("b2", 60, 40, 60, 5),
            offered("b3", 120), abandoned("b3", 140), *answered_call("s1", 0, 5, 60, 5, queue="sales")]


def report(store: Store, settings: Settings = SETTINGS, **request: object) -> Report:
    return build(store, ReportRequest(START, END, **request), settings)  # type: ignore[arg-type]


def text(result: Report, settings: Settings = SETTINGS, *, width: int = 100, lang: str = "en",
         now_ms: int = LONG_AGO) -> str:
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(render.printable(result, settings, title="t", lang=lang, width=width, now_ms=now_ms))
    return console.export_text()


def cell_at(output: str, first_cell: str, header: str) -> str:
    """The cell under ``header`` in the row starting with ``first_cell``, in whichever table holds that column."""
    headers: list[list[str]] = []
    for line in output.splitlines():
        if line.startswith("┏"):
            headers = []
        elif line.startswith("┃"):
            headers.append([cell.strip() for cell in line.strip("┃").split("┃")])
        elif line.startswith(f"│ {first_cell} "):
            cells = [cell.strip() for cell in line.strip("│").split("│")]
            for index in range(len(cells)):
                if any(header_line[index] == header for header_line in headers):
                    return cells[index]
    raise AssertionError(f"no {header!r} cell for {first_cell!r} in\n{output}")


def test_the_totals_row_is_computed_from_summed_components_and_equals_by_total(store: Store) -> None:
    ingest(store, hand_worked())
    by_queue = report(store, by=("queue",))
    assert [r["service_level"] for r in by_queue.rows] == [pytest.approx(1 / 3), 1.0]
    assert by_queue.total["service_level"] == 0.5  # 2 within SL of 4, not the mean of 1/3 and 1
    (total_row,) = report(store, by=()).rows
    assert total_row == by_queue.total
    assert report(store, by=("channel",)).total == by_queue.total
    assert total_row["offered"] == 4 and total_row["asa_s"] == pytest.approx((10 + 40 + 5) / 3)


def test_the_table_fits_100_columns_and_cuts_no_number(store: Store) -> None:
    ingest(store, [orjson.dumps(e) for e in generate(SimulationConfig(contacts=400, seed=8))])
    for by in (("queue",), ("queue", "interval"), ("agent",), ("channel",)):
        result = report(store, by=by, interval="30m")
        output = text(result)
        assert all(cell_len(line) <= 100 for line in output.splitlines()), output
        assert "…" not in output
        for row in result.rows:  # every figure of every shown column, whole
            for key in render.columns(result, LONG_AGO):
                if key not in render.NEEDS_SOURCE:
                    assert render.cell(key, row[key]) in output, (by, key, row[key])
        assert "Total" in output and len(result.rows) > 1


def test_sl_header_threshold_mode_and_target_markers(store: Store) -> None:
    ingest(store, hand_worked())
    output = text(report(store))
    assert "SL 30s" in output and "excl. short ab." in output
    assert cell_at(output, "billing", "SL 30s") == "33.3% ✗" and cell_at(output, "sales", "SL 30s") == "100.0% ✓"
    assert cell_at(output, "Total", "SL 30s") == "50.0% ✗"
    assert cell_at(output, "billing", "Aband%") == "33.3% ✗"  # abandon rate 1/3 against 5 %
    assert "SL ≥ 90.0%" in output and "Aband% ≤ 5.0%" in output
    vip = load_settings(queues={"sales": QueueSettings(sl_threshold_s=20, sl_target=0.5)})
    mixed = text(report(store, vip), vip)
    assert "SL 30s" not in mixed and "SL 20s" not in mixed  # two thresholds: no single one to state
    assert cell_at(mixed, "Total", "SL") == "50.0%"  # two targets in one row: no marker


def test_aht_is_marked_against_its_queue_and_direction_target(store: Store) -> None:
    # billing AHT: b1 and b2 each talk 60 + wrap-up 5 = 65 s; sales s1 the same 65 s
    ingest(store, [*hand_worked(), *answered_call("o1", 0, 0, 200, 40, direction="outbound")])
    plain = text(report(store))
    assert cell_at(plain, "billing", "AHT") == "1:05"  # no target set: no marker, and none in the legend
    assert "AHT ≤" not in plain
    targets = load_settings(queues={"billing": QueueSettings(aht_target_s=60, aht_target_outbound_s=300),
                                    "sales": QueueSettings(aht_target_s=65)})
    output = text(report(store, targets), targets)
    assert cell_at(output, "billing", "AHT") == "1:05 ✗"  # 65 > 60
    assert cell_at(output, "sales", "AHT") == "1:05 ✓"  # 65 <= 65: exactly on target is met
    assert cell_at(output, "Total", "AHT") == "1:05"  # two targets in one row: no marker
    assert "AHT ≤ per queue" in output
    # outbound: o1 talks 200 + wrap-up 40 = 240 s against billing's outbound 300 s
    outbound = text(report(store, targets, direction="outbound"), targets)
    assert cell_at(outbound, "billing", "AHT") == "4:00 ✓" and "AHT ≤ 300s" in outbound


def test_interval_rows_are_local_clock_ranges(store: Store) -> None:
    ingest(store, hand_worked())
    output = text(report(store, by=("interval",), interval="30m"))
    assert cell_at(output, "09:00-09:30", "Offered") == "4"  # 01:00Z is 09:00 in Asia/Shanghai
    two_days = build(store, ReportRequest(START - 86_400_000, END, ("interval",), "30m"), SETTINGS)
    assert cell_at(text(two_days), "11-02 09:00-09:30", "Offered") == "4"
    days = text(build(store, ReportRequest(START, END, ("interval",), "1d"), SETTINGS))
    assert cell_at(days, "2026-11-02", "Offered") == "4"


def test_columns_that_mean_nothing_for_the_group_are_left_out(store: Store) -> None:
    ingest(store, hand_worked())
    per_agent = render.columns(report(store, by=("agent",)), LONG_AGO)
    assert not {"offered", "abandoned", "abandon_rate", "service_level", "waiting"} & set(per_agent)
    assert {"handled", "occupancy", "aht_s"} <= set(per_agent)
    outbound = ReportRequest(START, END, ("queue",), direction="outbound")
    assert "service_level" not in render.columns(Report(outbound, [], {}, [], {}), LONG_AGO)
    today = report(store)
    assert "waiting" not in render.columns(today, now_ms=LONG_AGO)  # the range has ended
    assert "waiting" in render.columns(today, now_ms=START + 3600_000)  # the range is still running


def test_a_kpi_with_no_source_data_is_a_dash_not_zero(store: Store) -> None:
    ingest(store, hand_worked())
    none = text(report(store))
    assert cell_at(none, "billing", "Compl%") == "–" and cell_at(none, "Total", "Compl%") == "–"  # no complaints
    ingest(store, [event("complaint.filed", 90, agent_id="a1", contact_id="s1", valid=True, escalated=False)])
    some = text(report(store))
    assert cell_at(some, "billing", "Compl%") == "0.0%" and cell_at(some, "sales", "Compl%") == "100.0%"
    assert cell_at(some, "Total", "Compl%") == "33.3%"  # 1 valid complaint / 3 answered
    assert cell_at(some, "Total", "CSAT") == "–"  # no surveys: its own denominator says so


def test_labels_in_chinese_from_the_catalogue(store: Store) -> None:
    ingest(store, hand_worked())
    output = text(report(store), lang="zh-CN")
    for key in ("report.col.offered", "report.col.service_level", "group.queue", "group.total", "report.mode.exclude_short"):
        assert label(key, "zh-CN") in output
    assert "Offered" not in output


def test_json_keeps_its_keys_and_precision(store: Store) -> None:
    ingest(store, hand_worked())
    rows = orjson.loads(render.as_json(report(store).rows))
    assert list(rows[0]) == ["queue", *METRIC_KEYS]
    assert rows[0]["service_level"] == 1 / 3


def test_by_total_is_one_row(store: Store) -> None:
    ingest(store, hand_worked())
    output = text(report(store, by=()))
    lines = output.splitlines()
    assert sum(line.startswith("│") for line in lines) == sum(line.startswith("┏") for line in lines)  # 1 per table
    assert "50.0% ✗" in output and "Total" not in output


def test_csv_neutralises_text_that_would_run_as_a_formula_and_keeps_negative_numbers() -> None:
    """A queue named like a formula (a source copies it through) gets OWASP's apostrophe in `report --excel`
    and --format csv; a negative number (a clock behind) stays a number."""
    rows = [{"queue": "=HYPERLINK(\"http://x\",\"y\")", "agent_id": "@a1", "offered": 2, "asa_s": -1.5,
             "abandoned_by_reason": {"timeout": 1}},
            {"queue": "-1+cmd", "agent_id": "a2", "offered": 0, "asa_s": None, "abandoned_by_reason": {"timeout": 0}}]
    lines = render.as_csv(rows, bom=True).removeprefix("\ufeff").splitlines()
    assert lines == ["queue,agent_id,offered,asa_s,abandoned_by_reason.timeout",
                     "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'@a1,2,-1.5,1",
                     "'-1+cmd,a2,0,,0"]
