//! Criterion benchmarks of the working-day calendar.
fn main() {}
