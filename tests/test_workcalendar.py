from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest
from dateutil import tz as dateutil_tz

from bot.domain.workcalendar import REGIONS, WorkingCalendar

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
UTC = timezone.utc
EVERY_DAY = frozenset(range(7))

office = WorkingCalendar()
scotland = WorkingCalendar(region="Scotland")
northern_ireland = WorkingCalendar(region="Northern Ireland")
seven_days = WorkingCalendar(workdays=EVERY_DAY)
night_shift = WorkingCalendar(start=time(0, 0), end=time(6, 0), workdays=EVERY_DAY)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Working time


def test_a_weekday_inside_office_hours_is_working_time():
    assert office.is_working_time(london(2027, 3, 3, 9, 0), LONDON)
    assert office.is_working_time(london(2027, 3, 3, 16, 59), LONDON)


def test_a_weekday_outside_office_hours_is_not_working_time():
    assert not office.is_working_time(london(2027, 3, 3, 8, 59), LONDON)
    assert not office.is_working_time(london(2027, 3, 3, 17, 0), LONDON)
    assert not office.is_working_time(london(2027, 3, 3, 23, 30), LONDON)


def test_weekends_and_bank_holidays_are_not_working_days():
    assert not office.is_working_day(date(2027, 3, 6))
    assert not office.is_working_day(date(2027, 3, 29))
    assert office.is_holiday(date(2027, 3, 29))
    assert office.is_working_day(date(2027, 3, 30))


def test_working_time_is_judged_in_the_given_time_zone():
    monday_10_utc = utc(2027, 3, 1, 10, 0)
    assert office.is_working_time(monday_10_utc, LONDON)
    assert not office.is_working_time(monday_10_utc, NEW_YORK)
    assert office.is_working_time(monday_10_utc, KOLKATA)


# Next working time


def test_a_moment_in_working_time_is_its_own_next_working_time():
    moment = london(2027, 3, 3, 11, 15)
    assert office.next_working_time(moment, LONDON) == utc(2027, 3, 3, 11, 15)


def test_saturday_3am_waits_until_monday_9am():
    assert office.next_working_time(london(2027, 3, 6, 3, 0), LONDON) == utc(2027, 3, 8, 9, 0)


def test_after_hours_on_a_weekday_waits_until_the_next_morning():
    assert office.next_working_time(london(2027, 3, 3, 17, 0), LONDON) == utc(2027, 3, 4, 9, 0)


def test_before_hours_on_a_weekday_waits_until_that_morning():
    assert office.next_working_time(london(2027, 3, 3, 6, 0), LONDON) == utc(2027, 3, 3, 9, 0)


def test_the_result_is_always_utc():
    result = office.next_working_time(datetime(2027, 3, 6, 3, 0, tzinfo=KOLKATA), KOLKATA)
    assert result.tzinfo is UTC


def test_a_new_york_user_is_reached_at_their_9am():
    # US clocks change on 14 March 2027, two weeks before the UK's.
    assert office.next_working_time(utc(2027, 3, 6, 8, 0), NEW_YORK) == utc(2027, 3, 8, 14, 0)
    assert office.next_working_time(utc(2027, 3, 20, 8, 0), NEW_YORK) == utc(2027, 3, 22, 13, 0)


def test_a_kolkata_user_is_reached_at_their_9am():
    assert office.next_working_time(utc(2027, 3, 3, 12, 0), KOLKATA) == utc(2027, 3, 4, 3, 30)
    result = office.next_working_time(utc(2027, 3, 3, 12, 0), KOLKATA)
    assert result.astimezone(KOLKATA).time() == time(9, 0)


# Adding working hours


def test_friday_4pm_plus_two_working_hours_is_monday_10am():
    assert office.add_working_hours(london(2027, 3, 5, 16, 0), 2, LONDON) == utc(2027, 3, 8, 10, 0)


def test_adding_hours_within_a_day_stays_on_that_day():
    assert office.add_working_hours(london(2027, 3, 3, 9, 30), 2.5, LONDON) == utc(2027, 3, 3, 12, 0)


def test_adding_hours_from_outside_working_time_starts_counting_at_the_next_working_time():
    assert office.add_working_hours(london(2027, 3, 6, 3, 0), 2, LONDON) == utc(2027, 3, 8, 11, 0)


def test_hours_running_out_exactly_at_close_land_at_the_next_opening():
    assert office.add_working_hours(london(2027, 3, 5, 16, 0), 1, LONDON) == utc(2027, 3, 8, 9, 0)


def test_adding_more_than_a_days_hours_spans_several_days():
    assert office.add_working_hours(london(2027, 3, 3, 9, 0), 20, LONDON) == utc(2027, 3, 5, 13, 0)


def test_the_easter_weekend_and_clock_change_are_skipped():
    # Good Friday 26 March, clocks forward 28 March, Easter Monday 29 March 2027.
    result = office.add_working_hours(london(2027, 3, 25, 16, 0), 2, LONDON)
    assert result == utc(2027, 3, 30, 9, 0)
    assert result.astimezone(LONDON) == london(2027, 3, 30, 10, 0)


def test_the_late_may_bank_holiday_is_skipped():
    assert office.add_working_hours(london(2027, 5, 28, 16, 0), 2, LONDON) == utc(2027, 6, 1, 9, 0)


def test_christmas_and_boxing_day_substitutes_are_skipped_when_both_fall_at_the_weekend():
    # 25 and 26 December 2027 are a Saturday and Sunday; the 27th and 28th are the bank holidays.
    assert office.is_holiday(date(2027, 12, 27))
    assert office.is_holiday(date(2027, 12, 28))
    assert office.add_working_hours(london(2027, 12, 24, 16, 0), 2, LONDON) == utc(2027, 12, 29, 10, 0)


def test_christmas_and_boxing_day_on_weekdays_are_skipped():
    # 25 December 2026 is a Friday, so Boxing Day's substitute is Monday 28th.
    assert office.add_working_hours(london(2026, 12, 24, 16, 0), 2, LONDON) == utc(2026, 12, 29, 10, 0)


def test_negative_hours_are_rejected():
    with pytest.raises(ValueError, match="negative"):
        office.add_working_hours(london(2027, 3, 3, 10, 0), -1, LONDON)


# Regions


def test_every_region_maps_to_a_uk_subdivision():
    assert REGIONS == {
        "England and Wales": "ENG",
        "England": "ENG",
        "Wales": "WLS",
        "Scotland": "SCT",
        "Northern Ireland": "NIR",
    }


def test_scotland_takes_2_january_off_but_england_does_not():
    new_years_eve = london(2025, 12, 31, 16, 0)
    assert scotland.add_working_hours(new_years_eve, 2, LONDON) == utc(2026, 1, 5, 10, 0)
    assert office.add_working_hours(new_years_eve, 2, LONDON) == utc(2026, 1, 2, 10, 0)


def test_scotland_moves_2_january_to_monday_when_it_falls_on_a_saturday():
    assert scotland.is_holiday(date(2027, 1, 4))
    assert not office.is_holiday(date(2027, 1, 4))


def test_scotland_takes_st_andrews_day_off_but_england_does_not():
    monday = london(2027, 11, 29, 16, 0)
    assert scotland.add_working_hours(monday, 2, LONDON) == utc(2027, 12, 1, 10, 0)
    assert office.add_working_hours(monday, 2, LONDON) == utc(2027, 11, 30, 10, 0)


def test_scotland_works_on_easter_monday():
    assert scotland.is_working_day(date(2027, 3, 29))


def test_northern_ireland_takes_st_patricks_day_off_but_england_does_not():
    tuesday = london(2027, 3, 16, 16, 0)
    assert northern_ireland.add_working_hours(tuesday, 2, LONDON) == utc(2027, 3, 18, 10, 0)
    assert office.add_working_hours(tuesday, 2, LONDON) == utc(2027, 3, 17, 10, 0)


def test_wales_has_the_same_bank_holidays_as_england():
    wales = WorkingCalendar(region="Wales")
    england = WorkingCalendar(region="England")
    for day in (date(2027, 3, 29), date(2027, 8, 30), date(2027, 12, 28), date(2027, 3, 17)):
        assert wales.is_holiday(day) == england.is_holiday(day) == office.is_holiday(day)


# Clock changes in Europe/London


def test_monday_after_clocks_go_forward_opens_at_8am_utc():
    assert scotland.next_working_time(utc(2027, 3, 27, 12, 0), LONDON) == utc(2027, 3, 29, 8, 0)


def test_monday_after_clocks_go_back_opens_at_9am_utc():
    assert office.add_working_hours(london(2027, 10, 29, 16, 0), 2, LONDON) == utc(2027, 11, 1, 10, 0)


def test_sunday_when_clocks_go_forward_still_opens_at_9am_local():
    result = seven_days.add_working_hours(london(2027, 3, 27, 16, 0), 2, LONDON)
    assert result == utc(2027, 3, 28, 9, 0)
    assert result.astimezone(LONDON) == london(2027, 3, 28, 10, 0)


@pytest.mark.parametrize("zone", [LONDON, dateutil_tz.gettz("Europe/London")], ids=["zoneinfo", "dateutil"])
def test_sunday_when_clocks_go_back_still_opens_at_9am_local(zone):
    saturday_4pm_bst = utc(2027, 10, 30, 15, 0)
    result = seven_days.add_working_hours(saturday_4pm_bst, 2, zone)
    assert result == utc(2027, 10, 31, 10, 0)
    assert result.astimezone(zone).time() == time(10, 0)


def test_a_working_day_on_a_clock_change_is_still_eight_hours():
    assert seven_days.working_hours_between(utc(2027, 3, 28, 0, 0), utc(2027, 3, 28, 23, 0), LONDON) == 8
    assert seven_days.working_hours_between(utc(2027, 10, 31, 0, 0), utc(2027, 10, 31, 23, 0), LONDON) == 8


def test_working_hours_are_wall_clock_hours_when_a_shift_spans_the_clocks_going_forward():
    # 00:00-06:00 on 28 March 2027 is six wall-clock hours but only five real ones.
    assert night_shift.working_hours_between(utc(2027, 3, 28, 0, 0), utc(2027, 3, 28, 5, 0), LONDON) == 6
    result = night_shift.add_working_hours(utc(2027, 3, 28, 0, 0), 3, LONDON)
    assert result == utc(2027, 3, 28, 2, 0)
    assert result.astimezone(LONDON).time() == time(3, 0)


def test_the_repeated_hour_when_clocks_go_back_is_counted_from_the_right_pass():
    first_pass_0110 = utc(2027, 10, 31, 0, 10)
    second_pass_0110 = utc(2027, 10, 31, 1, 10)
    assert night_shift.add_working_hours(first_pass_0110, 0.5, LONDON) == utc(2027, 10, 31, 0, 40)
    assert night_shift.add_working_hours(second_pass_0110, 0.5, LONDON) == utc(2027, 10, 31, 1, 40)
    assert night_shift.next_working_time(second_pass_0110, LONDON) == second_pass_0110


# Adding working days


def test_one_working_day_after_friday_is_monday():
    assert office.add_working_days(date(2027, 3, 5), 1) == date(2027, 3, 8)


def test_five_working_days_after_monday_is_the_next_monday():
    assert office.add_working_days(date(2027, 3, 1), 5) == date(2027, 3, 8)


def test_working_days_skip_the_easter_bank_holidays():
    assert office.add_working_days(date(2027, 3, 25), 1) == date(2027, 3, 30)
    assert scotland.add_working_days(date(2027, 3, 25), 1) == date(2027, 3, 29)


def test_working_days_skip_christmas_substitute_days():
    assert office.add_working_days(date(2027, 12, 24), 1) == date(2027, 12, 29)


def test_zero_working_days_from_a_working_day_is_that_day():
    assert office.add_working_days(date(2027, 3, 3), 0) == date(2027, 3, 3)


def test_zero_working_days_from_a_weekend_is_the_next_working_day():
    assert office.add_working_days(date(2027, 3, 6), 0) == date(2027, 3, 8)
    assert office.add_working_days(date(2027, 3, 27), 0) == date(2027, 3, 30)


def test_negative_working_days_are_rejected():
    with pytest.raises(ValueError, match="negative"):
        office.add_working_days(date(2027, 3, 3), -1)


# Working hours between two moments


def test_friday_4pm_to_monday_10am_is_two_working_hours():
    assert office.working_hours_between(london(2027, 3, 5, 16, 0), london(2027, 3, 8, 10, 0), LONDON) == 2


def test_hours_within_one_working_day_are_counted_exactly():
    assert office.working_hours_between(london(2027, 3, 3, 9, 30), london(2027, 3, 3, 12, 0), LONDON) == 2.5


def test_a_weekend_holds_no_working_hours():
    assert office.working_hours_between(london(2027, 3, 5, 17, 0), london(2027, 3, 8, 9, 0), LONDON) == 0


def test_the_easter_weekend_holds_no_working_hours():
    assert office.working_hours_between(london(2027, 3, 25, 9, 0), london(2027, 3, 30, 17, 0), LONDON) == 16


def test_later_before_earlier_gives_zero_hours():
    assert office.working_hours_between(london(2027, 3, 3, 12, 0), london(2027, 3, 3, 10, 0), LONDON) == 0
    assert office.working_hours_between(london(2027, 3, 3, 12, 0), london(2027, 3, 3, 12, 0), LONDON) == 0


@pytest.mark.parametrize("hours", [0.25, 1, 7.5, 8, 13, 40])
@pytest.mark.parametrize("start", [london(2027, 3, 25, 10, 0), london(2027, 12, 23, 15, 45), london(2027, 10, 29, 9, 0)])
def test_working_hours_between_undoes_add_working_hours(start, hours):
    assert office.working_hours_between(start, office.add_working_hours(start, hours, LONDON), LONDON) == hours


# Validation


def test_naive_datetimes_are_rejected():
    naive = datetime(2027, 3, 3, 10, 0)
    aware = london(2027, 3, 3, 10, 0)
    calls = [
        lambda: office.is_working_time(naive, LONDON),
        lambda: office.next_working_time(naive, LONDON),
        lambda: office.add_working_hours(naive, 1, LONDON),
        lambda: office.working_hours_between(naive, aware, LONDON),
        lambda: office.working_hours_between(aware, naive, LONDON),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="timezone-aware"):
            call()


def test_an_unknown_region_is_rejected_naming_the_allowed_regions():
    with pytest.raises(ValueError, match="England and Wales, England, Wales, Scotland, Northern Ireland"):
        WorkingCalendar(region="Isle of Man")


def test_start_must_be_before_end():
    with pytest.raises(ValueError, match="before"):
        WorkingCalendar(start=time(17, 0), end=time(9, 0))
    with pytest.raises(ValueError, match="before"):
        WorkingCalendar(start=time(9, 0), end=time(9, 0))


def test_a_calendar_without_workdays_is_rejected():
    with pytest.raises(ValueError, match="workday"):
        WorkingCalendar(workdays=frozenset())


def test_workdays_outside_monday_to_sunday_are_rejected():
    with pytest.raises(ValueError, match="workdays"):
        WorkingCalendar(workdays=frozenset({0, 7}))


def test_workdays_given_as_a_set_are_stored_frozen():
    calendar = WorkingCalendar(workdays={0, 2, 4})
    assert calendar.workdays == frozenset({0, 2, 4})
    assert hash(calendar) == hash(WorkingCalendar(workdays=frozenset({0, 2, 4})))


def test_is_holiday_refuses_a_datetime():
    with pytest.raises(TypeError):
        office.is_holiday(datetime(2027, 12, 27, 10, 0))


def test_warming_up_the_record_service_loads_this_years_bank_holidays(joinedup):
    from bot.domain.workcalendar import _bank_holidays

    _bank_holidays.cache_clear()
    joinedup.services.records.warm()

    assert _bank_holidays.cache_info().currsize >= 1
