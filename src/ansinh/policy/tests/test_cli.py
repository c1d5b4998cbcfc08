"""The ``ansinh calc`` contract (issue 3 §5), exercised through main([...])."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ansinh.policy import Override, ParameterTree, Reference
from ansinh.policy.cli import main


def run(argv: list[str], tree: ParameterTree | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, tree=tree, stdout=out, stderr=err, today=lambda: date(2026, 11, 28))
    return code, out.getvalue(), err.getvalue()


def run_json(argv: list[str], tree: ParameterTree | None = None) -> dict[str, Any]:
    code, out, err = run([*argv, "--json"], tree)
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


HISTORY = json.dumps([{"from": "2022-01", "to": "2025-12", "income": 1500000, "category": "other"}])


def test_contribution_json_keys_and_values() -> None:
    d = run_json(
        [
            "contribution",
            "--on",
            "2026-11-28",
            "--income",
            "1500000",
            "--category",
            "ethnic_minority",
            "--category",
            "near_poor",
            "--mode",
            "quarterly",
        ]
    )
    for key in [
        "on",
        "income",
        "mode",
        "months",
        "gross_monthly",
        "support_rate",
        "support_monthly",
        "local_support_monthly",
        "net_monthly",
        "total",
        "floor",
        "ceiling",
        "provisional",
        "references",
    ]:
        assert key in d
    assert d["support_rate"] == "0.40"
    assert d["support_monthly"] == 132_000
    assert (d["months"], d["net_monthly"], d["total"]) == (3, 198_000, 594_000)
    assert (d["floor"], d["ceiling"], d["provisional"]) == (1_500_000, 50_600_000, False)
    assert all({"document", "article", "link"} <= set(r) for r in d["references"])


def test_contribution_advance_with_fund_yield_and_tree_override() -> None:
    args = [
        "contribution",
        "--on",
        "2026-11-28",
        "--income",
        "2000000",
        "--mode",
        "advance",
        "--years",
        "3",
    ]
    base = run_json(args)
    pct = run_json([*args, "--fund-yield", "0.5%"])
    frac = run_json([*args, "--fund-yield", "0.005"])
    assert pct["total"] == frac["total"] < base["total"]
    from ansinh.policy import load_default_tree

    tree = load_default_tree().with_overrides(
        [
            Override(
                "contribution.fund_yield",
                date(2026, 1, 1),
                Decimal("0.005"),
                Reference("CV test", "all", ""),
                "confirmed",
            )
        ]
    )
    assert run_json(args, tree)["total"] == frac["total"]


@pytest.mark.parametrize(
    "argv",
    [
        ["contribution", "--on", "2026-11-28", "--income", "1400000"],
        ["contribution", "--on", "2026-11-28", "--income", "60000000"],
        ["contribution", "--on", "2026-13-01", "--income", "1500000"],
        ["contribution", "--on", "2026-11-28", "--income", "abc"],
        ["contribution", "--on", "2026-11-28", "--income", "1500000", "--category", "rich"],
        ["contribution", "--on", "2026-11-28", "--income", "1500000", "--mode", "advance"],
        [
            "contribution",
            "--on",
            "2026-11-28",
            "--income",
            "1500000",
            "--mode",
            "advance",
            "--years",
            "6",
        ],
        ["retirement", "--sex", "X", "--birth", "1970-01"],
        ["retirement", "--sex", "F"],
        ["pension", "--sex", "F", "--birth", "1970-01", "--history", "/no/such/file.json"],
        ["pension", "--sex", "F", "--birth", "1970-01", "--history", '[{"from": 1'],
        ["lump-sum", "--history", HISTORY, "--claim-on", "2026-11-15", "--ground", "bored"],
        ["household-hi", "--on", "2026-07-01", "--members", "0"],
        ["frobnicate"],
        [],
    ],
)
def test_invalid_input_exits_2_with_one_bilingual_line(argv: list[str]) -> None:
    code, out, err = run([*argv, "--json"])
    assert code == 2
    assert out == ""
    assert err.endswith("\n")
    assert err.count("\n") == 1
    assert " / " in err


def test_income_error_names_both_bounds() -> None:
    _, _, err = run(["contribution", "--on", "2026-11-28", "--income", "1400000"])
    assert "1.500.000" in err
    assert "50.600.000" in err
    assert "1,500,000" in err


def test_retirement() -> None:
    d = run_json(["retirement", "--sex", "F", "--birth", "1970-01"])
    assert (d["retirement_age_years"], d["retirement_age_months"]) == (57, 4)
    assert (d["reached_month"], d["pension_from"]) == ("2027-05", "2027-06-01")


def test_pension_with_csv_history(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("from,to,income,category\n2011-08,2026-07,3000000,other\n", encoding="utf-8")
    d = run_json(["pension", "--sex", "M", "--birth", "1965-01-15", "--history", str(path)])
    for key in [
        "eligible",
        "months",
        "benefit_years",
        "rate",
        "average_income",
        "monthly_pension",
        "one_time_allowance",
        "pension_from",
        "provisional",
        "references",
    ]:
        assert key in d
    assert (d["eligible"], d["months"], d["benefit_years"], d["rate"]) == (
        True,
        180,
        "15.0",
        "0.40",
    )
    assert d["pension_from"] == "2026-08-01"
    planned = run_json(
        [
            "pension",
            "--sex",
            "M",
            "--birth",
            "1965-01",
            "--history",
            str(path),
            "--today",
            "2025-07-31",
        ]
    )
    assert planned["months_projected"] == 12
    assert (
        run_json(
            [
                "pension",
                "--sex",
                "M",
                "--birth",
                "1965-01",
                "--history",
                str(path),
                "--settle-year",
                "2025",
            ]
        )["average_income"]
        < d["average_income"]
    )


def test_lump_sum_policy_example(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    path.write_text(HISTORY, encoding="utf-8")
    d = run_json(
        ["lump-sum", "--history", str(path), "--claim-on", "2026-11-15", "--ground", "emigration"]
    )
    assert (d["contributions_paid"], d["amount"], d["state_support_received"]) == (
        14_058_000,
        10_848_000,
        1_782_000,
    )
    assert (d["years_before_2014"], d["years_from_2014"], d["gross"]) == ("0.0", "4.0", 12_630_000)
    assert d["allowed"] is True
    assert d["reason"]
    assert d["average_income"] == 1_578_750


def test_missing_period() -> None:
    hist = json.dumps([{"from": "2013-01", "to": "2026-06", "income": 2000000}])
    d = run_json(
        [
            "missing-period",
            "--sex",
            "M",
            "--birth",
            "1965-01",
            "--history",
            hist,
            "--on",
            "2026-07-10",
            "--income",
            "2000000",
        ]
    )
    assert (d["months_missing"], d["allowed"]) == (18, True)
    assert d["total"] > 18 * 440_000


def test_monthly_allowance() -> None:
    hist = json.dumps([{"from": "2015-01", "to": "2024-12", "income": 3000000}])
    d = run_json(
        [
            "monthly-allowance",
            "--sex",
            "M",
            "--birth",
            "1964-01",
            "--history",
            hist,
            "--on",
            "2026-01-01",
        ]
    )
    assert (d["months_payable"], d["monthly_amount"], d["top_up_to_social_pension_age"]) == (
        143,
        500_000,
        6_500_000,
    )
    poor = run_json(
        [
            "monthly-allowance",
            "--sex",
            "M",
            "--birth",
            "1964-01",
            "--history",
            hist,
            "--on",
            "2026-01-01",
            "--poor",
        ]
    )
    assert poor["months_to_social_pension_age"] == 96


def test_household_hi() -> None:
    d = run_json(["household-hi", "--on", "2026-07-01", "--members", "3"])
    assert d["members"] == [
        {"position": 1, "share": "1.00", "monthly": 113_850, "total": 1_366_200},
        {"position": 2, "share": "0.70", "monthly": 79_695, "total": 956_340},
        {"position": 3, "share": "0.60", "monthly": 68_310, "total": 819_720},
    ]
    assert d["total"] == 3_142_260
    assert (
        run_json(["household-hi", "--on", "2026-07-01", "--members", "1", "--months", "6"])["total"]
        == 683_100
    )


def test_text_output_is_bilingual() -> None:
    code, out, _ = run(["contribution", "--on", "2026-11-28", "--income", "1500000"])
    assert code == 0
    assert "Người tham gia đóng/tháng / participant pays per month: 264.000" in out
    assert "Decree 159/2025" in out
    code, out, _ = run(["household-hi", "--on", "2026-07-01", "--members", "2"])
    assert "member 2" in out
    assert "79.695" in out
    for cmd in (["retirement", "--sex", "M", "--birth", "1970-05-03"],):
        code, out, _ = run(cmd)
        assert code == 0
        assert "Hưởng lương hưu từ / pension from: 2032-06-01" in out


# ---- mixed histories and survivors (issue 16) ----

MIXED = json.dumps([
    {"from": "2010-01", "to": "2024-12", "salary": 6000000, "kind": "compulsory"},
    {"from": "2025-01", "to": "2026-06", "income": 2000000},
])


def test_survivors_json_for_a_mixed_history() -> None:
    # Mbq settled 2026: 12 x 6,000,000 x (1.96 + 1.65 + 1.51 + 1.42 + 1.36 + 1.36 + 1.32 + 1.28
    # + 1.23 + 1.20 + 1.16 + 1.14 + 1.11 + 1.07 + 1.03 = 19.80) = 1,425,600,000, + 18 voluntary
    # months x 2,000,000 x 1.00 = 36,000,000; / 198 = 7,381,818.
    # One-time: 4 years before 2014 x 1.5 + 12.5 years x 2 = 31 x Mbq = 228,836,358.
    # Contributions: 24 x 18 % + 24 x 20 % + 132 x 22 % of 6,000,000 + 18 x 22 % x 2,000,000
    # = 25,920,000 + 28,800,000 + 174,240,000 + 7,920,000 = 236,880,000.
    d = run_json(["survivors", "--history", MIXED, "--death-on", "2026-08-10"])
    assert {k: d[k] for k in ("months", "months_compulsory", "months_voluntary", "decree",
                              "average_income", "funeral_grant", "monthly_eligible",
                              "monthly_per_relative", "one_time_basis", "one_time_allowance",
                              "contributions_paid")} == {
        "months": 198, "months_compulsory": 180, "months_voluntary": 18,
        "decree": "159/2025/NĐ-CP", "average_income": 7_381_818, "funeral_grant": 25_300_000,
        "monthly_eligible": True, "monthly_per_relative": 1_265_000,
        "one_time_basis": "per_year", "one_time_allowance": 228_836_358,
        "contributions_paid": 236_880_000}
    assert d["provisional"] is True
    assert {r["name"] for r in d["references"]} >= {"pension.revaluation_salary",
                                                    "general.mixed_history_decree"}


def test_survivors_of_a_pensioner_and_the_text_output() -> None:
    d = run_json(["survivors", "--history", MIXED, "--death-on", "2026-09-05",
                  "--pension-from", "2026-07", "--monthly-pension", "4000000"])
    # the third month of the pension: 47.5 months x 4,000,000
    assert (d["one_time_basis"], d["one_time_allowance"]) == ("pension", 190_000_000)
    code, out, _ = run(["survivors", "--history", MIXED, "--death-on", "2026-08-10"])
    assert code == 0
    assert "Trợ cấp tuất một lần / one-time survivors' allowance: 228.836.358" in out


def test_pension_with_a_compulsory_period_and_the_floor() -> None:
    # Mbq = (240 x 5,000,000 + 101 x 1,500,000) / 341 = 3,963,343 (settled 2028: 1.00);
    # 28.5 years: 45 % + 2 x 8.5 = 62 % -> 2,457,273 < 2,530,000 -> the floor.
    history = json.dumps([
        {"from": "2000-01", "to": "2019-12", "salary": 5000000, "kind": "compulsory"},
        {"from": "2020-01", "to": "2028-12", "income": 1500000}])
    d = run_json(["pension", "--sex", "M", "--birth", "1966-05-01", "--history", history])
    assert (d["average_income"], d["rate"], d["monthly_pension"], d["floor_applied"]) == (
        3_963_343, "0.62", 2_530_000, True)
    assert (d["months_compulsory"], d["months_voluntary"]) == (240, 101)


def test_a_csv_history_with_a_kind_column(tmp_path: Path) -> None:
    path = tmp_path / "quatrinh.csv"
    path.write_text("from,to,income,category,kind\n2020-01,2022-12,5000000,,compulsory\n"
                    "2023-01,2024-12,1500000,poor,\n", encoding="utf-8")
    d = run_json(["lump-sum", "--history", str(path), "--claim-on", "2026-03-01"])
    assert (d["months_compulsory"], d["amount"]) == (36, 38_024_000)


@pytest.mark.parametrize("history", [
    '[{"from": "2007-06", "to": "2009-01", "income": 1500000}]',
    '[{"from": "2010-01", "to": "2011-01", "income": 1500000, "kind": "tư nhân"}]',
])
def test_invalid_kinds_and_voluntary_months_before_2008_exit_2(history: str) -> None:
    code, out, err = run(["lump-sum", "--history", history, "--claim-on", "2026-03-01"])
    assert (code, out) == (2, "")
    assert " / " in err
