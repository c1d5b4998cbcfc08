"""The register: locations, households and persons — one row per person of working age.

Names are stored as typed (NFC) beside a folded form for diacritic-free search; the folded
columns are filled at write time (save() here, and the bulk writer in importing.py).
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ansinh.core import personal, scoping
from ansinh.core.models import Office, province_key
from ansinh.core.text import fold, normalize_name

from .reference import ETHNIC_GROUPS

# The usual words of the register's "relation to the head" column (typed, in Vietnamese).
RELATIONS = {
    "chủ hộ": pgettext_lazy("quan hệ với chủ hộ", "Chủ hộ"),
    "vợ": pgettext_lazy("quan hệ với chủ hộ", "Vợ"),
    "chồng": pgettext_lazy("quan hệ với chủ hộ", "Chồng"),
    "con": pgettext_lazy("quan hệ với chủ hộ", "Con"),
    "con dâu": pgettext_lazy("quan hệ với chủ hộ", "Con dâu"),
    "con rể": pgettext_lazy("quan hệ với chủ hộ", "Con rể"),
    "cha": pgettext_lazy("quan hệ với chủ hộ", "Cha"),
    "mẹ": pgettext_lazy("quan hệ với chủ hộ", "Mẹ"),
    "bố": pgettext_lazy("quan hệ với chủ hộ", "Bố"),
    "ông": pgettext_lazy("quan hệ với chủ hộ", "Ông"),
    "bà": pgettext_lazy("quan hệ với chủ hộ", "Bà"),
    "cháu": pgettext_lazy("quan hệ với chủ hộ", "Cháu"),
    "anh": pgettext_lazy("quan hệ với chủ hộ", "Anh"),
    "chị": pgettext_lazy("quan hệ với chủ hộ", "Chị"),
    "em": pgettext_lazy("quan hệ với chủ hộ", "Em"),
}


class Province(models.Model):
    code = models.CharField(_("mã"), max_length=10, unique=True)
    name = models.CharField(_("tên"), max_length=100)

    class Meta:
        verbose_name = _("tỉnh / thành phố")
        verbose_name_plural = _("tỉnh / thành phố")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """Xã / phường. Belongs to one office, which serves it."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="communes")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="communes")
    code = models.CharField(_("mã"), max_length=20, unique=True)
    code_is_official = models.BooleanField(_("mã chính thức"), default=False)
    name = models.CharField(_("tên"), max_length=100)
    name_folded = models.CharField(max_length=100, editable=False)
    formed_from = models.CharField(
        _("hình thành từ"), max_length=300, blank=True,
        help_text=_("Các xã cũ hợp nhất (Nghị quyết 1675/NQ-UBTVQH15)"),
    )
    is_island = models.BooleanField(_("xã đảo"), default=False)

    class Meta:
        verbose_name = _("xã / phường")
        verbose_name_plural = _("xã / phường")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.name = normalize_name(self.name)
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Village(models.Model):
    """Thôn / bản / tổ dân phố."""

    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="villages")
    code = models.CharField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("tên"), max_length=100)
    name_folded = models.CharField(max_length=100, editable=False)
    former_commune = models.CharField(_("thuộc xã cũ"), max_length=100, blank=True)
    remoteness = models.PositiveSmallIntegerField(
        _("mức độ xa xôi"), default=1, help_text=_("1 gần trung tâm … 3 rất xa")
    )

    class Meta:
        verbose_name = _("thôn / bản")
        verbose_name_plural = _("thôn / bản")
        ordering = ["commune__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "name"], name="village_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.name = normalize_name(self.name)
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Household(models.Model):
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="households")
    code = models.CharField(_("mã hộ"), max_length=30, unique=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    head_name = models.CharField(_("chủ hộ"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.head_name}"

    def poverty_on(self, year: int) -> str:
        """The certified status for a year (poor / near_poor / none)."""
        for status in self.poverty_statuses.all():
            if status.year == year:
                return status.status
        return PovertyStatus.NONE


class PovertyStatus(models.TextChoices):
    POOR = "poor", _("Hộ nghèo")
    NEAR_POOR = "near_poor", _("Hộ cận nghèo")
    NONE = "none", _("Không")


class HouseholdPoverty(models.Model):
    """Poverty status certified for one year; it drives the state subsidy of that year."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="poverty_statuses"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    status = models.CharField(_("tình trạng"), max_length=10, choices=PovertyStatus.choices)
    source = models.CharField(
        _("nguồn"), max_length=200, blank=True,
        help_text=_("Quyết định công nhận của UBND xã, số và ngày"),
    )
    certified_on = models.DateField(_("ngày công nhận"), null=True, blank=True)

    class Meta:
        verbose_name = _("tình trạng nghèo theo năm")
        verbose_name_plural = _("tình trạng nghèo theo năm")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="poverty_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.get_status_display()}"


class Sex(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


class SIStatus(models.TextChoices):
    NONE = "none", _("Chưa tham gia")
    COMPULSORY = "compulsory", _("BHXH bắt buộc")
    VOLUNTARY = "voluntary", _("BHXH tự nguyện")
    PENSIONER = "pensioner", _("Đang hưởng lương hưu")
    LUMP_SUM = "lump_sum", _("Đã hưởng BHXH một lần")
    MOVED = "moved", _("Chuyển đi")
    DECEASED = "deceased", _("Đã mất")


# Statuses that rule a person out as a voluntary-SI prospect (Law Art. 2(4)); a voluntary
# participant is already enrolled, so not someone to recruit.
NOT_PROSPECT_STATUSES = (
    SIStatus.COMPULSORY, SIStatus.VOLUNTARY, SIStatus.PENSIONER, SIStatus.MOVED, SIStatus.DECEASED,
)


class InRegister(models.Manager["Person"]):
    def get_queryset(self) -> models.QuerySet[Person]:
        return super().get_queryset().filter(merged_into__isnull=True)


class Person(models.Model):
    # No index of its own: every query that filters the office also filters villages, and each
    # index costs the bulk import (ten indexes made the insert several times slower).
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", db_index=False)
    # indexed through person_village_name_idx, whose first column it is
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="persons", db_index=False
    )
    # the distribution key, filled by the database (core.keys; docs/scale.md)
    province = province_key()
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    # A row created in the field carries the phone's UUID, so a retried sync never duplicates it.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(_("họ và tên"), max_length=150)
    name_folded = models.CharField(max_length=150, editable=False)
    # When only the year is known the date is 1 January of that year (Circular 11/2025 Art. 5(7)).
    birth_date = models.DateField(_("ngày sinh"))
    birth_year_only = models.BooleanField(_("chỉ biết năm sinh"), default=False)
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(_("dân tộc"), max_length=2, choices=ETHNIC_GROUPS, default="01")
    local_group = models.CharField(
        _("nhóm địa phương"), max_length=50, blank=True, help_text=_("Ví dụ: Pa Kô, Pa Hy")
    )
    national_id = models.CharField(
        _("số định danh cá nhân"), max_length=12, null=True, blank=True, unique=True
    )
    si_number = models.CharField(_("mã số BHXH"), max_length=10, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    relation_to_head = models.CharField(_("quan hệ với chủ hộ"), max_length=30, blank=True)
    si_status = models.CharField(
        _("tình trạng BHXH"), max_length=12, choices=SIStatus.choices, default=SIStatus.NONE
    )
    si_status_source = models.CharField(_("nguồn tình trạng"), max_length=100, blank=True)
    si_status_as_of = models.DateField(_("tình trạng tính đến"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False,
    )
    # What a phone holds of this person (the person, household, participation, dues, follow-ups)
    # last changed at this number of the office's change sequence (`core.changes.touch`).
    sync_version = models.BigIntegerField(default=0, db_default=0, editable=False)
    # A duplicate merged into another record (registry.merging): kept, so the merge can be
    # undone, but no longer part of the register.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False, editable=False,
    )

    # the register: every read of persons leaves merged records out ...
    objects = InRegister()
    # ... except the merge itself, its undo and the history
    with_merged = models.Manager()  # noqa: DJ012 (ruff takes InRegister() for a field)

    class Meta:
        verbose_name = _("đối tượng")
        verbose_name_plural = _("đối tượng")
        ordering = ["name_folded", "id"]
        indexes = [
            # the register list of one village / commune, sorted by name
            models.Index(fields=["village", "name_folded"], name="person_village_name_idx"),
            # diacritic-free search by name prefix
            models.Index(fields=["name_folded"], name="person_name_folded_idx"),
            # prospect filter: status + sex + birth date cut-offs
            models.Index(fields=["si_status", "sex", "birth_date"], name="person_prospect_idx"),
            # the import's natural key when there is no national ID
            models.Index(fields=["village", "birth_date", "name_folded"], name="person_natkey_idx"),
            # a phone's download: what changed in the office after its cursor
            models.Index(fields=["office", "sync_version"], name="person_sync_idx"),
            # the merged records (few): without it every delete of a person would scan the
            # table for records merged into it (the foreign key's check)
            models.Index(fields=["merged_into"], name="person_merged_into_idx",
                         condition=models.Q(merged_into__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: object, **kwargs: object) -> None:
        self.full_name = normalize_name(self.full_name)
        self.name_folded = fold(self.full_name)
        if not self.national_id:
            self.national_id = None
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def is_ethnic_minority(self) -> bool:
        return self.ethnicity != "01"

    @property
    def relation_display(self) -> str:
        """The relation to the head of household as typed (the register stores Vietnamese
        words), in the page's language when it is one of the usual words ("Chủ hộ")."""
        wording = RELATIONS.get(self.relation_to_head.strip().lower())
        return str(wording) if wording is not None else self.relation_to_head

    @property
    def birth_display(self) -> str:
        if self.birth_year_only:
            return str(self.birth_date.year)
        return self.birth_date.strftime("%d/%m/%Y")

    def age_on(self, on: date) -> int:
        born = self.birth_date
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ")
    VALIDATING = "validating", _("Đang kiểm tra")
    WRITING = "writing", _("Đang ghi")
    DONE = "done", _("Đã nhập")
    CHECKED = "checked", _("Đã kiểm tra (không ghi)")
    REFUSED = "refused", _("Bị từ chối")
    FAILED = "failed", _("Lỗi")


class ImportJob(models.Model):
    """An import started from the register page; the worker runs it and reports progress here."""

    office = models.ForeignKey(Office, null=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # set by the worker when it takes the job, and on each progress report: a job whose
    # heartbeat stops (the worker was killed) is marked failed by tasks.fail_stale_jobs
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # the uploaded file holds national IDs: deleted after ANSINH_UPLOAD_RETENTION_DAYS
    # (tasks.purge_uploads); the job keeps its counts
    file_deleted_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=200)
    dry_run = models.BooleanField(_("chỉ kiểm tra"), default=False)
    skip_invalid = models.BooleanField(_("bỏ qua dòng lỗi"), default=False)
    status = models.CharField(max_length=12, choices=ImportStatus.choices,
                              default=ImportStatus.PENDING)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)
    message = models.TextField(blank=True)
    error_report = models.FileField(upload_to="imports/errors/%Y/%m/", blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status in {ImportStatus.DONE, ImportStatus.CHECKED, ImportStatus.REFUSED}:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def running(self) -> bool:
        return self.status in {ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.WRITING}


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ")
    RUNNING = "running", _("Đang xuất")
    DONE = "done", _("Xong")
    FAILED = "failed", _("Lỗi")


class ExportJob(models.Model):
    """A large register export: the worker writes the file (tasks.run_export_job), the page
    shows its progress and offers the file to the user who asked for it. The filters are the
    register page's; the rows are those of the user's territory when the worker runs, shown
    as that user may see them. The file holds personal data: deleted after
    ANSINH_EXPORT_RETENTION_DAYS (tasks.purge_uploads); the job keeps its counts."""

    office = models.ForeignKey(Office, null=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_deleted_at = models.DateTimeField(null=True, blank=True)
    # the register page's filters (q, commune, village, status, prospect) as its query string
    query = models.CharField(max_length=500, blank=True)
    format = models.CharField(max_length=4, default="xlsx")  # xlsx | csv
    # the page's language when the user asked: the worker writes its messages in it
    language = models.CharField(max_length=10, default="vi")
    status = models.CharField(max_length=10, choices=ExportStatus.choices,
                              default=ExportStatus.PENDING)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def running(self) -> bool:
        return self.status in {ExportStatus.PENDING, ExportStatus.RUNNING}

    @property
    def filename(self) -> str:
        return f"so-doi-tuong-{self.pk}.{self.format}"


class PairStatus(models.TextChoices):
    OPEN = "open", _("Chờ xem xét")
    MERGED = "merged", _("Đã gộp")
    NOT_SAME = "not_same", _("Không phải cùng một người")
    CREATED = "created", _("Đã thêm người mới")


class DuplicatePair(models.Model):
    """Two records that may be one person (registry.dedup), in the office's duplicate queue.

    Either two persons of the register (``person_a`` < ``person_b``), or a register person and
    an import row held back as probably that person (``incoming``, the row's values as read;
    ``person_b`` empty). A decision is remembered: a pair marked "not the same person" is not
    offered again."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+")
    person_a = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    person_b = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    incoming = models.JSONField(null=True, blank=True)
    import_job = models.ForeignKey(ImportJob, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="held_back")
    score = models.PositiveSmallIntegerField(_("điểm"))
    reasons = models.JSONField(default=list)
    status = models.CharField(_("trạng thái"), max_length=10, choices=PairStatus.choices,
                              default=PairStatus.OPEN)
    found_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("cặp có thể trùng")
        verbose_name_plural = _("cặp có thể trùng")
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"],
                                    condition=models.Q(person_b__isnull=False),
                                    name="duplicatepair_once"),
            models.CheckConstraint(
                condition=models.Q(person_b__isnull=True, incoming__isnull=False)
                | models.Q(person_b__isnull=False, incoming__isnull=True,
                           person_a__lt=models.F("person_b")),
                name="duplicatepair_two_records"),
        ]
        indexes = [
            # the queue: an office's open pairs by village, best first
            models.Index(fields=["office", "status", "village", "-score"],
                         name="duplicatepair_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id or 'import'} ({self.score})"


class Merge(models.Model):
    """One merge of a duplicate record into the surviving one (registry.merging): what it
    chose, what each record held before, and every related row it re-pointed, so that it can be
    undone exactly."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    pair = models.ForeignKey(DuplicatePair, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="merges")
    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    # field -> "survivor" | "merged": whose value the surviving record keeps
    choices = models.JSONField(default=dict)
    # the two records' fields before the merge
    before = models.JSONField(default=dict)
    # "app_label.Model.field" -> primary keys of the rows re-pointed from merged to survivor
    moved = models.JSONField(default=dict)
    # rows removed because the survivor already had their twin (an attendance of the same
    # event): [{"model": "app_label.Model", "fields": {...}, "kept": pk, "refs": {...}}]
    removed = models.JSONField(default=list)
    # what staff must look at: ["two_participations"]
    flags = models.JSONField(default=list)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lần gộp hồ sơ")
        verbose_name_plural = _("lần gộp hồ sơ")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"


class NameSpelling(models.Model):
    """A spelling the office knows to be the same name (a Tà Ôi or Pa Kô name written two ways):
    added to the list shipped with ansinh (registry/data/name_spellings.yaml) for dedup."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    written = models.CharField(_("cách viết"), max_length=50)
    same_as = models.CharField(_("cũng là"), max_length=50)
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("cách viết tên")
        verbose_name_plural = _("cách viết tên")
        ordering = ["written"]
        constraints = [
            models.UniqueConstraint(fields=["office", "written", "same_as"],
                                    name="namespelling_once"),
        ]

    def __str__(self) -> str:
        return f"{self.written} = {self.same_as}"


scoping.register(Person, "office", "village")
scoping.register(Household, "office", "village")
scoping.register(DuplicatePair, "office", "village")
scoping.register(Merge, "office", "survivor__village")
scoping.register(Village, "commune__office", "")
scoping.register(Commune, "office", None)

# what a person's own data export holds of the register (core.personal.person_data)
personal.register_section("person", lambda person: Person.objects.filter(pk=person.pk))
personal.register_section("household", lambda person: Household.objects.filter(
    pk=person.household_id or 0))
personal.register_section("poverty_statuses", lambda person: HouseholdPoverty.objects.filter(
    household_id=person.household_id or 0))
