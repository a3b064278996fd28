#!/usr/bin/env python3
"""Dump PyPI `chinesecalendar` (an independent holiday source) as a test fixture.

Writes one line per date 2004-01-01..2026-12-31: ``date<TAB>is_workday<TAB>holiday``
where ``is_workday`` is 1 or 0 and ``holiday`` is the package's English holiday name
(``Holiday.*.value``) when the date is a statutory holiday, else empty.

Usage: python3 tools/oracle/dump_chinesecalendar.py [OUT]
(default OUT: tests/fixtures/chinesecalendar-<version>.tsv). The fixture is committed;
tests/calendar_oracle.rs reads it.
"""
import datetime
import sys
from importlib.metadata import version

import chinese_calendar

VERSION = version("chinesecalendar")
FIRST = datetime.date(2004, 1, 1)
LAST = datetime.date(2026, 12, 31)


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else f"tests/fixtures/chinesecalendar-{VERSION}.tsv"
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write(f"# chinesecalendar {VERSION}: date, is_workday (1/0), holiday name\n")
        day = FIRST
        while day <= LAST:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            workday = chinese_calendar.is_workday(day)
            label = name if (on_holiday and name) else ""
            f.write(f"{day.isoformat()}\t{1 if workday else 0}\t{label}\n")
            day += datetime.timedelta(days=1)


if __name__ == "__main__":
    main()
