"""Money: receipt books, receipts and the months they pay, remittances, period closes, rates.

Money rows are append-only. A wrong receipt is cancelled by a reversal receipt (negative
amounts, ``reverses`` pointing at the original), never edited or deleted. The months a receipt
pays are `PaidMonth` rows; the database lets a month be paid only once per participation
(a partial unique index on the months not released by a reversal). A reversal releases its
months by setting ``released_by`` — the one update a money row ever receives, and only from
`actions.reverse_receipt`.

Every receipt carries the village and the accounting month it counts for, so reports aggregate
receipts without joining the register.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ansinh.core import personal, scoping
from ansinh.core.models import Office, office_key, province_key
from ansinh.network.models import Agent, CollectionOrganisation
from ansinh.participation.models import Participation, PaymentMode
from ansinh.registry import merging
from ansinh.registry.models import Household, Person, Village


class Product(models.TextChoices):
    VOLUNTARY_SI = "voluntary_si", _("BHXH tự nguyện")
    HOUSEHOLD_HI = "household_hi", _("BHYT hộ gia đình")


class Channel(models.TextChoices):
    CASH = "cash", _("Tiền mặt")
    BANK_TRANSFER = "bank_transfer", _("Chuyển khoản")
    POST_OFFICE = "post_office", _("Bưu điện")
    ONLINE = "online", _("Trực tuyến")


class ParticipantKind(models.TextChoices):
    """D233 Art. 19(5)(a): remuneration differs for first-time and continuing participants."""

    FIRST_TIME = "first_time", _("Tham gia lần đầu")
    CONTINUING = "continuing", _("Tiếp tục tham gia")


class ReceiptBook(models.Model):
    """Quyển biên lai: a range of receipt numbers the office issues to one agent."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="receipt_books")
    series = models.CharField(_("ký hiệu"), max_length=20)
    first_number = models.PositiveIntegerField(_("từ số"))
    last_number = models.PositiveIntegerField(_("đến số"))
    next_number = models.PositiveIntegerField(_("số tiếp theo"))
    issued_on = models.DateField(_("ngày cấp"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    returned_on = models.DateField(_("ngày thu hồi"), null=True, blank=True)

    class Meta:
        verbose_name = _("quyển biên lai")
        verbose_name_plural = _("quyển biên lai")
        ordering = ["series", "first_number"]
        constraints = [
            models.CheckConstraint(condition=Q(last_number__gte=models.F("first_number")),
                                   name="receiptbook_range_ordered"),
            models.CheckConstraint(
                condition=Q(next_number__gte=models.F("first_number"))
                & Q(next_number__lte=models.F("last_number") + 1),
                name="receiptbook_next_in_range",
            ),
            models.UniqueConstraint(fields=["series", "first_number"],
                                    name="receiptbook_unique_range"),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.first_number:07d}–{self.last_number:07d}"

    @property
    def remaining(self) -> int:
        return self.last_number + 1 - self.next_number


class Receipt(models.Model):
    """Biên lai thu tiền: money a participant paid for one product, or the reversal of that.

    Amounts are integer VND; a reversal carries the negatives of the original's amounts.
    ``amount`` is what the participant paid (net of state support); ``support`` is the state
    support of the months paid; ``gross`` = amount + support for voluntary SI (for an advance
    payment the discount makes ``gross`` the discounted sum).
    """

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    # the distribution key, filled by the database (core.keys; docs/scale.md)
    province = province_key()
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+")
    uuid = models.UUIDField(_("mã giao dịch"), unique=True, default=uuid.uuid4,
                            help_text=_("Sinh ở máy người thu; gửi lại không tạo biên lai thứ hai"))
    product = models.CharField(_("sản phẩm"), max_length=14, choices=Product.choices)
    participation = models.ForeignKey(Participation, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="receipts")
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("người nộp"))
    book = models.ForeignKey(ReceiptBook, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="receipts")
    number = models.CharField(_("số biên lai"), max_length=30)
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="receipts")
    organisation = models.ForeignKey(CollectionOrganisation, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="receipts")
    channel = models.CharField(_("hình thức nộp"), max_length=14, choices=Channel.choices)
    mode = models.CharField(_("phương thức đóng"), max_length=12, choices=PaymentMode.choices,
                            blank=True)
    participant_kind = models.CharField(max_length=10, choices=ParticipantKind.choices)
    paid_on = models.DateField(_("ngày nộp"))
    period = models.DateField(_("kỳ kế toán"), help_text=_("Ngày đầu tháng của kỳ ghi nhận"))
    months = models.SmallIntegerField(_("số tháng"), default=0)
    hi_members = models.PositiveSmallIntegerField(_("số thành viên BHYT"), null=True, blank=True)
    first_month = models.DateField(_("từ tháng"), null=True, blank=True)
    amount = models.BigIntegerField(_("số tiền người tham gia nộp"))
    support = models.BigIntegerField(_("ngân sách hỗ trợ"), default=0)
    gross = models.BigIntegerField(_("tổng mức đóng"), default=0)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversal")
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)
    pricing = models.JSONField(default=dict, help_text="rules and values the amount came from")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("biên lai")
        verbose_name_plural = _("biên lai")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["book", "number"], name="receipt_number_in_book"),
            models.CheckConstraint(
                condition=Q(participation__isnull=False) | Q(household__isnull=False),
                name="receipt_pays_for_something",
            ),
        ]
        indexes = [
            # reports: the office's money by village and accounting month
            models.Index(fields=["office", "period", "village"], name="receipt_period_idx"),
            # a province's money by accounting month: the summary tables' rebuild of one
            # province, the province dashboard (docs/scale.md)
            models.Index(fields=["province", "period"], name="receipt_province_period_idx"),
            # cash in hand and reconciliation: an agent's receipts by day
            models.Index(fields=["agent", "paid_on"], name="receipt_agent_day_idx"),
            # the "retained" metric and a participation's ledger: its receipts by date
            models.Index(fields=["participation", "paid_on"], name="receipt_participation_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.amount:,} ₫".replace(",", ".")

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class PaidMonth(models.Model):
    """One month of voluntary SI paid by a receipt, with its own price and state support.

    The state support per month drives the 120-month support counter and the lump-sum
    deduction, so it is kept per month, not only per receipt.
    """

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="paid_months")
    # the distribution keys, copied by the database from the parent row (core.keys)
    office = office_key()
    province = province_key()
    participation = models.ForeignKey(Participation, on_delete=models.PROTECT,
                                      related_name="paid_months")
    month = models.DateField(_("tháng"))
    income = models.PositiveBigIntegerField()
    category = models.CharField(max_length=16)
    gross = models.BigIntegerField()
    support = models.BigIntegerField()
    net = models.BigIntegerField()
    released_by = models.ForeignKey(Receipt, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="released_months")

    class Meta:
        verbose_name = _("tháng đã đóng")
        verbose_name_plural = _("tháng đã đóng")
        ordering = ["participation", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "month"], condition=Q(released_by__isnull=True),
                name="paidmonth_once_per_participation",
            ),
        ]
        indexes = [
            # dues and persistence: a participation's paid months in order
            models.Index(fields=["participation", "month"], name="paidmonth_participation_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y}: {self.net:,}"


class HIMember(models.Model):
    """A person a household-HI receipt insures, in the ladder's order (the 1st pays 100 %, the
    2nd 70 %...). ``Receipt.hi_members`` is their count. Household-HI receipts recorded before
    members were named have none (their count alone is known)."""

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="insured")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("thứ tự"))

    class Meta:
        verbose_name = _("người được bảo hiểm")
        verbose_name_plural = _("người được bảo hiểm")
        ordering = ["receipt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["receipt", "person"], name="himember_once"),
            models.UniqueConstraint(fields=["receipt", "position"], name="himember_position"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.person}"


class HICoveredMonth(models.Model):
    """One month of household HI a receipt pays, for its household (``person`` empty) and for
    each member it insures (one row each).

    As with `PaidMonth`, the database lets a month be covered only once: once per household
    (the ladder prices a household's members together, so a second receipt for the same months
    would price its first member at 100 % again) and once per person (someone who moved to
    another household cannot be insured twice). A reversal releases the months
    (``released_by``), the one update these rows receive, only from `actions.reverse_receipt`.
    """

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="hi_months")
    # the distribution keys, copied by the database from the parent row (core.keys)
    office = office_key()
    province = province_key()
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    month = models.DateField(_("tháng"))
    released_by = models.ForeignKey(Receipt, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="released_hi_months")

    class Meta:
        verbose_name = _("tháng BHYT hộ gia đình")
        verbose_name_plural = _("tháng BHYT hộ gia đình")
        ordering = ["receipt", "person", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "month"],
                condition=Q(person__isnull=True, released_by__isnull=True),
                name="himonth_once_per_household",
            ),
            models.UniqueConstraint(
                fields=["person", "month"],
                condition=Q(person__isnull=False, released_by__isnull=True),
                name="himonth_once_per_person",
            ),
        ]  # the two unique indexes also serve the overlap check (standing months only)

    def __str__(self) -> str:
        return f"{self.month:%m/%Y}"


class RemittanceStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Đã nộp, chờ đối chiếu")
    CONFIRMED = "confirmed", _("Cơ quan BHXH đã xác nhận")


class Remittance(models.Model):
    """Nộp tiền về cơ quan BHXH: an organisation hands its agents' receipts' money over."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(CollectionOrganisation, on_delete=models.PROTECT,
                                     related_name="remittances")
    uuid = models.UUIDField(unique=True, default=uuid.uuid4)
    number = models.CharField(_("số chứng từ"), max_length=30)
    remitted_on = models.DateField(_("ngày nộp"))
    amount = models.BigIntegerField(_("số tiền"))
    status = models.CharField(max_length=10, choices=RemittanceStatus.choices,
                              default=RemittanceStatus.SUBMITTED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("đợt nộp tiền")
        verbose_name_plural = _("đợt nộp tiền")
        ordering = ["-remitted_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"],
                                    name="remittance_number_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.organisation.code}"


class RemittanceLine(models.Model):
    """A receipt's money handed over in a remittance; each receipt is remitted once."""

    remittance = models.ForeignKey(Remittance, on_delete=models.PROTECT, related_name="lines")
    receipt = models.OneToOneField(Receipt, on_delete=models.PROTECT,
                                   related_name="remittance_line")
    amount = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.remittance} · {self.receipt.number}"


class PeriodClose(models.Model):
    """Khóa sổ: the receipts of a closed month can no longer be added or reversed into it."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("kỳ (tháng)"))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField()
    totals = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("khóa sổ kỳ")
        verbose_name_plural = _("khóa sổ kỳ")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["office", "month"], name="periodclose_once"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y}"


class CommissionRate(models.Model):
    """Mức thù lao: a share of the participant's own payment, entered by the office.

    D233/2025 Art. 19(5) lets VSS set the rates per province, participant kind and payment
    form; they are not published, so the office enters them. There are no defaults.
    ``mode`` blank means any payment form.
    """

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    product = models.CharField(_("sản phẩm"), max_length=14, choices=Product.choices)
    participant_kind = models.CharField(_("nhóm người tham gia"), max_length=10,
                                        choices=ParticipantKind.choices)
    mode = models.CharField(_("hình thức đóng"), max_length=12, choices=PaymentMode.choices,
                            blank=True)
    rate = models.DecimalField(_("tỷ lệ"), max_digits=6, decimal_places=4,
                               help_text=_("Ví dụ 0,1200 = 12 %"))
    valid_from = models.DateField(_("áp dụng từ"))
    reference = models.CharField(_("căn cứ (số quyết định)"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mức thù lao")
        verbose_name_plural = _("mức thù lao")
        ordering = ["product", "participant_kind", "mode", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "product", "participant_kind", "mode", "valid_from"],
                name="commissionrate_one_per_start",
            ),
            models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lte=1),
                                   name="commissionrate_share"),
        ]

    def __str__(self) -> str:
        return f"{self.product} · {self.participant_kind} · {self.mode or '*'}: {self.rate}"


scoping.register(Receipt, "office", "village", agent_user_path="agent__user")
personal.register_section("receipts", lambda person: Receipt.objects.filter(person=person))
personal.register_section("paid_months",
                          lambda person: PaidMonth.objects.filter(receipt__person=person))

merging.link(Receipt, follows="participation.Participation.person")
merging.link(HIMember, twin=("receipt",),
             reason=(
                 ("Cả hai hồ sơ có tên trên cùng một biên lai BHYT hộ gia đình: huỷ biên lai đó "
                  "trước khi gộp"),
                 ("Both records are on the same household HI receipt: reverse it before merging")))
merging.link(HICoveredMonth, twin=("month",), within=Q(released_by__isnull=True),
             reason=(
                 ("Cả hai hồ sơ đã đóng BHYT hộ gia đình cho cùng tháng: huỷ một biên lai trước "
                  "khi gộp"),
                 ("Both records have household HI for the same month: reverse one receipt before "
                  "merging")))
