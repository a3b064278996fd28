//! Working-day years kept in the store: next year's State Council notice, typed in by the
//! deployment without a new release, or a correction of a built-in year. They are read with
//! the rest of the rules in force ([`super::rulebook::load`]).

use super::{AppError, Host, ms};
use crate::calendar::{Calendar, YearSchedule};
use crate::store::{Statement, Store};

/// Longest source note ("国办发明电〔2026〕N号"), in characters.
pub const MAX_SOURCE_CHARS: usize = 200;
/// Longest schedule text of one year, in bytes (the table's CHECK).
pub const MAX_SCHEDULE_BYTES: usize = 4000;

/// Validates and stores the schedule of one year, replacing what was stored for it. Returns
/// the parsed schedule. Bad text is refused with the line and what is wrong, and changes
/// nothing.
pub async fn save_year<S: Store, H: Host>(
    store: &S,
    host: &H,
    year: i16,
    schedule: &str,
    source: &str,
) -> Result<YearSchedule, AppError> {
    if schedule.len() > MAX_SCHEDULE_BYTES {
        return Err(AppError::Invalid {
            field: "schedule",
            problem: "内容过长 / too long".into(),
        });
    }
    if source.trim().is_empty() || source.chars().count() > MAX_SOURCE_CHARS {
        return Err(AppError::Invalid {
            field: "source",
            problem: "请注明通知文号（不超过200字） / name the notice (at most 200 characters)"
                .into(),
        });
    }
    let parsed = YearSchedule::parse_year(year, schedule).map_err(|e| AppError::Invalid {
        field: "schedule",
        problem: e.to_string(),
    })?;
    // The whole calendar must still build with this year in it.
    Calendar::with_years([parsed.clone()]).map_err(|_| AppError::Invalid {
        field: "schedule",
        problem: "日期超出范围 / dates out of range".into(),
    })?;
    store
        .execute(
            Statement::new(
                "INSERT INTO calendar_year (year, schedule, source, updated_at) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (year) DO UPDATE SET schedule = excluded.schedule, \
                 source = excluded.source, updated_at = excluded.updated_at",
            )
            .bind(i64::from(year))
            .bind(schedule)
            .bind(source.trim())
            .bind(ms(host.now())),
        )
        .await?;
    Ok(parsed)
}

/// A year's schedule as the deployment stored it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredYear {
    /// The year.
    pub year: i16,
    /// The schedule text (the format of `crate::calendar::schedule`).
    pub schedule: String,
    /// The notice it comes from.
    pub source: String,
    /// When it was last saved.
    pub updated_at: crate::calendar::Timestamp,
}

/// The stored years, newest first (at most 100).
pub async fn stored_years<S: Store>(store: &S) -> Result<Vec<StoredYear>, AppError> {
    store
        .query(Statement::new(
            "SELECT year, schedule, source, updated_at FROM calendar_year \
             ORDER BY year DESC LIMIT 100",
        ))
        .await?
        .iter()
        .map(|row| {
            let year: i64 = row.get("year")?;
            Ok(StoredYear {
                year: i16::try_from(year)
                    .map_err(|_| AppError::Corrupt(format!("calendar_year {year}")))?,
                schedule: row.get("schedule")?,
                source: row.get("source")?,
                updated_at: super::instant(row.get("updated_at")?)?,
            })
        })
        .collect()
}
