//! The rules in force, read from the store: the working-day calendar (built-in years plus the
//! deployment's) and the latest rulebook version (or the built-in preset); saving a new
//! rulebook version.

use super::cases::Rules;
use super::{AppError, Host, ms};
use crate::calendar::{Calendar, YearSchedule};
use crate::rulebook::Rulebook;
use crate::store::{Statement, Store, StoreError};

/// What every use case decides by, as one instance loads it.
#[derive(Clone, Debug)]
pub struct InForce {
    /// The working-day calendar.
    pub calendar: Calendar,
    /// The latest rulebook.
    pub rulebook: Rulebook,
}

impl InForce {
    /// The rules of a use case, with the deployment's secret.
    pub fn rules<'a>(&'a self, secret: &'a [u8]) -> Rules<'a> {
        Rules {
            calendar: &self.calendar,
            policy: &self.rulebook.policy,
            rulebook: self.rulebook.version,
            secret,
        }
    }
}

/// Reads the rules in force in one query: the stored calendar years and the latest rulebook.
pub async fn load<S: Store>(store: &S) -> Result<InForce, AppError> {
    let rows = store
        .query(Statement::new(
            "SELECT 'year' AS kind, year AS key, schedule AS text FROM calendar_year \
             UNION ALL SELECT 'rulebook', version, document FROM \
             (SELECT version, document FROM rulebook ORDER BY version DESC LIMIT 1) \
             LIMIT 1000",
        ))
        .await?;
    let mut years = Vec::with_capacity(rows.len());
    let mut rulebook = Rulebook::default();
    for row in rows {
        let key: i64 = row.get("key")?;
        let text: String = row.get("text")?;
        if row.get::<String>("kind")? == "rulebook" {
            rulebook = decode(key, &text)?;
        } else {
            let year = i16::try_from(key).map_err(|_| AppError::Corrupt(format!("year {key}")))?;
            years.push(
                YearSchedule::parse_year(year, &text)
                    .map_err(|e| AppError::Corrupt(format!("calendar_year {year}: {e}")))?,
            );
        }
    }
    let calendar =
        Calendar::with_years(years).map_err(|_| AppError::Corrupt("calendar years".into()))?;
    Ok(InForce { calendar, rulebook })
}

/// The rulebook of one version (0: the built-in preset), to explain a case's deadlines by the
/// rules that set them.
pub async fn version<S: Store>(store: &S, version: u32) -> Result<Rulebook, AppError> {
    if version == 0 {
        return Ok(Rulebook::default());
    }
    let rows = store
        .query(Statement::new("SELECT document FROM rulebook WHERE version = ?").bind(version))
        .await?;
    let row = rows.first().ok_or(AppError::NotFound)?;
    decode(i64::from(version), &row.get::<String>("document")?)
}

fn decode(version: i64, text: &str) -> Result<Rulebook, AppError> {
    let mut rulebook =
        Rulebook::parse(text).map_err(|e| AppError::Corrupt(format!("rulebook {version}: {e}")))?;
    rulebook.version =
        u32::try_from(version).map_err(|_| AppError::Corrupt(format!("rulebook {version}")))?;
    Ok(rulebook)
}

/// Validates `document` and stores it as the next version, in force from the next load. When
/// it names departments, they are created or renamed by code and every other department is
/// retired (kept for the cases that name it, no longer offered) in the same batch. A document
/// that fails validation is refused with the field and the problem, and changes nothing.
pub async fn save<S: Store, H: Host>(
    store: &S,
    host: &H,
    document: &str,
) -> Result<Rulebook, AppError> {
    let mut rulebook = Rulebook::parse(document).map_err(|e| AppError::Invalid {
        field: "rulebook",
        problem: e.to_string(),
    })?;
    let latest: Option<i64> = store
        .query(Statement::new("SELECT max(version) AS v FROM rulebook"))
        .await?
        .first()
        .map(|r| r.get("v"))
        .transpose()?
        .flatten();
    rulebook.version = u32::try_from(latest.unwrap_or(0) + 1)
        .map_err(|_| AppError::Corrupt("rulebook version".into()))?;
    let mut batch = vec![
        Statement::new("INSERT INTO rulebook (version, document, saved_at) VALUES (?, ?, ?)")
            .bind(rulebook.version)
            .bind(rulebook.to_json())
            .bind(ms(host.now())),
    ];
    if !rulebook.departments.is_empty() {
        for d in &rulebook.departments {
            batch.push(
                Statement::new(
                    "INSERT INTO department (code, name_zh, name_en, active) VALUES (?, ?, ?, 1) \
                     ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, \
                     name_en = excluded.name_en, active = 1",
                )
                .bind(d.code.as_str())
                .bind(d.name_zh.as_str())
                .bind(d.name_en.as_str()),
            );
        }
        let codes: Vec<&str> = rulebook
            .departments
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        batch.push(
            Statement::new(
                "UPDATE department SET active = 0 \
                 WHERE code NOT IN (SELECT value FROM json_each(?))",
            )
            .bind(serde_json::to_string(&codes).unwrap_or_default()),
        );
    }
    match store.batch(batch).await {
        Ok(_) => Ok(rulebook),
        // Another save took this version first.
        Err(StoreError::Constraint(m)) if m.contains("rulebook") => Err(AppError::Conflict),
        Err(e) => Err(e.into()),
    }
}

/// One saved version as the history lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Saved {
    /// The version.
    pub version: u32,
    /// Its note.
    pub note: String,
    /// When it was saved.
    pub saved_at: crate::calendar::Timestamp,
}

/// The saved versions, newest first (at most `limit`, itself at most 200).
pub async fn history<S: Store>(store: &S, limit: u32) -> Result<Vec<Saved>, AppError> {
    store
        .query(
            Statement::new(
                "SELECT version, coalesce(json_extract(document, '$.note'), '') AS note, \
                 saved_at FROM rulebook ORDER BY version DESC LIMIT ?",
            )
            .bind(limit.min(200)),
        )
        .await?
        .iter()
        .map(|row| {
            let version: i64 = row.get("version")?;
            Ok(Saved {
                version: u32::try_from(version)
                    .map_err(|_| AppError::Corrupt(format!("rulebook {version}")))?,
                note: row.get("note")?,
                saved_at: super::instant(row.get("saved_at")?)?,
            })
        })
        .collect()
}
