"""Plain factory functions for the heat-ranking tests."""

import datetime
import io

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from cases.models import EditionStatus, UnitLevel
from judging.heat.models import (
    HeatCoverage,
    HeatItem,
    HeatList,
    HeatPeriod,
    HeatSeries,
    MentionCount,
    Outlet,
)
from tests.factories import make_edition, make_programme, make_unit, make_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def make_series(*, programme=None, platforms="微博\n微信\n抖音", **fields):
    return HeatSeries.objects.create(
        programme=programme or make_programme(slug="jingchu"), platforms=platforms, **fields
    )


def make_period(*, series=None, month=datetime.date(2023, 3, 1), slug=None, **edition_fields):
    series = series or make_series()
    edition_fields.setdefault("status", EditionStatus.DECIDING)
    edition = make_edition(
        programme=series.programme,
        year=month.year,
        title=f"{month.year}年{month.month}月",
        slug=slug or f"{month:%Y-%m}",
        **edition_fields,
    )
    return HeatPeriod.objects.create(series=series, edition=edition, month=month)


def make_list(*, period, level=UnitLevel.PROVINCIAL, kind="case", order=0):
    return HeatList.objects.create(period=period, level=level, kind=kind, order=order)


def make_item(*, heat_list, unit=None, title=None, **fields):
    unit = unit or make_unit(level=heat_list.level)
    return HeatItem.objects.create(
        list=heat_list, unit=unit, title=title or f"{unit.name}的案例", **fields
    )


def make_outlet(name, level="central"):
    return Outlet.objects.get_or_create(name=name, defaults={"level": level})[0]


def add_coverage(item, *outlets):
    for outlet in outlets:
        HeatCoverage.objects.create(item=item, outlet=outlet)


def add_mentions(item, **counts):
    for platform, count in counts.items():
        MentionCount.objects.create(item=item, platform=platform, count=count)


def xlsx_upload(rows, name="mentions.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def csv_upload(text, name="mentions.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


def heat_organiser(*codenames, **fields):
    """A staff user (back-office login) holding only the given judging permissions."""
    user = make_user(is_staff=True, is_superuser=False, **fields)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="judging", codename__in=codenames)
    )
    return user
