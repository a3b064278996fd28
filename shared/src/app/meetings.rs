//! Open meetings' use cases (000 §1, [`crate::meeting`]): create, publish (at least 3 working
//! days ahead), register by web or SMS (one registration per number), draw at the close of
//! registration (the sweep), confirm or cancel a place (a cancellation promotes the next on the
//! waitlist), mark attendance.
//!
//! Every notice to a registrant is an outbox row written in the batch of the change that causes
//! it. The draw is one batch of four statements whatever the number of registrants: its guard
//! row (`meeting_draw`) makes a second or overlapping run fail whole, the order is one ranked
//! `UPDATE` (arrival for first come; the lottery tickets, `SHA-256(seed ":" code)`, written at
//! registration and kept secret with the seed until the draw).

use super::{AppError, Host, instant, ms};
use crate::calendar::{Calendar, Timestamp};
use crate::meeting::{Selection, announced_in_time, commitment, ticket};
use crate::store::{Row, Statement, Store, StoreError};

/// The most registrations one meeting takes (项目自定: bounded writes; a meeting seats a few).
pub const MAX_REGISTRATIONS: u32 = 10_000;
/// The most topics one meeting lists.
pub const MAX_TOPICS: usize = 20;

/// One topic of a meeting and the unit that raised it (it answers the comments on it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topic {
    /// The topic.
    pub topic: String,
    /// The raising unit's department id.
    pub department: i64,
}

/// What staff enter to create a meeting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMeeting {
    /// The code citizens text (`BM <code>`): 2–12 letters and digits.
    pub code: String,
    /// Its title.
    pub title: String,
    /// Its topics.
    pub topics: Vec<Topic>,
    /// Where it sits.
    pub place: String,
    /// When it starts.
    pub starts_at: Timestamp,
    /// The live stream's address, if any.
    pub stream_url: Option<String>,
    /// Citizens selected (000 §1.2(2)②: at most 5 by default).
    pub capacity: u32,
    /// Minutes each may speak (000 §1.2(3)②).
    pub speaking_minutes: u32,
    /// First come, or a lottery.
    pub selection: Selection,
    /// Registration opens.
    pub opens_at: Timestamp,
    /// Registration closes (the draw follows).
    pub closes_at: Timestamp,
}

/// A meeting as pages show it (never its seed before the draw).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meeting {
    /// The store's id.
    pub id: i64,
    /// The code citizens text.
    pub code: String,
    /// Its title.
    pub title: String,
    /// Its topics.
    pub topics: Vec<Topic>,
    /// Where it sits.
    pub place: String,
    /// When it starts.
    pub starts_at: Timestamp,
    /// The live stream's address.
    pub stream_url: Option<String>,
    /// The recording's address, once published.
    pub recording_url: Option<String>,
    /// Citizens selected.
    pub capacity: u32,
    /// Minutes each may speak.
    pub speaking_minutes: u32,
    /// How registrants are chosen.
    pub selection: Selection,
    /// Registration opens.
    pub opens_at: Timestamp,
    /// Registration closes.
    pub closes_at: Timestamp,
    /// SHA-256 of the lottery's seed, published with the meeting.
    pub seed_commitment: String,
    /// The seed, once the draw is done.
    pub seed: Option<String>,
    /// When it was published, if it was.
    pub published_at: Option<Timestamp>,
}

impl Meeting {
    /// Whether registration is open at `now`.
    pub fn open_at(&self, now: Timestamp) -> bool {
        self.published_at.is_some() && self.opens_at <= now && now < self.closes_at
    }
}

fn invalid(field: &'static str, problem: &str) -> AppError {
    AppError::Invalid {
        field,
        problem: problem.to_owned(),
    }
}

/// Creates a meeting (unpublished), with a fresh lottery seed: its id.
pub async fn create<S: Store, H: Host>(
    store: &S,
    host: &H,
    new: &NewMeeting,
) -> Result<i64, AppError> {
    let code = crate::meeting::code_upper(new.code.trim());
    if !(2..=12).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(invalid(
            "meeting_code",
            "须为2至12个字母或数字 / 2–12 letters or digits",
        ));
    }
    for (field, text, max) in [("title", &new.title, 200), ("place", &new.place, 200)] {
        if text.trim().is_empty() || text.chars().count() > max {
            return Err(invalid(
                field,
                "不能为空且不能过长 / required, and not too long",
            ));
        }
    }
    if new.topics.is_empty()
        || new.topics.len() > MAX_TOPICS
        || new
            .topics
            .iter()
            .any(|t| t.topic.trim().is_empty() || t.topic.chars().count() > 200)
    {
        return Err(invalid("topics", "须有1至20个议题 / one to twenty topics"));
    }
    if !(1..=50).contains(&new.capacity) {
        return Err(invalid("capacity", "须为1至50 / 1 to 50"));
    }
    if !(1..=30).contains(&new.speaking_minutes) {
        return Err(invalid("speaking_minutes", "须为1至30 / 1 to 30"));
    }
    if !(new.opens_at < new.closes_at && new.closes_at <= new.starts_at) {
        return Err(invalid(
            "closes_at",
            "报名须先开始后截止，且不晚于会议开始 / registration must open, then close, by the meeting",
        ));
    }
    if new
        .stream_url
        .as_deref()
        .is_some_and(|u| !(u.starts_with("https://") && u.len() <= 500))
    {
        return Err(invalid(
            "stream_url",
            "须为https地址 / must be an https address",
        ));
    }
    let mut bytes = [0u8; 16];
    host.fill_random(&mut bytes);
    let seed = crate::hex::encode(&bytes);
    let topics = serde_json::Value::Array(
        new.topics
            .iter()
            .map(|t| serde_json::json!({"topic": t.topic.trim(), "department": t.department}))
            .collect(),
    );
    let now = host.now();
    let inserted = store
        .batch(vec![
            Statement::new(
                "INSERT INTO meeting (code, title, topics, place, starts_at, stream_url, capacity, \
                 speaking_minutes, selection, opens_at, closes_at, seed_commitment, seed, \
                 created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(code.as_str())
            .bind(new.title.trim())
            .bind(topics.to_string())
            .bind(new.place.trim())
            .bind(ms(new.starts_at))
            .bind(new.stream_url.clone())
            .bind(new.capacity)
            .bind(new.speaking_minutes)
            .bind(selection_code(new.selection))
            .bind(ms(new.opens_at))
            .bind(ms(new.closes_at))
            .bind(commitment(&seed))
            .bind(seed.as_str())
            .bind(ms(now)),
        ])
        .await;
    match inserted {
        Ok(_) => Ok(find(store, &code).await?.id),
        Err(StoreError::Constraint(m)) if m.contains("code") => Err(invalid(
            "meeting_code",
            "该会议编号已被使用 / this code is taken",
        )),
        Err(e) => Err(e.into()),
    }
}

/// Publishes a meeting: refused unless at least 3 working days lie between today and the
/// meeting (000 §1.2(1)); its draw falls due at the close of registration.
pub async fn publish<S: Store, H: Host>(
    store: &S,
    host: &H,
    calendar: &Calendar,
    code: &str,
) -> Result<Meeting, AppError> {
    let meeting = find(store, code).await?;
    let now = host.now();
    let (today, day) = (beijing_date(now), beijing_date(meeting.starts_at));
    if !announced_in_time(calendar, today, day) {
        return Err(invalid(
            "starts_at",
            "须在会议前至少3个工作日发布预告（000 §1） / must be announced at least 3 working days ahead (000 §1)",
        ));
    }
    store
        .execute(
            Statement::new(
                "UPDATE meeting SET published_at = ?, draw_at = closes_at \
                 WHERE id = ? AND published_at IS NULL",
            )
            .bind(ms(now))
            .bind(meeting.id),
        )
        .await?;
    find(store, code).await
}

/// The day `t` falls on in Beijing.
fn beijing_date(t: Timestamp) -> crate::calendar::Date {
    crate::calendar::BEIJING.to_datetime(t).date()
}

/// A meeting by its code.
pub async fn find<S: Store>(store: &S, code: &str) -> Result<Meeting, AppError> {
    let rows = store
        .query(
            Statement::new(format!("SELECT {COLUMNS} FROM meeting m WHERE m.code = ?"))
                .bind(crate::meeting::code_upper(code.trim())),
        )
        .await?;
    rows.first().map(decode).ok_or(AppError::NotFound)?
}

/// The latest meetings, newest first (published only, unless `all`), at most `limit`.
pub async fn list<S: Store>(store: &S, all: bool, limit: u32) -> Result<Vec<Meeting>, AppError> {
    let filter = if all {
        ""
    } else {
        "WHERE m.published_at IS NOT NULL"
    };
    store
        .query(
            Statement::new(format!(
                "SELECT {COLUMNS} FROM meeting m {filter} ORDER BY m.starts_at DESC LIMIT ?"
            ))
            .bind(limit.min(100)),
        )
        .await?
        .iter()
        .map(decode)
        .collect()
}

const COLUMNS: &str = "m.id, m.code, m.title, m.topics, m.place, m.starts_at, m.stream_url, \
     m.recording_url, m.capacity, m.speaking_minutes, m.selection, m.opens_at, m.closes_at, \
     m.seed_commitment, CASE WHEN EXISTS (SELECT 1 FROM meeting_draw d WHERE d.meeting_id = m.id) \
     THEN m.seed END AS seed, m.published_at";

fn decode(row: &Row) -> Result<Meeting, AppError> {
    let topics: String = row.get("topics")?;
    let topics = serde_json::from_str::<serde_json::Value>(&topics)
        .ok()
        .and_then(|v| v.as_array().cloned())
        .ok_or_else(|| AppError::Corrupt("meeting topics".into()))?
        .iter()
        .map(|t| {
            Ok(Topic {
                topic: t["topic"].as_str().unwrap_or_default().to_owned(),
                department: t["department"]
                    .as_i64()
                    .ok_or_else(|| AppError::Corrupt("topic department".into()))?,
            })
        })
        .collect::<Result<_, AppError>>()?;
    let selection: String = row.get("selection")?;
    let published: Option<i64> = row.get("published_at")?;
    let count = |c: &str| -> Result<u32, AppError> {
        u32::try_from(row.get::<i64>(c)?).map_err(|_| AppError::Corrupt(c.into()))
    };
    Ok(Meeting {
        id: row.get("id")?,
        code: row.get("code")?,
        title: row.get("title")?,
        topics,
        place: row.get("place")?,
        starts_at: instant(row.get("starts_at")?)?,
        stream_url: row.get("stream_url")?,
        recording_url: row.get("recording_url")?,
        capacity: count("capacity")?,
        speaking_minutes: count("speaking_minutes")?,
        selection: if selection == "lottery" {
            Selection::Lottery
        } else {
            Selection::FirstCome
        },
        opens_at: instant(row.get("opens_at")?)?,
        closes_at: instant(row.get("closes_at")?)?,
        seed_commitment: row.get("seed_commitment")?,
        seed: row.get("seed")?,
        published_at: published.map(instant).transpose()?,
    })
}

const fn selection_code(s: Selection) -> &'static str {
    match s {
        Selection::FirstCome => "first_come",
        Selection::Lottery => "lottery",
    }
}

/// How a registration came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// The meeting page's form.
    Web,
    /// `BM <code> <name>` by SMS.
    Sms,
}

/// A registration as its citizen gets it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    /// The registration code (the citizen's proof, and the public draw list's entry).
    pub code: String,
    /// True when the number had registered before: the first registration stands.
    pub existing: bool,
}

/// Registers `phone` for the meeting `code` while registration is open: one registration per
/// number (a second answers the first's code), at most [`MAX_REGISTRATIONS`].
pub async fn register<S: Store, H: Host>(
    store: &S,
    host: &H,
    code: &str,
    name: &str,
    phone: &str,
    opinion: Option<&str>,
    via: Via,
) -> Result<Registration, AppError> {
    let meeting = find(store, code).await?;
    if !meeting.open_at(host.now()) {
        return Err(invalid(
            "meeting",
            "该会议当前不接受报名 / registration is not open",
        ));
    }
    let phone = super::sms::normalise_phone(phone)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(invalid(
            "name",
            "请填写姓名（50字以内） / a name of at most 50 characters",
        ));
    }
    let opinion = opinion.map(str::trim).filter(|o| !o.is_empty());
    if opinion.is_some_and(|o| o.chars().count() > 2000) {
        return Err(invalid(
            "opinion",
            "意见须在2000字以内 / at most 2000 characters",
        ));
    }
    if let Some(existing) = registration_of(store, meeting.id, &phone).await? {
        return Ok(Registration {
            code: existing,
            existing: true,
        });
    }
    let seed = seed_of(store, meeting.id).await?;
    for _ in 0..4 {
        let reg_code = registration_code(host);
        let inserted = store
            .execute(
                Statement::new(
                    "INSERT INTO meeting_registration (meeting_id, code, phone, name, opinion, \
                     channel, registered_at, ticket) SELECT ?, ?, ?, ?, ?, ?, ?, ? \
                     WHERE (SELECT count(*) FROM meeting_registration WHERE meeting_id = ?) < ?",
                )
                .bind(meeting.id)
                .bind(reg_code.as_str())
                .bind(phone.as_str())
                .bind(name)
                .bind(opinion)
                .bind(match via {
                    Via::Web => "web",
                    Via::Sms => "sms",
                })
                .bind(ms(host.now()))
                .bind(ticket(&seed, &reg_code))
                .bind(meeting.id)
                .bind(MAX_REGISTRATIONS),
            )
            .await;
        match inserted {
            Ok(1) => {
                return Ok(Registration {
                    code: reg_code,
                    existing: false,
                });
            }
            Ok(_) => return Err(invalid("meeting", "报名人数已满 / registration is full")),
            // The same number at the same moment: the first registration stands.
            Err(StoreError::Constraint(m)) if m.contains("phone") => {
                let code = registration_of(store, meeting.id, &phone)
                    .await?
                    .ok_or(AppError::Conflict)?;
                return Ok(Registration {
                    code,
                    existing: true,
                });
            }
            Err(StoreError::Constraint(m)) if m.contains("code") => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Conflict)
}

async fn registration_of<S: Store>(
    store: &S,
    meeting: i64,
    phone: &str,
) -> Result<Option<String>, AppError> {
    let rows = store
        .query(
            Statement::new(
                "SELECT code FROM meeting_registration WHERE meeting_id = ? AND phone = ?",
            )
            .bind(meeting)
            .bind(phone),
        )
        .await?;
    rows.first()
        .map(|r| r.get("code"))
        .transpose()
        .map_err(Into::into)
}

async fn seed_of<S: Store>(store: &S, meeting: i64) -> Result<String, AppError> {
    let rows = store
        .query(Statement::new("SELECT seed FROM meeting WHERE id = ?").bind(meeting))
        .await?;
    Ok(rows.first().ok_or(AppError::NotFound)?.get("seed")?)
}

/// Six characters of Crockford base-32 (no I, L, O, U): easy to read out and to type.
fn registration_code<H: Host>(host: &H) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bytes = [0u8; 6];
    host.fill_random(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect()
}

/// Draws every meeting whose registration closed by the host's `now`, at most `batch`: the
/// codes of those drawn.
pub async fn draw_due<S: Store, H: Host>(
    store: &S,
    host: &H,
    batch: u32,
) -> Result<Vec<String>, AppError> {
    let now = ms(host.now());
    let due = store
        .query(
            Statement::new(
                "SELECT id, code, selection FROM meeting WHERE draw_at IS NOT NULL \
                 AND draw_at <= ? ORDER BY draw_at LIMIT ?",
            )
            .bind(now)
            .bind(batch),
        )
        .await?;
    let mut drawn = Vec::new();
    for row in &due {
        let id: i64 = row.get("id")?;
        let code: String = row.get("code")?;
        let selection: String = row.get("selection")?;
        let order = if selection == "lottery" {
            "ticket, code"
        } else {
            "registered_at, id"
        };
        let result = store
            .batch(vec![
                // The guard: a second or overlapping draw fails here, whole.
                Statement::new("INSERT INTO meeting_draw (meeting_id, drawn_at) VALUES (?, ?)")
                    .bind(id)
                    .bind(now),
                Statement::new("UPDATE meeting SET draw_at = NULL WHERE id = ?").bind(id),
                Statement::new(format!(
                    "UPDATE meeting_registration SET rank = ranked.n, state = CASE \
                     WHEN ranked.n <= (SELECT capacity FROM meeting WHERE id = ?) \
                     THEN 'selected' ELSE 'waitlisted' END \
                     FROM (SELECT id, row_number() OVER (ORDER BY {order}) AS n \
                           FROM meeting_registration WHERE meeting_id = ? AND state = 'registered') \
                          AS ranked \
                     WHERE meeting_registration.id = ranked.id"
                ))
                .bind(id)
                .bind(id),
                Statement::new(
                    "INSERT INTO outbox (dedupe_key, kind, recipient, body, registration_id, \
                     next_attempt_at, created_at) \
                     SELECT 'meeting/' || r.meeting_id || '/draw/' || r.id, 'meeting_notice', \
                     'registrant', CASE r.state \
                     WHEN 'selected' THEN printf('【民意】您报名的会议%s已入选，请回复QR确认出席，或QX放弃。', m.code) \
                     ELSE printf('【民意】您报名的会议%s名额已满，您为候补第%d位，如有空缺将短信通知。', m.code, r.rank - m.capacity) END, \
                     r.id, ?, ? FROM meeting_registration r JOIN meeting m ON m.id = r.meeting_id \
                     WHERE r.meeting_id = ? AND r.state IN ('selected', 'waitlisted') \
                     ON CONFLICT (dedupe_key) DO NOTHING",
                )
                .bind(now)
                .bind(now)
                .bind(id),
            ])
            .await;
        match result {
            Ok(_) => drawn.push(code),
            Err(StoreError::Constraint(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(drawn)
}

/// What became of a citizen's answer to a selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The place is confirmed.
    Confirmed,
    /// The place (or the waitlist entry) is given up; the next on the waitlist moves up.
    Cancelled,
    /// Nothing to answer: no selected or waitlisted registration of this number.
    Nothing,
}

/// A selected citizen confirms (`confirm`) or gives up their place — by SMS (`QR`, `QX`: the
/// number's registration for the latest meeting) or on the web (the registration `code` as
/// proof with the number). Giving up (also before the draw, or from the waitlist) promotes the
/// next on the waitlist, with a notice, while a place is free.
pub async fn answer<S: Store, H: Host>(
    store: &S,
    host: &H,
    phone: &str,
    code: Option<(&str, &str)>,
    confirm: bool,
) -> Result<Answer, AppError> {
    let phone = super::sms::normalise_phone(phone)?;
    let mut sql = String::from(
        "SELECT r.id, r.meeting_id, r.state FROM meeting_registration r \
         JOIN meeting m ON m.id = r.meeting_id WHERE r.phone = ? \
         AND r.state IN ('registered', 'selected', 'confirmed', 'waitlisted')",
    );
    if code.is_some() {
        sql.push_str(" AND m.code = ? AND r.code = ?");
    }
    sql.push_str(" ORDER BY m.starts_at DESC LIMIT 1");
    let mut statement = Statement::new(sql).bind(phone.as_str());
    if let Some((meeting, reg)) = code {
        statement = statement
            .bind(crate::meeting::code_upper(meeting.trim()))
            .bind(crate::meeting::code_upper(reg.trim()));
    }
    let rows = store.query(statement).await?;
    let Some(row) = rows.first() else {
        return Ok(Answer::Nothing);
    };
    let (id, meeting): (i64, i64) = (row.get("id")?, row.get("meeting_id")?);
    let state: String = row.get("state")?;
    if confirm {
        if matches!(state.as_str(), "registered" | "waitlisted") {
            return Ok(Answer::Nothing);
        }
        store
            .execute(
                Statement::new(
                    "UPDATE meeting_registration SET state = 'confirmed' \
                     WHERE id = ? AND state = 'selected'",
                )
                .bind(id),
            )
            .await?;
        return Ok(Answer::Confirmed);
    }
    let now = ms(host.now());
    let next = "(SELECT id FROM meeting_registration WHERE meeting_id = ? AND state = 'waitlisted' \
                ORDER BY rank LIMIT 1)";
    let room = "(SELECT count(*) FROM meeting_registration WHERE meeting_id = ? \
                AND state IN ('selected', 'confirmed', 'attended')) < \
                (SELECT capacity FROM meeting WHERE id = ?)";
    store
        .batch(vec![
            Statement::new(
                "UPDATE meeting_registration SET state = 'cancelled' \
                 WHERE id = ? AND state IN ('registered', 'selected', 'confirmed', 'waitlisted')",
            )
            .bind(id),
            Statement::new(format!(
                "INSERT INTO outbox (dedupe_key, kind, recipient, body, registration_id, \
                 next_attempt_at, created_at) \
                 SELECT 'meeting/' || r.meeting_id || '/promoted/' || r.id, 'meeting_notice', \
                 'registrant', printf('【民意】您报名的会议%s有名额空出，您已递补入选，请回复QR确认出席，或QX放弃。', m.code), \
                 r.id, ?, ? FROM meeting_registration r JOIN meeting m ON m.id = r.meeting_id \
                 WHERE r.id = {next} AND {room} ON CONFLICT (dedupe_key) DO NOTHING"
            ))
            .bind(now)
            .bind(now)
            .bind(meeting)
            .bind(meeting)
            .bind(meeting),
            Statement::new(format!(
                "UPDATE meeting_registration SET state = 'selected' WHERE id = {next} AND {room}"
            ))
            .bind(meeting)
            .bind(meeting)
            .bind(meeting),
        ])
        .await?;
    Ok(Answer::Cancelled)
}

/// How long after its start a meeting takes comments on its page, in days (项目自定 / the
/// project's choice: 000 §1.2(4) says only 会后).
pub const COMMENT_DAYS: i64 = 7;

/// A comment on one of a meeting's topics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// The topic's place in the agenda, from 0.
    pub topic: usize,
    /// What the citizen says.
    pub text: String,
    /// How to reach them, if they say.
    pub contact: super::cases::Contact,
    /// Whether the comment and its answer may be published.
    pub publish: bool,
}

/// A citizen's comment on a meeting's topic, left on its page after the meeting started: a
/// case on the meeting channel, private unless `publish`, due from the topic's unit within
/// the policy's `meeting_comment_working_days` (000 §1.2(4): 3). The office dispatches it to
/// that unit, which the case names.
pub async fn comment<S: Store, H: Host>(
    store: &S,
    host: &H,
    rules: super::cases::Rules<'_>,
    code: &str,
    comment: Comment,
    budget: Option<&super::cases::Budget>,
) -> Result<super::cases::Registered, AppError> {
    use crate::case::{Actor, Category, Channel, Complexity, Facts, Role, Urgency};
    let meeting = find(store, code).await?;
    let now = host.now();
    let closes = meeting.starts_at.as_second() + COMMENT_DAYS * 86_400;
    if meeting.published_at.is_none() || now < meeting.starts_at || now.as_second() >= closes {
        return Err(invalid(
            "meeting",
            "会议开始后7日内可发表意见 / comments are taken for 7 days from the meeting's start",
        ));
    }
    let topic = meeting
        .topics
        .get(comment.topic)
        .ok_or_else(|| invalid("topic", "请选择议题 / choose a topic"))?;
    let unit = super::public::departments(store)
        .await?
        .into_iter()
        .find(|d| d.id == topic.department)
        .map_or_else(String::new, |d| d.zh);
    let new = super::cases::NewCase {
        facts: Facts {
            channel: Channel::Meeting,
            category: Category::Suggestion,
            urgency: Urgency::Normal,
            complexity: Complexity::Ordinary,
            publish_consent: comment.publish,
        },
        title: format!("【{}】{}", meeting.code, topic.topic)
            .chars()
            .take(200)
            .collect(),
        body: format!(
            "{}\n\n——会议{}议题：{}（议题提交单位：{unit}）",
            comment.text.trim(),
            meeting.code,
            topic.topic
        ),
        contact: comment.contact,
        location: super::cases::Location::default(),
        idempotency: None,
        intake: super::cases::Intake::default(),
    };
    super::cases::register(
        store,
        host,
        rules,
        new,
        Actor {
            role: Role::Citizen,
            account: None,
        },
        budget,
    )
    .await
}

/// Staff set the recording's address once it is published (000 §1.2(4): 公布有关直(录)播资料).
pub async fn set_recording<S: Store>(store: &S, code: &str, url: &str) -> Result<(), AppError> {
    let url = url.trim();
    if !(url.starts_with("https://") && url.len() <= 500) {
        return Err(invalid(
            "recording_url",
            "须为https地址 / must be an https address",
        ));
    }
    let changed = store
        .execute(
            Statement::new("UPDATE meeting SET recording_url = ? WHERE code = ?")
                .bind(url)
                .bind(crate::meeting::code_upper(code.trim())),
        )
        .await?;
    if changed == 1 {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Staff mark a selected citizen present by registration code.
pub async fn attend<S: Store>(store: &S, meeting: &str, code: &str) -> Result<(), AppError> {
    let changed = store
        .execute(
            Statement::new(
                "UPDATE meeting_registration SET state = 'attended' \
                 WHERE code = ? AND state IN ('selected', 'confirmed') \
                 AND meeting_id = (SELECT id FROM meeting WHERE code = ?)",
            )
            .bind(crate::meeting::code_upper(code.trim()))
            .bind(crate::meeting::code_upper(meeting.trim())),
        )
        .await?;
    if changed == 1 {
        Ok(())
    } else {
        Err(invalid(
            "registration",
            "没有该入选登记 / no selected registration with this code",
        ))
    }
}

/// One registration as staff see it (personal data: the desk only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registrant {
    /// The registration code.
    pub code: String,
    /// The name given.
    pub name: String,
    /// The number.
    pub phone: String,
    /// The written opinion, if any.
    pub opinion: Option<String>,
    /// `web` or `sms`.
    pub channel: String,
    /// When.
    pub registered_at: Timestamp,
    /// `registered`, `selected`, `waitlisted`, `confirmed`, `cancelled`, `attended`.
    pub state: String,
    /// Place in the draw's order.
    pub rank: Option<i64>,
}

/// A meeting's registrations in the draw's order (arrival before it), at most
/// [`crate::store::MAX_ROWS`].
pub async fn registrants<S: Store>(store: &S, meeting: i64) -> Result<Vec<Registrant>, AppError> {
    store
        .query(
            Statement::new(
                "SELECT code, name, phone, opinion, channel, registered_at, state, rank \
                 FROM meeting_registration WHERE meeting_id = ? \
                 ORDER BY rank IS NULL, rank, registered_at, id LIMIT ?",
            )
            .bind(meeting)
            .bind(crate::store::MAX_ROWS as u32),
        )
        .await?
        .iter()
        .map(|r| {
            Ok(Registrant {
                code: r.get("code")?,
                name: r.get("name")?,
                phone: r.get("phone")?,
                opinion: r.get("opinion")?,
                channel: r.get("channel")?,
                registered_at: instant(r.get("registered_at")?)?,
                state: r.get("state")?,
                rank: r.get("rank")?,
            })
        })
        .collect()
}

/// The public list a drawn meeting publishes: every registration code in the draw's order with
/// its outcome, nothing personal; with the revealed seed anyone can re-run the lottery.
pub async fn draw_list<S: Store>(
    store: &S,
    meeting: i64,
) -> Result<Vec<(String, i64, String)>, AppError> {
    store
        .query(
            Statement::new(
                "SELECT code, rank, state FROM meeting_registration \
                 WHERE meeting_id = ? AND rank IS NOT NULL ORDER BY rank LIMIT ?",
            )
            .bind(meeting)
            .bind(crate::store::MAX_ROWS as u32),
        )
        .await?
        .iter()
        .map(|r| Ok((r.get("code")?, r.get("rank")?, r.get("state")?)))
        .collect()
}
