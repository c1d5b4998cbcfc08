"""The summary tables the dashboards read (docs/summaries.md).

A `Figure` is one cell: what one metric adds up to on one day for one village and one
(organisation, agent), in one family of cells. The single write path keeps the cells current in
the same transaction as the write (`figures.kept_current`); `figures.rebuild` recomputes an
office's cells from the raw rows nightly, and the two must agree exactly (a property test).
"""

from __future__ import annotations

from datetime import date

from django.db import models

from ansinh.core.models import Office

# the `since` of a cell that has no second date
NO_DATE = date(1, 1, 1)


class Family(models.TextChoices):
    """How a metric's cells add up over a window.

    DAY, MONTH, YEAR: every event on its day, and again in its month's and (active only) its
    year's total, so that a window reads whole years and months from the totals and only its
    last month day by day (new, money, household-HI members; active as the net change).
    IN_YEAR / IN_QUARTER / IN_MONTH: a count of distinct participations within one calendar
    period of that kind: a participation adds one on the first day it qualifies within each
    period (rejoined), or belongs to the period's cohort (due, retained).
    BALANCE (active only): the stock at a year's first day, `day` = 1 January, for the years
    through `FigureState.balances_through`: the year totals before it added up, kept so that
    a window reads one cell per village and agent instead of every year since the office
    began.
    """

    DAY = "d", "day"
    MONTH = "M", "month total"
    YEAR = "Y", "year total"
    IN_YEAR = "y", "in a year"
    IN_QUARTER = "q", "in a quarter"
    IN_MONTH = "m", "in a month"
    ON_DAY = "n", "on the rebuild's day"
    BALANCE = "b", "the stock at the year's start"


class Figure(models.Model):
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    # the province of the village (the distribution key; docs/scale.md)
    province_id = models.IntegerField()
    metric = models.CharField(max_length=12)
    family = models.CharField(max_length=1, choices=Family.choices)
    village_id = models.IntegerField()
    # 0 when the participation or receipt has no organisation / agent
    organisation_id = models.IntegerField()
    agent_id = models.IntegerField()
    day = models.DateField()
    # due and retained: the first month the participation had to pay for within the period
    # (NO_DATE: from its beginning); NO_DATE for the other metrics
    since = models.DateField(default=NO_DATE)
    value = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["office", "metric", "family", "day", "since", "village_id",
                        "organisation_id", "agent_id", "province_id"],
                name="figure_one_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.metric}/{self.family} {self.day} v{self.village_id}: {self.value}"


class FigureTotal(models.Model):
    """An office's cells added up over its villages, organisations and agents: one row per
    (office, metric, family, day, since), kept with the cells (`figures.apply` and the
    rebuild). The province page reads these, a few rows per office and month instead of
    every village's (the cells of the day, family ON_DAY, have no totals)."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    province_id = models.IntegerField()
    metric = models.CharField(max_length=12)
    family = models.CharField(max_length=1, choices=Family.choices)
    day = models.DateField()
    since = models.DateField(default=NO_DATE)
    value = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["office", "metric", "family", "day", "since", "province_id"],
                name="figure_total_one_row"),
        ]
        indexes = [models.Index(fields=["province_id", "metric", "family", "day", "since"],
                                name="figure_total_province_idx")]

    def __str__(self) -> str:
        return f"office {self.office_id} {self.metric}/{self.family} {self.day}: {self.value}"


class FigureState(models.Model):
    """An office whose cells are built: the dashboards read them, the writes keep them.

    Cohort figures (due, retained) exist for the periods starting within
    [horizon_start, horizon_end]; another period's are computed from the raw rows.
    """

    office = models.OneToOneField(Office, on_delete=models.CASCADE, primary_key=True,
                                  related_name="+")
    horizon_start = models.DateField()
    horizon_end = models.DateField()
    # the day of the last rebuild: the rankings' 12-month persistence is kept for it, and the
    # register's potential (persons, prospects, poor, minority) is counted on it
    built_on = models.DateField()
    # the last year whose opening stock the cells keep (Family.BALANCE); None: none yet (the
    # active stock is then read from the year totals). The rebuild and the nightly refresh
    # bring it to their day's year.
    balances_through = models.IntegerField(null=True, blank=True)
    rebuilt_at = models.DateTimeField()
    rebuild_seconds = models.FloatField(default=0)
    cells = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"office {self.office_id}: {self.cells} cells, {self.rebuilt_at:%Y-%m-%d %H:%M}"
