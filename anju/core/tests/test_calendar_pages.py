"""The working-day calendar pages: overview, edit pages, deadline calculator, permissions."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from anju.core import worktime
from anju.core.calendar_forms import WINDOWS_FORMAT
from anju.core.models import AuditEvent, CalendarDay, CalendarYear, WorkSchedule
from tests.helpers import table_rows

SHANGHAI = ZoneInfo("Asia/Shanghai")


def zh(message) -> str:
    """A message as the Chinese UI shows it (the locale may or may not translate it yet)."""
    with translation.override("zh-hans"):
        return str(message)


def day_rows(response) -> dict[str, list[str]]:
    return {row[0]: row for row in table_rows(response, "calendar-days")}


def calendar_snapshot():
    return (
        list(CalendarYear.objects.values()),
        list(CalendarDay.objects.values()),
        list(WorkSchedule.objects.values()),
    )


# -- overview ------------------------------------------------------------------------------


def test_overview_shows_the_2026_holidays_and_make_up_days(world, login):
    client = login(world.people.district_staff)

    response = client.get(reverse("core:calendar"), {"year": 2026})

    assert response.status_code == 200
    rows = day_rows(response)
    makeup = rows["2026-02-14"]
    assert makeup[1] == zh(gettext("Saturday"))
    assert makeup[2] == zh(CalendarDay.Kind.MAKEUP_WORKDAY.label)
    assert makeup[3] == "春节"
    festival = rows["2026-02-17"]
    assert festival[2] == zh(CalendarDay.Kind.HOLIDAY.label)
    assert festival[3] == "春节"
    assert "2026-02-13" not in rows  # an ordinary Friday has no row
    html = response.content.decode()
    assert 'class="cal-makeup" title=' in html.split('data-date="2026-02-14"')[0][-200:]
    assert 'class="cal-holiday" title=' in html.split('data-date="2026-02-17"')[0][-200:]
    assert 'class="cal-weekend"' in html.split('data-date="2026-02-08"')[0][-60:]
    assert worktime.NOTICE_2026 in html
    assert 'data-testid="unpublished"' not in html
    assert response.context["workdays"] == sum(
        worktime.calendar().is_workday(date.fromordinal(n))
        for n in range(date(2026, 1, 1).toordinal(), date(2027, 1, 1).toordinal())
    )
    # Viewers see no edit buttons.
    assert 'data-testid="edit-day"' not in html
    assert 'data-testid="create-schedule"' not in html


def test_overview_defaults_to_the_current_year_in_shanghai(world, login):
    client = login(world.people.auditor)

    response = client.get(reverse("core:calendar"))

    assert response.context["year"] == timezone.now().astimezone(SHANGHAI).year


@pytest.mark.parametrize("raw", ["abc", "99999", "-1"])
def test_overview_ignores_a_bad_year(world, login, raw):
    client = login(world.people.auditor)

    response = client.get(reverse("core:calendar"), {"year": raw})

    assert response.status_code == 200
    assert response.context["year"] == timezone.now().astimezone(SHANGHAI).year


def test_unpublished_year_shows_the_provisional_banner(world, login):
    client = login(world.people.fire_handler)

    response = client.get(reverse("core:calendar"), {"year": 2030})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="unpublished"' in html
    assert table_rows(response, "calendar-days") == []


def test_overview_lists_schedules_with_their_windows(world, login):
    client = login(world.people.street_a_officer)

    response = client.get(reverse("core:calendar"))

    [row] = table_rows(response, "schedules")
    assert row[0].startswith("标准工作时间")
    assert row[1] == "2000-01-01 – " + zh(gettext("open-ended"))
    assert f"{zh(gettext('Monday'))} 09:00–12:00, 13:30–17:30" in row[2]
    assert f"{zh(gettext('Sunday'))} —" in row[2]
    assert row[3] == zh(gettext("Monday"))


def test_changer_sees_the_edit_buttons(world, login):
    client = login(world.people.district_admin)

    html = client.get(reverse("core:calendar"), {"year": 2026}).content.decode()

    for testid in ("edit-year", "create-day", "edit-day", "delete-day", "create-schedule"):
        assert f'data-testid="{testid}"' in html
    html = client.get(reverse("core:calendar"), {"year": 2031}).content.decode()
    assert 'data-testid="create-year"' in html


def test_navigation_offers_the_calendar_to_viewers_only(world, login):
    url = reverse("core:calendar")
    client = login(world.people.district_staff)
    assert f'href="{url}"' in client.get(reverse("core:home")).content.decode()
    client = login(world.people.company_x_manager)
    assert f'href="{url}"' not in client.get(reverse("core:home")).content.decode()


# -- years ---------------------------------------------------------------------------------


def test_admin_creates_and_edits_a_year(world, login):
    admin = world.people.district_admin
    client = login(admin)

    created = client.post(
        reverse("core:calendar_year_create"),
        {"year": "2031", "source_doc": "待发布"},
    )

    assert created.status_code == 302
    assert created["Location"] == reverse("core:calendar") + "?year=2031"
    year = CalendarYear.objects.get(year=2031)
    assert not year.published
    event = AuditEvent.objects.get(action="calendar_year.create")
    assert event.actor == admin
    assert event.target_id == str(year.pk)
    assert event.changes["year"] == [None, 2031]

    edited = client.post(
        reverse("core:calendar_year_edit", args=[2031]),
        {"year": "2031", "published": "on", "source_doc": "国务院办公厅通知"},
    )

    assert edited.status_code == 302
    year.refresh_from_db()
    assert year.published
    assert year.source_doc == "国务院办公厅通知"
    event = AuditEvent.objects.get(action="calendar_year.update")
    assert event.changes == {
        "published": [False, True],
        "source_doc": ["待发布", "国务院办公厅通知"],
    }
    assert worktime.calendar().is_published(2031)


def test_create_year_form_is_prefilled_from_the_overview(world, login):
    client = login(world.people.district_admin)

    response = client.get(reverse("core:calendar_year_create"), {"year": "2031"})

    assert response.status_code == 200
    assert response.context["form"]["year"].value() == 2031


def test_duplicate_year_is_refused(world, login):
    client = login(world.people.district_admin)
    before = calendar_snapshot()

    response = client.post(reverse("core:calendar_year_create"), {"year": "2026"})

    assert response.status_code == 400
    expected = zh(gettext("The calendar year %(year)s has already been entered.") % {"year": 2026})
    assert response.context["form"].errors["year"] == [expected]
    assert expected in response.content.decode()
    assert calendar_snapshot() == before
    assert not AuditEvent.objects.exists()


def test_renaming_a_year_onto_another_is_refused(world, login):
    client = login(world.people.district_admin)
    before = calendar_snapshot()

    response = client.post(
        reverse("core:calendar_year_edit", args=[2025]), {"year": "2026", "published": "on"}
    )

    assert response.status_code == 400
    assert "year" in response.context["form"].errors
    assert calendar_snapshot() == before
    assert not AuditEvent.objects.exists()


def test_unknown_year_is_404(world, login):
    client = login(world.people.district_admin)
    assert client.get(reverse("core:calendar_year_edit", args=[2099])).status_code == 404


# -- days ----------------------------------------------------------------------------------


def test_admin_creates_edits_and_deletes_a_day(world, login):
    admin = world.people.district_admin
    client = login(admin)
    assert date(2031, 1, 1).weekday() == 2  # a Wednesday

    created = client.post(
        reverse("core:calendar_day_create"),
        {"date": "2031-01-01", "kind": "holiday", "name": "元旦", "source_doc": "通知"},
    )

    assert created.status_code == 302
    assert created["Location"] == reverse("core:calendar") + "?year=2031"
    day = CalendarDay.objects.get(date=date(2031, 1, 1))
    assert day.kind == "holiday"
    event = AuditEvent.objects.get(action="calendar_day.create")
    assert event.actor == admin
    assert event.changes["date"] == [None, "2031-01-01"]
    assert not worktime.calendar().is_workday(date(2031, 1, 1))

    edited = client.post(
        reverse("core:calendar_day_edit", args=[day.pk]),
        {"date": "2031-01-01", "kind": "holiday", "name": "元旦节", "source_doc": "通知"},
    )

    assert edited.status_code == 302
    day.refresh_from_db()
    assert day.name == "元旦节"
    event = AuditEvent.objects.get(action="calendar_day.update")
    assert event.changes == {"name": ["元旦", "元旦节"]}

    assert client.get(reverse("core:calendar_day_delete", args=[day.pk])).status_code == 405
    deleted = client.post(reverse("core:calendar_day_delete", args=[day.pk]))

    assert deleted.status_code == 302
    assert deleted["Location"] == reverse("core:calendar") + "?year=2031"
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
    event = AuditEvent.objects.get(action="calendar_day.delete")
    assert event.actor == admin
    assert event.target_id == str(day.pk)
    assert event.changes["date"] == ["2031-01-01", None]
    assert worktime.calendar().is_workday(date(2031, 1, 1))


def test_make_up_workday_on_a_weekend_is_accepted(world, login):
    client = login(world.people.neighbour_admin)  # the calendar is shared by every district
    assert date(2031, 1, 4).weekday() == 5

    response = client.post(
        reverse("core:calendar_day_create"),
        {"date": "2031-01-04", "kind": "makeup_workday", "name": "元旦"},
    )

    assert response.status_code == 302
    assert worktime.calendar().is_workday(date(2031, 1, 4))


def test_make_up_workday_on_a_weekday_is_refused(world, login):
    client = login(world.people.district_admin)
    before = calendar_snapshot()
    assert date(2031, 1, 6).weekday() == 0

    response = client.post(
        reverse("core:calendar_day_create"),
        {"date": "2031-01-06", "kind": "makeup_workday", "name": "元旦"},
    )

    assert response.status_code == 400
    expected = zh(gettext("A make-up workday must fall on a Saturday or Sunday."))
    assert response.context["form"].errors["date"] == [expected]
    assert expected in response.content.decode()
    assert calendar_snapshot() == before
    assert not AuditEvent.objects.exists()


def test_turning_a_weekday_holiday_into_a_make_up_day_is_refused(world, login):
    client = login(world.people.district_admin)
    day = CalendarDay.objects.get(date=date(2026, 2, 17))
    before = calendar_snapshot()

    response = client.post(
        reverse("core:calendar_day_edit", args=[day.pk]),
        {"date": "2026-02-17", "kind": "makeup_workday", "name": "春节"},
    )

    assert response.status_code == 400
    assert "date" in response.context["form"].errors
    assert calendar_snapshot() == before
    assert not AuditEvent.objects.exists()


def test_duplicate_date_is_refused(world, login):
    client = login(world.people.district_admin)
    before = calendar_snapshot()

    response = client.post(
        reverse("core:calendar_day_create"),
        {"date": "2026-02-14", "kind": "holiday", "name": "重复"},
    )

    assert response.status_code == 400
    [message] = response.context["form"].errors["date"]
    assert "2026-02-14" in message
    assert message in response.content.decode()
    assert calendar_snapshot() == before
    assert not AuditEvent.objects.exists()


def test_moving_a_day_onto_another_is_refused(world, login):
    client = login(world.people.district_admin)
    day = CalendarDay.objects.get(date=date(2026, 2, 28))
    before = calendar_snapshot()

    response = client.post(
        reverse("core:calendar_day_edit", args=[day.pk]),
        {"date": "2026-02-14", "kind": "makeup_workday", "name": "春节"},
    )

    assert response.status_code == 400
    assert "date" in response.context["form"].errors
    assert calendar_snapshot() == before


def test_day_form_is_prefilled_from_the_query(world, login):
    client = login(world.people.district_admin)

    response = client.get(
        reverse("core:calendar_day_create"), {"date": "2031-10-01", "kind": "holiday"}
    )

    assert response.status_code == 200
    assert 'value="2031-10-01"' in response.content.decode()


# -- schedules -----------------------------------------------------------------------------


def _schedule(**fields):
    data = {
        "name": "夏季作息",
        "valid_from": "2031-05-01",
        "valid_to": "2031-09-30",
        "makeup_weekday": "5",
        "windows_1": "9:00-12:00, 14:00-18:00",
        "windows_2": "09:00-12:00，14:00-18:00",
        "windows_3": "14:00-18:00, 09:00-12:00",
        "windows_4": "09:00-12:00, 14:00-18:00",
        "windows_5": "09:00–12:00",
        "windows_6": "",
        "windows_7": "",
    }
    return {**data, **fields}


def test_admin_creates_a_schedule(world, login):
    admin = world.people.district_admin
    client = login(admin)

    response = client.post(reverse("core:calendar_schedule_create"), _schedule())

    assert response.status_code == 302
    schedule = WorkSchedule.objects.get(name="夏季作息")
    summer = [["09:00", "12:00"], ["14:00", "18:00"]]
    assert schedule.windows == {"1": summer, "2": summer, "3": summer, "4": summer, "5": summer[:1]}
    assert schedule.makeup_weekday == 5
    assert schedule.valid_to == date(2031, 9, 30)
    event = AuditEvent.objects.get(action="work_schedule.create")
    assert event.actor == admin
    # The deadline arithmetic follows the new schedule on its dates.
    windows = worktime.calendar().windows(date(2031, 6, 2))
    assert [(a.hour, b.hour) for a, b in windows] == [(9, 12), (14, 18)]


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("windows_1", "9-12"),
        ("windows_2", "09:00-12:00, 11:00-13:00"),
        ("windows_3", "12:00-09:00"),
        ("windows_4", "25:00-26:00"),
        ("windows_7", "上午"),
    ],
)
def test_malformed_windows_are_shown_on_their_weekday(world, login, field, text):
    client = login(world.people.district_admin)
    before = calendar_snapshot()

    response = client.post(reverse("core:calendar_schedule_create"), _schedule(**{field: text}))

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert errors[field] == [zh(WINDOWS_FORMAT)]
    assert zh(WINDOWS_FORMAT) in response.content.decode()
    assert calendar_snapshot() == before
    assert not AuditEvent.objects.exists()


def test_schedule_end_before_start_is_refused(world, login):
    client = login(world.people.district_admin)
    before = calendar_snapshot()

    response = client.post(
        reverse("core:calendar_schedule_create"), _schedule(valid_to="2031-04-30")
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["valid_to"]
    assert calendar_snapshot() == before


def test_admin_edits_the_standard_schedule(world, login):
    client = login(world.people.district_admin)
    schedule = WorkSchedule.objects.get()

    page = client.get(reverse("core:calendar_schedule_edit", args=[schedule.pk]))
    assert page.context["form"]["windows_1"].value() == "09:00-12:00, 13:30-17:30"
    assert page.context["form"]["windows_6"].value() == ""

    response = client.post(
        reverse("core:calendar_schedule_edit", args=[schedule.pk]),
        {
            "name": schedule.name,
            "valid_from": "2000-01-01",
            "valid_to": "",
            "makeup_weekday": "1",
            **{f"windows_{n}": "09:00-12:00, 13:30-17:30" for n in range(1, 5)},
            "windows_5": "09:00-12:00, 13:30-16:30",
        },
    )

    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.windows["5"] == [["09:00", "12:00"], ["13:30", "16:30"]]
    event = AuditEvent.objects.get(action="work_schedule.update")
    assert list(event.changes) == ["windows"]


# -- deadline calculator -------------------------------------------------------------------


def check(client, **params):
    return client.get(reverse("core:calendar_check"), params)


def test_calculator_adds_working_minutes_across_a_make_up_saturday(world, login):
    client = login(world.people.fire_handler)

    response = check(
        client, start_date="2026-02-13", start_time="17:00", amount="240", unit="minutes"
    )

    assert response.status_code == 200
    result = response.context["result"]
    assert result["at"] == datetime(2026, 2, 14, 14, 0, tzinfo=SHANGHAI)
    assert not result["due"].provisional
    html = response.content.decode()
    assert "2026-02-14 14:00" in html
    assert 'data-testid="final"' in html
    assert result["lines"] == worktime.explain(result["due"].trace())
    assert result["lines"]
    for line in result["lines"]:
        assert escape(line) in html


def test_calculator_adds_working_days_over_the_spring_festival(world, login):
    client = login(world.people.auditor)

    response = check(client, start_date="2026-02-13", start_time="10:00", amount="3", unit="days")

    result = response.context["result"]
    assert result["at"] == datetime(2026, 2, 25, 17, 30, tzinfo=SHANGHAI)
    assert result["weekday"] == zh(gettext("Wednesday"))
    assert "2026-02-25 17:30" in response.content.decode()
    assert result["lines"] == worktime.explain(result["due"].trace())


def test_calculator_marks_deadlines_in_unpublished_years_provisional(world, login):
    client = login(world.people.street_a_officer)

    response = check(client, start_date="2030-03-01", start_time="09:00", amount="5", unit="days")

    assert response.context["result"]["due"].provisional
    assert 'data-testid="provisional"' in response.content.decode()


def test_calculator_without_input_shows_an_empty_form(world, login):
    client = login(world.people.district_staff)

    response = client.get(reverse("core:calendar_check"))

    assert response.status_code == 200
    assert response.context["result"] is None
    assert not response.context["form"].errors


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2026-02-30", "start_time": "09:00", "amount": "3", "unit": "days"},
        {"start_date": "2026-02-13", "start_time": "25:00", "amount": "3", "unit": "days"},
        {"start_date": "2026-02-13", "start_time": "09:00", "amount": "abc", "unit": "days"},
        {"start_date": "2026-02-13", "start_time": "09:00", "amount": "0", "unit": "minutes"},
        {"start_date": "2026-02-13", "start_time": "09:00", "amount": "9999", "unit": "days"},
        {"start_date": "2026-02-13", "start_time": "09:00", "amount": "3", "unit": "weeks"},
        {"start_date": "9999-12-31", "start_time": "09:00", "amount": "3", "unit": "days"},
        {"amount": "3"},
    ],
)
def test_calculator_refuses_bad_input_with_a_message(world, login, params):
    client = login(world.people.district_admin)

    response = check(client, **params)

    assert response.status_code == 200
    assert response.context["result"] is None
    assert response.context["form"].errors
    assert "invalid-feedback" in response.content.decode()


def test_calculator_gives_up_beyond_the_horizon(world, login):
    client = login(world.people.district_admin)
    WorkSchedule.objects.update(windows={})  # nobody ever works

    response = check(client, start_date="2026-02-13", start_time="09:00", amount="1", unit="days")

    assert response.status_code == 200
    assert response.context["result"] is None
    assert "amount" in response.context["form"].errors


# -- permissions ---------------------------------------------------------------------------

VIEW_PAGES = ["core:calendar", "core:calendar_check"]


def change_requests(world):
    day = CalendarDay.objects.get(date=date(2026, 2, 14))
    schedule = WorkSchedule.objects.get()
    return [
        ("core:calendar_year_create", [], {"year": "2031"}),
        ("core:calendar_year_edit", [2026], {"year": "2026", "published": ""}),
        ("core:calendar_day_create", [], {"date": "2031-01-01", "kind": "holiday"}),
        ("core:calendar_day_edit", [day.pk], {"date": "2026-02-14", "kind": "holiday"}),
        ("core:calendar_day_delete", [day.pk], {}),
        ("core:calendar_schedule_create", [], _schedule()),
        ("core:calendar_schedule_edit", [schedule.pk], _schedule()),
    ]


@pytest.mark.parametrize("persona", ["company_x_manager", "owner_unit_101", "grid_a1_worker"])
def test_roles_without_the_view_action_get_403(world, login, persona):
    client = login(getattr(world.people, persona))
    before = calendar_snapshot()

    for name in VIEW_PAGES:
        assert client.get(reverse(name)).status_code == 403, name
    for name, args, data in change_requests(world):
        url = reverse(name, args=args)
        assert client.get(url).status_code in {403, 405}, name
        assert client.post(url, data).status_code == 403, name

    assert calendar_snapshot() == before
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    "persona", ["district_staff", "auditor", "street_a_officer", "fire_handler"]
)
def test_viewers_may_look_but_not_change(world, login, persona):
    client = login(getattr(world.people, persona))
    before = calendar_snapshot()

    for name in VIEW_PAGES:
        assert client.get(reverse(name)).status_code == 200, name
    for name, args, data in change_requests(world):
        url = reverse(name, args=args)
        assert client.get(url).status_code in {403, 405}, name
        assert client.post(url, data).status_code == 403, name

    assert calendar_snapshot() == before
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("persona", ["district_admin", "neighbour_admin"])
def test_every_district_admin_may_open_the_change_pages(world, login, persona):
    client = login(getattr(world.people, persona))

    for name, args, _data in change_requests(world):
        if name != "core:calendar_day_delete":
            assert client.get(reverse(name, args=args)).status_code == 200, name


def test_anonymous_visitors_are_sent_to_login(db, client):
    names = [
        ("core:calendar", []),
        ("core:calendar_check", []),
        ("core:calendar_year_create", []),
        ("core:calendar_year_edit", [2026]),
        ("core:calendar_day_create", []),
        ("core:calendar_day_edit", [1]),
        ("core:calendar_day_delete", [1]),
        ("core:calendar_schedule_create", []),
        ("core:calendar_schedule_edit", [1]),
    ]
    before = calendar_snapshot()
    for name, args in names:
        url = reverse(name, args=args)
        for response in (client.get(url), client.post(url, {"year": "2031"})):
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("accounts:login"))
    assert calendar_snapshot() == before


def test_calendar_changes_appear_in_every_districts_audit_log(world):
    from anju.core.calendar_services import day_create
    from anju.core.views import audit_policy

    day = day_create(
        actor=world.people.district_admin,
        data={"date": date(2026, 3, 2), "kind": "holiday", "name": "测试", "source_doc": ""},
    )
    event = AuditEvent.objects.get(action="calendar_day.create", target_id=str(day.pk))
    assert event.region_code == ""
    for persona in ("district_admin", "auditor", "neighbour_admin"):
        actor = getattr(world.people, persona)
        assert audit_policy.visible(actor).filter(pk=event.pk).exists(), persona
    assert not audit_policy.visible(world.people.street_a_officer).filter(pk=event.pk).exists()
    # Other region-less events stay hidden.
    other = AuditEvent.objects.create(action="estate.update", target_type="x", region_code="")
    assert not audit_policy.visible(world.people.district_admin).filter(pk=other.pk).exists()
