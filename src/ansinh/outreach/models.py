"""Outreach: events, the people met at them and on visits, their outcomes, and leaflets.

A meeting with one person is a `Contact`, whether on a door-to-door visit, by telephone, at a
meeting, or as an attendee of an event (then ``event`` is set and ``channel`` is ``event``): the
attendance list of an event is its contacts. One table for every meeting with a person keeps the
prospect stage, the worklist and the funnel to one join.

A contact carries the village and office of the person, so scoping and the funnel never join the
register. What a person *is* (prospect, enrolled, paying, lapsed …) is never typed: it is derived
from contacts, participations and paid months (``stages.py``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ansinh.core import personal, scoping
from ansinh.core.models import Office, province_key
from ansinh.network.models import CollectionOrganisation
from ansinh.registry import merging
from ansinh.registry.models import Person, Village


class EventKind(models.TextChoices):
    CONFERENCE = "conference", _("Hội nghị khách hàng")
    SMALL_GROUP = "small_group", _("Truyền thông nhóm nhỏ")
    DOOR_TO_DOOR = "door_to_door", _("Đi từng ngõ, gõ từng nhà")
    MARKET_DAY = "market_day", _("Chợ phiên")
    COMMUNITY = "community", _("Sinh hoạt cộng đồng")
    LOUDSPEAKER = "loudspeaker", _("Loa truyền thanh / đài")


class Partner(models.TextChoices):
    COMMUNE_COMMITTEE = "commune_committee", _("UBND xã")
    VILLAGE_HEAD = "village_head", _("Trưởng thôn")
    WOMENS_UNION = "womens_union", _("Hội Phụ nữ")
    FARMERS_UNION = "farmers_union", _("Hội Nông dân")
    YOUTH_UNION = "youth_union", _("Đoàn Thanh niên")
    VETERANS = "veterans", _("Hội Cựu chiến binh")
    POST_OFFICE = "post_office", _("Bưu điện")


class Channel(models.TextChoices):
    VISIT = "visit", _("Đến nhà")
    CALL = "call", _("Gọi điện")
    MEETING = "meeting", _("Gặp trực tiếp")
    EVENT = "event", _("Tại buổi tuyên truyền")


class Outcome(models.TextChoices):
    INTERESTED = "interested", _("Quan tâm")
    ENROLLED = "enrolled", _("Đăng ký tại chỗ")
    FOLLOW_UP = "follow_up", _("Hẹn gặp lại")
    NOT_INTERESTED = "not_interested", _("Không quan tâm")
    NOT_MET = "not_met", _("Không gặp được")


# Outcomes that show interest: they move a person to the "interested" stage.
INTERESTED_OUTCOMES = (Outcome.INTERESTED, Outcome.ENROLLED, Outcome.FOLLOW_UP)


class Objection(models.TextChoices):
    CANNOT_AFFORD = "cannot_afford", _("Không đủ tiền đóng")
    DOES_NOT_UNDERSTAND = "not_understand", _("Chưa hiểu chính sách")
    DISTRUST = "distrust", _("Chưa tin tưởng")
    COMMERCIAL = "commercial", _("Thích bảo hiểm thương mại")
    LUMP_SUM = "lump_sum", _("Muốn nhận tiền một lần")
    TOO_OLD = "too_old", _("Tuổi cao, sợ không đủ năm")
    TOO_YOUNG = "too_young", _("Còn trẻ, chưa nghĩ đến")
    COMPULSORY = "compulsory", _("Đang tham gia BHXH bắt buộc")
    OTHER = "other", _("Lý do khác")


class Event(models.Model):
    """Một buổi tuyên truyền: a conference, small-group session, door-to-door round …"""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("thôn"))
    kind = models.CharField(_("hình thức"), max_length=14, choices=EventKind.choices)
    held_on = models.DateField(_("ngày"))
    place = models.CharField(_("địa điểm"), max_length=200, blank=True)
    title = models.CharField(_("tiêu đề"), max_length=200, blank=True)
    organisers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                        verbose_name=_("cán bộ, nhân viên thu tổ chức"))
    organisation = models.ForeignKey(CollectionOrganisation, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("tổ chức dịch vụ thu"))
    partners = models.JSONField(_("đơn vị phối hợp"), default=list, blank=True)
    leaflets = models.PositiveIntegerField(_("số tờ rơi phát"), default=0)
    cost = models.PositiveBigIntegerField(_("chi phí (đồng)"), default=0)
    note = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("buổi tuyên truyền")
        verbose_name_plural = _("buổi tuyên truyền")
        ordering = ["-held_on", "-id"]
        indexes = [
            # the events list and the funnel by event type: an office's events by date
            models.Index(fields=["office", "held_on"], name="event_office_day_idx"),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} · {self.held_on:%d/%m/%Y}"

    def partner_labels(self) -> list[str]:
        labels = dict(Partner.choices)
        return [str(labels.get(code, code)) for code in self.partners]


class Contact(models.Model):
    """Một lần tiếp xúc: a visit, a call, a meeting, or attending an event, and its outcome."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    # the distribution key, filled by the database (core.keys; docs/scale.md)
    province = province_key()
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="contacts")
    # a row entered on a phone carries the phone's UUID, so a retried sync never doubles it
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="contacts")
    on = models.DateField(_("ngày"))
    channel = models.CharField(_("hình thức"), max_length=8, choices=Channel.choices)
    outcome = models.CharField(_("kết quả"), max_length=16, choices=Outcome.choices)
    objection = models.CharField(_("lý do chưa tham gia"), max_length=16,
                                 choices=Objection.choices, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+",
                           verbose_name=_("người tiếp xúc"))
    next_follow_up_on = models.DateField(_("hẹn gặp lại ngày"), null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("người phụ trách gặp lại"))
    follow_up_done = models.BooleanField(_("đã gặp lại"), default=False)
    followed_up_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tiếp xúc")
        verbose_name_plural = _("tiếp xúc")
        ordering = ["-on", "-id"]
        constraints = [
            # a person is on an event's attendance list once
            models.UniqueConstraint(fields=["event", "person"], condition=Q(event__isnull=False),
                                    name="contact_once_per_event"),
            models.CheckConstraint(
                condition=Q(event__isnull=True) | Q(channel="event"),
                name="contact_event_channel",
            ),
        ]
        indexes = [
            # the prospect stage and attribution: a person's contacts by date
            models.Index(fields=["person", "on"], name="contact_person_day_idx"),
            # the worklist: open follow-ups of an owner by date
            models.Index(fields=["owner", "follow_up_done", "next_follow_up_on"],
                         name="contact_followup_idx"),
            # the funnel: an office's contacts by date
            models.Index(fields=["office", "on"], name="contact_office_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.on:%d/%m/%Y} · {self.get_outcome_display()}"

    @property
    def follow_up_open(self) -> bool:
        return self.next_follow_up_on is not None and not self.follow_up_done


class LeafletLanguage(models.TextChoices):
    VI = "vi", _("Tiếng Việt")
    TA_OI = "ta_oi", _("Tiếng Tà Ôi")
    PA_KO = "pa_ko", _("Tiếng Pa Kô")
    CO_TU = "co_tu", _("Tiếng Cơ Tu")


class LeafletTemplate(models.Model):
    """One version of an office's leaflet text in one language. An edit adds a version; the
    latest version per language is printed. The text holds the placeholders of `leaflets.py`,
    which the policy engine fills for the day of printing, so the numbers are never out of date.
    """

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(_("ngôn ngữ"), max_length=8, choices=LeafletLanguage.choices)
    version = models.PositiveIntegerField(_("phiên bản"))
    title = models.CharField(_("tiêu đề"), max_length=200)
    body = models.TextField(_("nội dung"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mẫu tờ rơi")
        verbose_name_plural = _("mẫu tờ rơi")
        ordering = ["language", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["office", "language", "version"],
                                    name="leaflet_one_version"),
        ]

    def __str__(self) -> str:
        return f"{self.get_language_display()} v{self.version}"


class OutreachSettings(models.Model):
    """The office's own choices for outreach reports: operational, not law."""

    office = models.OneToOneField(Office, on_delete=models.CASCADE,
                                  related_name="outreach_settings")
    attribution_days = models.PositiveSmallIntegerField(
        _("số ngày tính công vận động"), default=90,
        help_text=_("Người đăng ký trong số ngày này sau một lần tiếp xúc được tính cho lần "
                    "tiếp xúc đó"),
    )
    recent_compulsory_days = models.PositiveSmallIntegerField(
        _("mới rời BHXH bắt buộc trong (ngày)"), default=365,
    )

    class Meta:
        verbose_name = _("thiết lập vận động")
        verbose_name_plural = _("thiết lập vận động")

    def __str__(self) -> str:
        return f"{self.office_id}: {self.attribution_days}"


def settings_for(office_id: int | None) -> OutreachSettings:
    """The office's settings, or the defaults when it has none (not saved)."""
    found = OutreachSettings.objects.filter(office_id=office_id).first() if office_id else None
    return found or OutreachSettings(office_id=office_id)  # type: ignore[misc]


scoping.register(Event, "office", "village")
scoping.register(Contact, "office", "village", agent_user_path="owner")
# contacts carry the follow-ups (next_follow_up_on, owner, follow_up_done)
personal.register_section("contacts", lambda person: Contact.objects.filter(person=person))


class Priority(models.Model):
    """A person's place on the worklists of their village, precomputed (`priority.py`): one row
    per person with any village-based reason (late, paused, due, at risk, never visited), for
    both spans. Follow-ups are not here: they belong to a user, and are read live.

    Reasons are stored as data, ``[points, kind, code, params]`` (`worklist.reason_text`
    translates them when a page shows them). Rows are rewritten by the write path in the
    transaction of the write (`priority.refresh_persons`) and carried forward nightly
    (`priority.refresh_office`): reasons that depend on the day (months late, a deadline
    within the span, the windows of the at-risk reasons, a prospect's age) are those of
    ``as_of`` until the person's `PriorityRecheck` day."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="+")
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="+")
    participation_id = models.BigIntegerField(null=True)
    as_of = models.DateField()
    # the week's list (today … today + 6)
    score = models.IntegerField()
    kinds = models.CharField(max_length=80)  # ",late,risk," so that a kind filters by contains
    reasons = models.JSONField(default=list)
    collect = models.BooleanField(default=False)
    # today's list: null when the person is on the week's list only (a deadline after today)
    score_today = models.IntegerField(null=True)
    kinds_today = models.CharField(max_length=80, default="")
    reasons_today = models.JSONField(default=list)
    collect_today = models.BooleanField(default=False)
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("thứ tự ưu tiên")
        verbose_name_plural = _("thứ tự ưu tiên")
        indexes = [
            # an agent's worklist, one village at a time: the best first, a page at a time
            models.Index("village", models.F("score").desc(), "person",
                         name="priority_village_week_idx"),
            models.Index("village", models.F("score_today").desc(), "person",
                         name="priority_village_today_idx"),
            # the nightly refresh: an office's rows
            models.Index(fields=["office", "village"], name="priority_office_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.score}"


class PriorityRecheck(models.Model):
    """The first day a person's village-based lines may change with no write in between (a
    deadline nears or passes, a month begins, the grace or an at-risk window ends, the
    retirement age is reached), whether or not the person has a line today. The nightly
    recomputes these persons, and the persons written since, instead of everyone
    (`priority.refresh_office`)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, primary_key=True,
                                  related_name="+")
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+",
                               db_index=False)
    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="+")
    on = models.DateField()

    class Meta:
        verbose_name = _("ngày tính lại thứ tự ưu tiên")
        verbose_name_plural = _("ngày tính lại thứ tự ưu tiên")
        indexes = [models.Index(fields=["office", "on"], name="priority_recheck_on_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.on}"


class PriorityRefresh(models.Model):
    """A village's `Priority` rows counted, and the day they were last brought to (nightly, or
    by the first read of a day the nightly run missed): a village whose day is not today is
    brought to today before it is read, so a list is never of another day, nor empty because
    its rows were never computed (a seeded or imported register)."""

    # village.priority_refresh: a worklist reads its villages and their counts in one query
    village = models.OneToOneField(Village, on_delete=models.CASCADE, primary_key=True,
                                   related_name="priority_refresh")
    as_of = models.DateField()
    # per span ("week", "today"): {"all": lines, "top": best score, <kind>: lines of that kind}
    # of the stored rows, kept by every refresh, so a list's counts and village order are read
    # here and not counted over the rows
    counts = models.JSONField(default=dict)
    refreshed_at = models.DateTimeField()
    # what the rows depend on besides the persons and the day (the office, its settings, the
    # points): a village computed on another basis is computed in full (`priority.basis`)
    basis = models.CharField(max_length=100, default="")
    # the office's change number read before the rows were computed: the nightly recomputes
    # the persons written since (a bulk import, which does not pass through the write path)
    seq = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("lần tính thứ tự ưu tiên")
        verbose_name_plural = _("lần tính thứ tự ưu tiên")

    def __str__(self) -> str:
        return f"{self.village_id} · {self.as_of}"

# the same person on an event's list twice: the merge keeps one attendance (registry.merging)
merging.link(Contact, twin=("event",), within=Q(event__isnull=False), on_twin="drop")
merging.link(Priority, derived=True)
merging.link(PriorityRecheck, derived=True)
