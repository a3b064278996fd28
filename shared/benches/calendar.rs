//! Calendar benchmarks: working-day arithmetic must cost the same for N = 1 and N = 250.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use minyi::calendar::{BEIJING, Calendar, Date, Limit, OfficeHours};

fn bench(c: &mut Criterion) {
    let cal = Calendar::builtin();
    let start = Date::constant(2025, 9, 26);
    for n in [1u32, 15, 250] {
        c.bench_function(&format!("add_working_days/{n}"), |b| {
            b.iter(|| cal.add_working_days(black_box(start), black_box(n)))
        });
        let end = cal.add_working_days(start, n).unwrap_or(start);
        c.bench_function(&format!("working_days_between/{n}"), |b| {
            b.iter(|| cal.working_days_between(black_box(start), black_box(end)))
        });
    }
    let hours = OfficeHours::default();
    let received = BEIJING
        .to_timestamp(start.at(16, 0, 0, 0))
        .unwrap_or(minyi::calendar::Timestamp::UNIX_EPOCH);
    for limit in [Limit::WorkingDays(5), Limit::WorkingHours(3)] {
        c.bench_function(&format!("deadline/{limit:?}"), |b| {
            b.iter(|| cal.deadline(black_box(received), black_box(limit), &hours))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
