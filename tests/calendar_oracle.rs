//! Checks the built-in holiday data against an independent source: PyPI `chinesecalendar`
//! 1.11.0, dumped by `tools/oracle/dump_chinesecalendar.py` into
//! `tests/fixtures/chinesecalendar-1.11.0.tsv`. Every date 2004-01-01..=2026-12-31 must agree on
//! whether it is a working day, except the documented exceptions below, each decided against
//! the State Council's notice (see docs/calendar.md). The test also fails when a documented
//! exception no longer disagrees, so the list stays true.

use minyi::calendar::{Calendar, Date};

const FIXTURE: &str = include_str!("fixtures/chinesecalendar-1.11.0.tsv");

/// Dates where the crate and the oracle disagree, with the crate's value and the reason.
const EXCEPTIONS: &[(&str, bool, &str)] = &[(
    "2005-12-31",
    true,
    "国务院办公厅关于2006年部分节假日安排的通知（国办发明电〔2005〕35号）: 元旦 1月1日—3日放假, \
     “12月31日（星期六）上班”. chinesecalendar 1.11.0 has this Saturday as a rest day.",
)];

#[test]
fn builtin_agrees_with_chinesecalendar_except_documented_cases() {
    let cal = Calendar::builtin();
    let mut checked = 0;
    let mut undocumented = Vec::new();
    let mut seen_exceptions = Vec::new();
    for line in FIXTURE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut cols = line.split('\t');
        let (date_s, work_s) = (cols.next().unwrap_or(""), cols.next().unwrap_or(""));
        let date: Date = date_s.parse().expect("fixture date");
        let oracle = work_s == "1";
        let ours = cal.is_working_day(date);
        assert!(!cal.day(date).provisional, "{date} should be covered");
        checked += 1;
        if ours == oracle {
            continue;
        }
        match EXCEPTIONS.iter().find(|(d, _, _)| *d == date_s) {
            Some((_, expected, _)) => {
                assert_eq!(
                    ours, *expected,
                    "{date}: documented exception has the wrong value"
                );
                seen_exceptions.push(date_s.to_string());
            }
            None => undocumented.push(format!("{date}: crate {ours}, chinesecalendar {oracle}")),
        }
    }
    assert_eq!(checked, 8401, "fixture covers 2004-01-01..=2026-12-31");
    assert!(
        undocumented.is_empty(),
        "undocumented disagreements:\n{}",
        undocumented.join("\n")
    );
    for (d, _, why) in EXCEPTIONS {
        assert!(
            seen_exceptions.iter().any(|s| s == d),
            "documented exception {d} no longer disagrees ({why}); remove it"
        );
    }
}
