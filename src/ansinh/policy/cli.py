"""``ansinh calc``: the policy calculator from the shell.

    python -m ansinh.policy.cli contribution --on 2026-11-28 --income 1500000 --category poor --json

Subcommands: contribution, retirement, pension, lump-sum, missing-period, monthly-allowance,
survivors, household-hi. A history's periods are voluntary unless they say ``"kind":
"compulsory"`` (the monthly salary as ``income`` or ``salary``). Amounts are integer VND, dates
ISO, months YYYY-MM; ``--json`` prints one JSON object; invalid input exits 2 with a one-line
"Vietnamese / English" message on stderr.

This module is the only place in ``ansinh.policy`` allowed to read the clock (``--today``
defaults to the current date for pension projections).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, NoReturn

from ansinh.policy.benefits import monthly_allowance
from ansinh.policy.contribution import MODES, contribution_quote, missing_period
from ansinh.policy.errors import InvalidInput, PolicyError
from ansinh.policy.health_insurance import household_hi
from ansinh.policy.history import CATEGORIES, ContributionPeriod, parse_history
from ansinh.policy.lump_sum import GROUNDS, lump_sum
from ansinh.policy.parameters import ParameterTree
from ansinh.policy.pension import pension
from ansinh.policy.retirement import retirement_age
from ansinh.policy.survivors import survivors

CLI_GROUNDS = ("retirement_age", "emigration", "illness", "twelve_months_out", "disability")
assert set(CLI_GROUNDS) == set(GROUNDS)


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ngày không hợp lệ / invalid date: {text!r}") from None


def _birth(text: str) -> date:
    try:
        if len(text) == 7:
            return date(int(text[:4]), int(text[5:7]), 1)
        if len(text) == 4:
            return date(int(text), 1, 1)  # birth year only: 1 January (Circular 11/2025 Art. 5(7))
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"ngày sinh không hợp lệ / invalid birth date: {text!r}"
        ) from None


def _month(text: str) -> date:
    try:
        return date(int(text[:4]), int(text[5:7]), 1) if len(text) == 7 else (
            date.fromisoformat(text).replace(day=1))
    except ValueError:
        raise argparse.ArgumentTypeError(f"tháng không hợp lệ / invalid month: {text!r}") from None


def _vnd(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"số tiền không hợp lệ / invalid amount: {text!r}"
        ) from None
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"số không hợp lệ / invalid number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"số âm / negative number: {text!r}")
    return value


def _yield(text: str) -> Decimal:
    """Monthly fund yield: a fraction (0.0031) or a percentage (0.31%)."""
    raw = text.strip()
    try:
        value = Decimal(raw[:-1].strip()) / 100 if raw.endswith("%") else Decimal(raw)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(
            f"lãi suất không hợp lệ / invalid yield: {text!r}"
        ) from None
    if not value.is_finite() or value < 0 or value >= 1:
        raise argparse.ArgumentTypeError(f"lãi suất không hợp lệ / invalid yield: {text!r}")
    return value


def load_history(spec: str) -> tuple[ContributionPeriod, ...]:
    """Inline JSON, or a path to a JSON or CSV file (columns from,to,income,category and an
    optional kind)."""
    text = spec.strip()
    try:
        if not text.startswith(("[", "{")):
            path = Path(spec)
            content = path.read_text(encoding="utf-8-sig")
            if path.suffix.lower() == ".csv":
                return parse_history(list(csv.DictReader(io.StringIO(content))))
            text = content
        data = json.loads(text)
    except OSError as exc:
        raise InvalidInput(
            f"Không đọc được lịch sử đóng {spec!r}", f"cannot read history {spec!r}: {exc.strerror}"
        ) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            "Lịch sử đóng không phải JSON hợp lệ", f"history is not valid JSON: {exc.msg}"
        ) from None
    if isinstance(data, dict):
        data = data.get("history", data.get("periods"))
    if not isinstance(data, list):
        raise InvalidInput(
            "Lịch sử đóng phải là một danh sách", "history must be a list of periods"
        )
    return parse_history(data)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ansinh calc",
        description="Máy tính chính sách BHXH tự nguyện / voluntary social insurance calculator",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("contribution", help="mức đóng / what a participant pays")
    p.add_argument("--on", type=_date, required=True)
    p.add_argument("--income", type=_vnd, required=True)
    p.add_argument("--category", action="append", choices=CATEGORIES)
    p.add_argument("--mode", choices=MODES, default="monthly")
    p.add_argument("--years", type=_count)
    p.add_argument("--supported-months", type=_count, default=0)
    p.add_argument("--fund-yield", type=_yield)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("retirement", help="tuổi nghỉ hưu / retirement age")
    p.add_argument("--sex", choices=("F", "M"), required=True)
    p.add_argument("--birth", type=_birth, required=True)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("pension", help="lương hưu / pension")
    p.add_argument("--sex", choices=("F", "M"), required=True)
    p.add_argument("--birth", type=_birth, required=True)
    p.add_argument("--history", required=True)
    p.add_argument("--settle-year", type=_count)
    p.add_argument("--today", type=_date)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("lump-sum", help="BHXH một lần / lump-sum withdrawal")
    p.add_argument("--history", required=True)
    p.add_argument("--claim-on", type=_date, required=True)
    p.add_argument("--ground", choices=CLI_GROUNDS, default="twelve_months_out")
    p.add_argument("--sex", choices=("F", "M"))
    p.add_argument("--birth", type=_birth)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser(
        "missing-period", help="đóng một lần cho số tháng còn thiếu / missing months"
    )
    p.add_argument("--sex", choices=("F", "M"), required=True)
    p.add_argument("--birth", type=_birth, required=True)
    p.add_argument("--history", required=True)
    p.add_argument("--on", type=_date, required=True)
    p.add_argument("--income", type=_vnd, required=True)
    p.add_argument("--fund-yield", type=_yield)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("monthly-allowance", help="trợ cấp hằng tháng / monthly allowance")
    p.add_argument("--sex", choices=("F", "M"), required=True)
    p.add_argument("--birth", type=_birth, required=True)
    p.add_argument("--history", required=True)
    p.add_argument("--on", type=_date, required=True)
    p.add_argument("--poor", action="store_true")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("survivors", help="chế độ tử tuất / funeral grant and survivors")
    p.add_argument("--history", required=True)
    p.add_argument("--death-on", type=_date, required=True)
    p.add_argument("--pension-from", type=_month,
                   help="tháng bắt đầu hưởng lương hưu / first month of the pension (pensioner)")
    p.add_argument("--monthly-pension", type=_vnd, default=0)
    p.add_argument("--occupational-allowance", action="store_true",
                   help="đang hưởng trợ cấp TNLĐ-BNN hằng tháng / monthly occupational allowance")
    p.add_argument("--occupational-loss-61", action="store_true",
                   help="suy giảm khả năng lao động từ 61%% / work-capacity loss >= 61%%")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("household-hi", help="BHYT hộ gia đình / household health insurance")
    p.add_argument("--on", type=_date, required=True)
    p.add_argument("--members", type=_count, required=True)
    p.add_argument("--months", type=_count, default=12)
    p.add_argument("--json", action="store_true")
    return parser


# (key, Vietnamese label, English label) for the text output of each subcommand.
_LABELS: dict[str, list[tuple[str, str, str]]] = {
    "contribution": [
        ("on", "Ngày đóng", "date"),
        ("income", "Thu nhập chọn đóng", "declared income"),
        ("floor", "Mức thấp nhất", "floor"),
        ("ceiling", "Mức cao nhất", "ceiling"),
        ("mode", "Phương thức", "mode"),
        ("months", "Số tháng", "months"),
        ("gross_monthly", "Mức đóng tháng (22%)", "gross monthly"),
        ("support_rate", "Tỷ lệ hỗ trợ", "support rate"),
        ("support_monthly", "Nhà nước hỗ trợ/tháng", "state support per month"),
        ("local_support_monthly", "Địa phương hỗ trợ/tháng", "local top-up per month"),
        ("net_monthly", "Người tham gia đóng/tháng", "participant pays per month"),
        ("discounted_gross_total", "Tổng đóng trước đã chiết khấu", "discounted gross"),
        ("support_total", "Tổng hỗ trợ", "support total"),
        ("total", "Số tiền phải đóng", "amount to pay"),
    ],
    "retirement": [
        ("retirement_age_years", "Tuổi nghỉ hưu (năm)", "retirement age (years)"),
        ("retirement_age_months", "và tháng", "and months"),
        ("reached_month", "Tháng đủ tuổi", "month reached"),
        ("pension_from", "Hưởng lương hưu từ", "pension from"),
    ],
    "pension": [
        ("eligible", "Đủ điều kiện", "eligible"),
        ("reason", "Lý do", "reason"),
        ("months", "Số tháng đóng", "months"),
        ("benefit_years", "Số năm tính hưởng", "benefit years"),
        ("rate", "Tỷ lệ hưởng", "rate"),
        ("average_income", "Thu nhập bình quân", "average income"),
        ("monthly_pension", "Lương hưu hằng tháng", "monthly pension"),
        ("one_time_allowance", "Trợ cấp một lần khi nghỉ hưu", "one-time allowance"),
        ("pension_from", "Hưởng từ", "pension from"),
    ],
    "lump-sum": [
        ("allowed", "Được hưởng", "allowed"),
        ("reason", "Lý do", "reason"),
        ("months", "Số tháng đóng", "months"),
        ("average_income", "Thu nhập bình quân", "average income"),
        ("years_before_2014", "Số năm trước 2014", "years before 2014"),
        ("years_from_2014", "Số năm từ 2014", "years from 2014"),
        ("gross", "Mức hưởng trước khi trừ hỗ trợ", "gross"),
        ("state_support_received", "Nhà nước đã hỗ trợ", "state support received"),
        ("amount", "Số tiền nhận", "amount"),
        ("contributions_paid", "Số tiền bạn đã đóng", "contributions paid"),
    ],
    "missing-period": [
        ("months_contributed", "Số tháng đã đóng", "months contributed"),
        ("months_missing", "Số tháng còn thiếu", "months missing"),
        ("allowed", "Được đóng", "allowed"),
        ("reason", "Lý do", "reason"),
        ("plain_total", "Tổng chưa tính lãi", "plain total"),
        ("total", "Số tiền phải đóng", "amount to pay"),
    ],
    "monthly-allowance": [
        ("eligible", "Đủ điều kiện", "eligible"),
        ("reason", "Lý do", "reason"),
        ("average_income", "Thu nhập bình quân", "average income"),
        ("months_payable", "Số tháng được hưởng", "months payable"),
        ("monthly_amount", "Mức hưởng hằng tháng", "monthly amount"),
        (
            "top_up_to_social_pension_age",
            "Đóng thêm để hưởng đến tuổi hưu trí xã hội",
            "top-up to social-pension age",
        ),
    ],
    "survivors": [
        ("months", "Số tháng đóng", "months"),
        ("months_compulsory", "Trong đó bắt buộc", "of them compulsory"),
        ("decree", "Nghị định áp dụng", "decree"),
        ("average_income", "Thu nhập bình quân", "average income"),
        ("funeral_grant", "Trợ cấp mai táng", "funeral grant"),
        ("monthly_eligible", "Tuất hằng tháng", "monthly survivors' allowance"),
        ("monthly_reason", "Lý do", "reason"),
        ("monthly_per_relative", "Mỗi thân nhân/tháng", "per relative per month"),
        ("monthly_per_relative_no_carer", "Thân nhân không có người nuôi dưỡng/tháng",
         "per relative with no carer per month"),
        ("one_time_basis", "Cách tính tuất một lần", "one-time basis"),
        ("one_time_allowance", "Trợ cấp tuất một lần", "one-time survivors' allowance"),
    ],
    "household-hi": [("total", "Tổng cộng", "total")],
}


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "có / yes" if value else "không / no"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return "—" if value is None else str(value)


def render_text(command: str, data: dict[str, Any]) -> str:
    lines = []
    if command == "household-hi":
        for member in data["members"]:
            lines.append(
                f"Người thứ {member['position']} / member {member['position']}: "
                f"{_fmt(member['monthly'])} đ/tháng, {_fmt(member['total'])} đ"
            )
    for key, vi, en in _LABELS[command]:
        if key in data:
            lines.append(f"{vi} / {en}: {_fmt(data[key])}")
    if "provisional" in data:
        lines.append(
            "Tạm tính (có giá trị chưa xác nhận) / provisional: "
            + ("có / yes" if data["provisional"] else "không / no")
        )
    for ref in data.get("references", []):
        mark = "" if ref["confidence"] == "confirmed" else f" [{ref['confidence']}]"
        lines.append(
            f"  - {ref['name']} ({ref['start']}): {ref['document']}, {ref['article']}{mark}"
        )
    return "\n".join(lines) + "\n"


def _run(
    args: argparse.Namespace, tree: ParameterTree | None, today: Callable[[], date]
) -> dict[str, Any]:
    cmd = args.command
    if cmd == "contribution":
        return contribution_quote(
            args.on,
            args.income,
            tuple(args.category or ("other",)),
            args.mode,
            args.years,
            args.supported_months,
            args.fund_yield,
            tree,
        ).to_dict()
    if cmd == "retirement":
        return retirement_age(args.sex, args.birth, tree).to_dict()
    if cmd == "pension":
        return pension(
            args.sex,
            args.birth,
            load_history(args.history),
            args.settle_year,
            args.today or today(),
            tree,
        ).to_dict()
    if cmd == "lump-sum":
        return lump_sum(
            load_history(args.history), args.claim_on, args.ground, tree, args.sex, args.birth
        ).to_dict()
    if cmd == "missing-period":
        return missing_period(
            args.sex,
            args.birth,
            load_history(args.history),
            args.on,
            args.income,
            args.fund_yield,
            tree,
        ).to_dict()
    if cmd == "monthly-allowance":
        return monthly_allowance(
            args.sex, args.birth, load_history(args.history), args.on, args.poor, tree
        ).to_dict()
    if cmd == "survivors":
        return survivors(
            load_history(args.history), args.death_on, args.pension_from, args.monthly_pension,
            args.occupational_allowance, args.occupational_loss_61, tree,
        ).to_dict()
    if cmd == "household-hi":
        return household_hi(args.on, args.members, args.months, tree).to_dict()
    raise _UsageError(f"unknown command {cmd}")  # pragma: no cover - argparse rejects it


def main(
    argv: Sequence[str] | None = None,
    tree: ParameterTree | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    today: Callable[[], date] = date.today,
) -> int:
    """Run ``ansinh calc``; returns the exit status (0 ok, 2 invalid input)."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
        data = _run(args, tree, today)
    except _UsageError as exc:
        message = " ".join(str(exc).split())
        err.write(f"Tham số không hợp lệ: {message} / invalid arguments: {message}\n")
        return 2
    except PolicyError as exc:
        err.write(" ".join(str(exc).split()) + "\n")
        return 2
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    if args.json:
        out.write(json.dumps(data, ensure_ascii=False, sort_keys=False) + "\n")
    else:
        out.write(render_text(args.command, data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
