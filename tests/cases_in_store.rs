//! Use cases against the native SQLite adapter: what the edge functions will do, end to end
//! through the store port.

use jiff::civil::Date;
use minyi::app::cases::{self, Contact, Duty, Location, NewCase, Rules};
use minyi::app::{AppError, Host as _};
use minyi::calendar::{BEIJING, Calendar, Timestamp};
use minyi::case::{
    Actor, Category, Channel, Command, Complexity, Facts, LifecycleError, ReplyDraft, Role, Status,
    Truthfulness, Urgency, Visibility,
};
use minyi::ids::QueryCode;
use minyi::policy::Policy;
use minyi::store::{Statement, Store, StoreError};
use minyi_sqlite::SqliteStore;
use minyi_tests::TestHost;
use pollster::block_on;

const SECRET: &[u8] = b"test secret";

fn at(date: Date, hour: i8) -> Timestamp {
    BEIJING
        .to_timestamp(date.at(hour, 0, 0, 0))
        .expect("local time")
}

struct Fixture {
    store: SqliteStore,
    host: TestHost,
    calendar: Calendar,
    policy: Policy,
}

impl Fixture {
    fn new() -> Self {
        Self::migrated_through(None)
    }

    /// A fixture whose database has the migrations up to `through` only (all when `None`).
    fn migrated_through(through: Option<&str>) -> Self {
        let store = SqliteStore::open_in_memory().expect("open");
        store.migrate_through(through).expect("migrate");
        block_on(store.batch(vec![
            Statement::new("INSERT INTO department (id, code, name_zh, name_en) VALUES (7, 'roads', '市城管局', 'Urban Management')"),
            Statement::new("INSERT INTO department (id, code, name_zh, name_en) VALUES (8, 'water', '市水务局', 'Water Bureau')"),
        ]))
        .expect("departments");
        Self {
            store,
            host: TestHost::at(at(Date::constant(2026, 9, 29), 10)),
            calendar: Calendar::builtin(),
            policy: Policy::default(),
        }
    }

    fn rules(&self) -> Rules<'_> {
        Rules {
            calendar: &self.calendar,
            policy: &self.policy,
            rulebook: 0,
            secret: SECRET,
        }
    }

    fn submit(&self, consent: bool) -> cases::Registered {
        let input = NewCase {
            facts: Facts {
                channel: Channel::Web,
                category: Category::Complaint,
                urgency: Urgency::Normal,
                complexity: Complexity::Ordinary,
                publish_consent: consent,
            },
            title: "路灯不亮".into(),
            body: "人民路与解放路交叉口路灯已坏一周。".into(),
            contact: Contact {
                name: Some("张三".into()),
                phone: Some("13800138000".into()),
                email: None,
            },
            location: Location {
                latitude: Some(32.2),
                longitude: Some(119.4),
                address: None,
                address_public: false,
            },
            idempotency: None,
            intake: Default::default(),
        };
        self.register(input, None).expect("register")
    }

    /// Registers `input` as the citizen's own submission, counted against `budget` if given.
    fn register(
        &self,
        input: NewCase,
        budget: Option<&cases::Budget>,
    ) -> Result<cases::Registered, AppError> {
        block_on(cases::register(
            &self.store,
            &self.host,
            self.rules(),
            input,
            Actor::anonymous(Role::Citizen),
            budget,
        ))
    }

    fn apply(
        &self,
        id: i64,
        role: Role,
        command: Command,
    ) -> Result<minyi::case::Transition, AppError> {
        block_on(cases::apply(
            &self.store,
            &self.host,
            self.rules(),
            id,
            &Actor::anonymous(role),
            command,
        ))
    }

    fn count(&self, sql: &'static str, id: i64) -> i64 {
        block_on(self.store.query(Statement::new(sql).bind(id))).expect("query")[0]
            .get("n")
            .expect("n")
    }
}

/// A web case's way from dispatch (lead 7, co-handler 8) to a published reply the citizen rates.
fn steps_to_a_rated_reply() -> [(Role, Command); 8] {
    [
        (
            Role::Operator,
            Command::Dispatch {
                lead: 7,
                co_handlers: vec![8],
                method: minyi::case::DispatchMethod::Written,
            },
        ),
        (Role::Department(7), Command::Accept),
        (
            Role::Department(8),
            Command::CoHandlerOpinion {
                text: "水务局配合核查".into(),
            },
        ),
        (
            Role::Department(7),
            Command::SubmitDraft(ReplyDraft {
                body: "感谢来信，已修复。".into(),
                truthfulness: Truthfulness::True,
                grade: None,
                withhold: None,
                promised_by: None,
            }),
        ),
        (Role::DepartmentHead(7), Command::SignOff),
        (Role::Reviewer, Command::Approve),
        (
            Role::Reviewer,
            Command::Publish {
                visibility: Visibility::Both,
            },
        ),
        (
            Role::Citizen,
            Command::Rate {
                rating: minyi::case::Rating::Satisfied,
                comment: Some("很满意".into()),
            },
        ),
    ]
}

#[test]
fn a_case_round_trips_through_the_store_at_every_step() {
    let f = Fixture::new();
    let reg = f.submit(true);
    assert_eq!(
        block_on(cases::load(&f.store, reg.id)),
        Ok(reg.case.clone())
    );
    assert!(
        reg.query_code.is_some(),
        "every case gets a code: it proves the citizen when rating"
    );
    // Received Tuesday 29 Sep 2026 10:00; 1–7 Oct off, 10 Oct (Sat) worked: 7 working days
    // are 30 Sep, 8, 9, 10, 12, 13, 14 Oct.
    assert_eq!(reg.case.due_at, Some(at(Date::constant(2026, 10, 15), 0)));

    for (role, command) in steps_to_a_rated_reply() {
        let t = f.apply(reg.id, role, command).expect("apply");
        assert_eq!(
            block_on(cases::load(&f.store, reg.id)),
            Ok(t.case),
            "after {:?}",
            t.event.kind
        );
    }
    assert_eq!(
        f.count(
            "SELECT count(*) AS n FROM case_event WHERE case_id = ?",
            reg.id
        ),
        9
    );
    assert_eq!(
        f.count("SELECT count(*) AS n FROM reply WHERE case_id = ? AND state = 'published' AND visibility = 'both'", reg.id),
        1
    );
    assert_eq!(
        f.count(
            "SELECT count(*) AS n FROM rating WHERE case_id = ? AND satisfied = 1",
            reg.id
        ),
        1
    );
    assert_eq!(
        f.count(
            "SELECT count(*) AS n FROM case_contact WHERE case_id = ? AND phone = '13800138000'",
            reg.id
        ),
        1
    );
}

#[test]
fn private_cases_store_only_a_hash_of_their_query_code() {
    let f = Fixture::new();
    let reg = f.submit(false);
    let code: QueryCode = reg.query_code.expect("private cases get a code");
    let rows =
        block_on(f.store.query(
            Statement::new("SELECT query_code_hash FROM \"case\" WHERE id = ?").bind(reg.id),
        ))
        .expect("query");
    let stored: String = rows[0].get("query_code_hash").expect("hash");
    assert!(code.verify(SECRET, &reg.tracking, &stored));
    assert!(!stored.contains(&code.display().replace('-', "")));
}

#[test]
fn a_refused_command_writes_nothing() {
    let f = Fixture::new();
    let reg = f.submit(true);
    let before = block_on(cases::load(&f.store, reg.id)).expect("load");
    assert_eq!(
        f.apply(reg.id, Role::Citizen, Command::Approve)
            .map(|t| t.case),
        Err(AppError::Lifecycle(LifecycleError::NotAllowed {
            command: minyi::case::CommandKind::Approve,
            status: Status::Registered
        }))
    );
    assert_eq!(
        f.apply(
            reg.id,
            Role::Operator,
            Command::Dispatch {
                lead: 99,
                co_handlers: vec![],
                method: minyi::case::DispatchMethod::Written,
            }
        )
        .map(|t| t.case),
        Err(AppError::Invalid {
            field: "department",
            problem: "没有该单位 / no such department".into()
        })
    );
    assert_eq!(block_on(cases::load(&f.store, reg.id)), Ok(before));
    assert_eq!(
        f.count(
            "SELECT count(*) AS n FROM case_event WHERE case_id = ?",
            reg.id
        ),
        1
    );
    assert_eq!(
        f.count(
            "SELECT count(*) AS n FROM case_department WHERE case_id = ?",
            reg.id
        ),
        0
    );
}

#[test]
fn two_writers_on_one_case_cannot_both_win() {
    let f = Fixture::new();
    let reg = f.submit(true);
    let loaded = block_on(cases::load(&f.store, reg.id)).expect("load");
    // The first writer dispatches; the second decided on the same old state.
    f.apply(
        reg.id,
        Role::Operator,
        Command::Dispatch {
            lead: 7,
            co_handlers: vec![],
            method: minyi::case::DispatchMethod::Written,
        },
    )
    .expect("first");
    let ctx = minyi::case::Context {
        now: f.host_now(),
        calendar: &f.calendar,
        policy: &f.policy,
    };
    let stale = loaded
        .handle(
            &Actor::anonymous(Role::Operator),
            Command::Dispatch {
                lead: 8,
                co_handlers: vec![],
                method: minyi::case::DispatchMethod::Written,
            },
            &ctx,
        )
        .expect("decided on stale state");
    let result = block_on(cases::store_transition(
        &f.store, reg.id, &loaded, &stale, 0,
    ));
    assert_eq!(result, Err(AppError::Conflict));
    let now = block_on(cases::load(&f.store, reg.id)).expect("load");
    assert_eq!(now.lead, Some(7));
}

#[test]
fn tracking_number_collisions_are_retried() {
    let f = Fixture::new();
    let a = f.submit(true);
    // The next draw repeats a's random bytes: b's first tracking number is a's, its insert
    // collides, and only a second attempt with new bytes can register it.
    let before = f.host.draws();
    f.host.repeat_next_draws(1);
    let b = f.submit(true);
    assert_ne!(a.tracking, b.tracking);
    assert_eq!(
        f.host.draws() - before,
        2,
        "a public case draws once per attempt: two attempts, so one collision"
    );
}

#[test]
fn sweeps_find_exactly_the_duties_that_fell_due() {
    let f = Fixture::new();
    let reg = f.submit(true);
    let due = reg.case.due_at.expect("due");
    let first_response = reg.case.duties.first_response_by.expect("online case");
    // The cases the sweep's query finds at `t` with duties due then, and those duties.
    let due_now = |t: Timestamp| -> Vec<(i64, Vec<Duty>)> {
        block_on(cases::due(&f.store, t, 100))
            .expect("due")
            .into_iter()
            .map(|c| {
                let duties = Duty::ALL
                    .iter()
                    .copied()
                    .filter(|d| d.is_due(&c.duties, t))
                    .collect();
                (c.id, duties)
            })
            .filter(|(_, duties): &(i64, Vec<Duty>)| !duties.is_empty())
            .collect()
    };
    let ms = jiff::SignedDuration::from_millis(1);
    // A first response is in time at its "by" instant, late a millisecond after.
    assert!(due_now(first_response).is_empty());
    assert_eq!(
        due_now(first_response + ms),
        vec![(reg.id, vec![Duty::FirstResponse])]
    );
    assert_eq!(
        due_now(due),
        vec![(
            reg.id,
            vec![Duty::FirstResponse, Duty::Remind, Duty::Escalate]
        )]
    );
    // Doing the duty removes it from the sweep.
    f.host
        .set(first_response + jiff::SignedDuration::from_secs(1));
    f.apply(reg.id, Role::System, Command::MarkFirstResponseLate)
        .expect("mark");
    assert_eq!(
        due_now(due),
        vec![(reg.id, vec![Duty::Remind, Duty::Escalate])]
    );
    let second = f.apply(reg.id, Role::System, Command::MarkFirstResponseLate);
    assert!(matches!(
        second,
        Err(AppError::Lifecycle(LifecycleError::WindowClosed { .. }))
    ));
}

impl Fixture {
    fn host_now(&self) -> Timestamp {
        use minyi::app::Host;
        self.host.now()
    }
}

#[test]
fn a_deployment_adds_next_year_without_a_release() {
    use minyi::app::{calendar, rulebook};
    let f = Fixture::new();
    let d = |m, day| Date::constant(2027, m, day);
    // 2027 has no built-in data: Monday–Friday, provisional.
    let before = block_on(rulebook::load(&f.store))
        .map(|r| r.calendar)
        .expect("load");
    assert!(!before.covers(2027));
    assert!(before.day(d(2, 8)).provisional);
    assert!(before.is_working_day(d(2, 8)));
    // Bad text is refused with its line, and stores nothing.
    let refused = block_on(calendar::save_year(
        &f.store,
        &f.host,
        2027,
        "2027 春节 02-30",
        "test",
    ));
    assert!(
        matches!(
            refused,
            Err(AppError::Invalid {
                field: "schedule",
                ..
            })
        ),
        "{refused:?}"
    );
    let wrong_year = block_on(calendar::save_year(
        &f.store,
        &f.host,
        2027,
        "2028 元旦 01-01",
        "test",
    ));
    assert!(matches!(
        wrong_year,
        Err(AppError::Invalid {
            field: "schedule",
            ..
        })
    ));
    assert!(
        !block_on(rulebook::load(&f.store))
            .map(|r| r.calendar)
            .expect("load")
            .covers(2027)
    );
    // A schedule typed in from the notice takes effect at once.
    let text = "2027 元旦 01-01..01-03\n2027 春节 02-06..02-13 上班 02-20\n";
    block_on(calendar::save_year(
        &f.store,
        &f.host,
        2027,
        text,
        "国办发明电〔2026〕X号",
    ))
    .expect("save");
    let after = block_on(rulebook::load(&f.store))
        .map(|r| r.calendar)
        .expect("load");
    assert!(after.covers(2027));
    assert!(
        !after.is_working_day(d(2, 8)),
        "Monday in the Spring Festival block"
    );
    assert!(after.is_working_day(d(2, 20)), "make-up Saturday");
    assert!(!after.day(d(2, 8)).provisional);
    // Saving again replaces the year.
    block_on(calendar::save_year(
        &f.store,
        &f.host,
        2027,
        "2027 元旦 01-01",
        "更正",
    ))
    .expect("save");
    let replaced = block_on(rulebook::load(&f.store))
        .map(|r| r.calendar)
        .expect("load");
    assert!(replaced.is_working_day(d(2, 8)));
    // And deadlines over the new year are no longer provisional.
    let received = at(d(2, 4), 10);
    let deadline = replaced
        .deadline(
            received,
            minyi::calendar::Limit::WorkingDays(5),
            &Default::default(),
        )
        .expect("deadline");
    assert!(!deadline.provisional);
    assert!(
        before
            .deadline(
                received,
                minyi::calendar::Limit::WorkingDays(5),
                &Default::default()
            )
            .expect("deadline")
            .provisional
    );
}

#[test]
fn a_retried_submission_registers_one_case_and_returns_the_same_code() {
    use minyi::app::idempotency::{Idempotency, KEY_TTL_MS};
    let f = Fixture::new();
    let keyed = |scope: &str, key: &str| Idempotency {
        scope: scope.into(),
        key: key.into(),
    };
    let input = NewCase {
        facts: Facts {
            channel: Channel::Web,
            category: Category::Consultation,
            urgency: Urgency::Normal,
            complexity: Complexity::Ordinary,
            publish_consent: false,
        },
        title: "公积金提取".into(),
        body: "请问异地购房如何提取公积金？".into(),
        contact: Contact::default(),
        location: Location::default(),
        idempotency: Some(keyed("api:client-a", "retry-key-0123456789abcdef")),
        intake: Default::default(),
    };
    let register = |input: &NewCase| f.register(input.clone(), None);
    let cases = || f.count("SELECT count(*) AS n FROM \"case\" WHERE id >= ?", 0);
    let first = register(&input).expect("first");
    assert!(!first.replayed);
    let again = register(&input).expect("retry");
    assert!(again.replayed);
    assert_eq!((again.id, &again.tracking), (first.id, &first.tracking));
    assert_eq!(again.query_code, first.query_code);
    assert!(first.query_code.is_some());
    assert_eq!(cases(), 1);

    // The same key with another body: refused, and nothing of the first case comes back.
    let mut other = input.clone();
    other.body = "另一条留言".into();
    assert_eq!(register(&other).map(|r| r.id), Err(AppError::KeyReused));
    assert_eq!(cases(), 1);

    // The same key from another client is that client's own: a new case, another code.
    let mut elsewhere = input.clone();
    elsewhere.idempotency = Some(keyed("api:client-b", "retry-key-0123456789abcdef"));
    let theirs = register(&elsewhere).expect("another client");
    assert!(!theirs.replayed);
    assert_ne!(theirs.id, first.id);
    assert_ne!(theirs.query_code, first.query_code);
    assert_eq!(cases(), 2);

    // Keys expire: a day later the same key and body register a new case.
    f.host.set(
        f.host
            .now()
            .checked_add(jiff::SignedDuration::from_millis(KEY_TTL_MS + 1))
            .expect("later"),
    );
    let later = register(&input).expect("after expiry");
    assert!(!later.replayed);
    assert_ne!(later.id, first.id);
    assert_eq!(cases(), 3);

    let mut short = input;
    short.idempotency = Some(keyed("api:client-a", "short"));
    assert!(matches!(
        register(&short),
        Err(AppError::Invalid {
            field: "idempotency_key",
            ..
        })
    ));
}

/// A citizen's public complaint from the web form, with nothing but its text.
fn noise_complaint() -> NewCase {
    NewCase {
        facts: Facts {
            channel: Channel::Web,
            category: Category::Complaint,
            urgency: Urgency::Normal,
            complexity: Complexity::Ordinary,
            publish_consent: true,
        },
        title: "噪音".into(),
        body: "夜间施工。".into(),
        contact: Contact::default(),
        location: Location::default(),
        idempotency: None,
        intake: Default::default(),
    }
}

#[test]
fn a_spent_submission_budget_refuses_the_whole_registration() {
    use minyi::app::cases::Budget;
    let f = Fixture::new();
    let budget = Budget {
        key: "client-a:1".into(),
        limit: 2,
        window_ends: at(Date::constant(2026, 9, 29), 11),
    };
    let submit = |b: &Budget| f.register(noise_complaint(), Some(b));
    assert!(submit(&budget).is_ok());
    assert!(submit(&budget).is_ok());
    assert_eq!(submit(&budget).map(|r| r.id), Err(AppError::OverBudget));
    assert_eq!(
        f.count("SELECT count(*) AS n FROM \"case\" WHERE id >= ?", 0),
        2,
        "nothing of the refused batch stays"
    );
    // Another client, and the next window, have budgets of their own; windows that ended stay
    // until the sweep deletes them (tests/ops_native.rs), off the submission's path.
    assert!(
        submit(&Budget {
            key: "client-b:1".into(),
            ..budget.clone()
        })
        .is_ok()
    );
    f.host.set(at(Date::constant(2026, 9, 29), 12));
    assert!(
        submit(&Budget {
            key: "client-a:2".into(),
            window_ends: at(Date::constant(2026, 9, 29), 13),
            ..budget
        })
        .is_ok()
    );
    assert_eq!(
        f.count(
            "SELECT count(*) AS n FROM submission_budget WHERE used >= ?",
            0
        ),
        3
    );
}

/// A store that remembers how many statements each batch it was given had.
struct CountingBatches<'a> {
    inner: &'a SqliteStore,
    sizes: std::cell::RefCell<Vec<usize>>,
}

impl Store for CountingBatches<'_> {
    async fn query(&self, statement: Statement) -> Result<Vec<minyi::store::Row>, StoreError> {
        self.inner.query(statement).await
    }

    async fn execute(&self, statement: Statement) -> Result<u64, StoreError> {
        self.inner.execute(statement).await
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<u64>, StoreError> {
        self.sizes.borrow_mut().push(statements.len());
        self.inner.batch(statements).await
    }
}

#[test]
fn migration_0015_registers_in_one_statement_what_three_wrote_before_it() {
    use minyi::app::cases::Budget;
    // On 0014, with this code (on Spin the new code applies the migration): the view is not
    // there yet, so the registration falls back to its three statements.
    let f = Fixture::migrated_through(Some("0014_case_keys.sql"));
    let counting = CountingBatches {
        inner: &f.store,
        sizes: Default::default(),
    };
    let budget = Budget {
        key: "client-a:1".into(),
        limit: 2,
        window_ends: at(Date::constant(2026, 9, 29), 11),
    };
    let citizen = |b: Option<&Budget>| {
        let input = NewCase {
            contact: Contact {
                name: Some("张三".into()),
                ..Default::default()
            },
            ..noise_complaint()
        };
        let actor = Actor::anonymous(Role::Citizen);
        block_on(cases::register(
            &counting,
            &f.host,
            f.rules(),
            input,
            actor,
            b,
        ))
    };
    let before = citizen(Some(&budget)).expect("before 0015");
    assert_eq!(
        counting.sizes.take(),
        vec![2, 4],
        "the view is missing, then case, event, budget and contact"
    );

    assert_eq!(
        f.store
            .migrate_through(Some("0015_case_registration.sql"))
            .expect("upgrade"),
        vec!["0015_case_registration.sql"]
    );
    let after = citizen(Some(&budget)).expect("after 0015");
    assert_eq!(
        counting.sizes.take(),
        vec![2],
        "the view's insert and the contact"
    );

    // The same rows, but for the keys and the query code, whichever way they were written.
    let columns = |table: &str| {
        let info = format!("SELECT name FROM pragma_table_info('{table}')");
        block_on(f.store.query(Statement::new(info)))
            .expect("columns")
            .iter()
            .map(|r| r.get::<String>("name").expect("name"))
            .filter(|c| !["id", "tracking_no", "query_code_hash", "case_id"].contains(&c.as_str()))
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let written = |id: i64| {
        ["case", "case_event", "case_contact"].map(|table| {
            let key = if table == "case" { "id" } else { "case_id" };
            let sql = format!("SELECT {} FROM \"{table}\" WHERE {key} = ?", columns(table));
            block_on(f.store.query(Statement::new(sql).bind(id))).expect(table)
        })
    };
    let (first, second) = (written(before.id), written(after.id));
    assert_eq!(first.each_ref().map(Vec::len), [1, 1, 1]);
    assert_eq!(first, second);
    assert_eq!(
        f.count(
            "SELECT count(*) AS n FROM submission_budget WHERE used = ?",
            2
        ),
        1,
        "both counted in the client's window"
    );

    // A spent budget refuses the whole statement; staff registrations count against none.
    assert_eq!(
        citizen(Some(&budget)).map(|r| r.id),
        Err(AppError::OverBudget)
    );
    assert_eq!(counting.sizes.take(), vec![2]);
    assert_eq!(
        f.count("SELECT count(*) AS n FROM case_event WHERE seq = ?", 1),
        2,
        "nothing of it stays"
    );
    let staff = NewCase {
        facts: Facts {
            channel: Channel::Phone,
            ..noise_complaint().facts
        },
        ..noise_complaint()
    };
    let operator = Actor::anonymous(Role::Operator);
    block_on(cases::register(
        &counting,
        &f.host,
        f.rules(),
        staff,
        operator,
        None,
    ))
    .expect("staff");
    assert_eq!(counting.sizes.take(), vec![1], "the view's insert alone");
    assert_eq!(
        f.count(
            "SELECT count(*) AS n FROM submission_budget WHERE used >= ?",
            0
        ),
        1,
        "no budget row for staff"
    );
    assert_eq!(
        f.count("SELECT count(*) AS n FROM case_event WHERE seq = ?", 1),
        3
    );
}

#[test]
fn migration_0011_keeps_every_case_event_and_link_and_finds_the_same_duties() {
    // A database with cases in every shape 0011 touches (pending duties, co-handlers, contacts,
    // several events), upgraded in place: nothing is lost and the sweep sees what was due.
    let f = Fixture::migrated_through(Some("0010_meetings.sql"));
    let handled = f.submit(true);
    f.apply(
        handled.id,
        Role::Operator,
        Command::Dispatch {
            lead: 7,
            co_handlers: vec![8],
            method: minyi::case::DispatchMethod::Written,
        },
    )
    .expect("dispatch");
    f.apply(handled.id, Role::Department(7), Command::Accept)
        .expect("accept");
    let waiting = f.submit(false);
    let rows = |sql: &'static str| block_on(f.store.query(Statement::new(sql))).expect(sql);
    let events = "SELECT * FROM case_event ORDER BY case_id, seq";
    let links = "SELECT * FROM case_department ORDER BY case_id, department_id";
    let contacts = "SELECT * FROM case_contact ORDER BY case_id";
    let before = (rows(events), rows(links), rows(contacts));
    assert!(before.0.len() >= 4 && before.1.len() == 2 && before.2.len() == 2);

    assert_eq!(
        f.store
            .migrate_through(Some("0011_fewer_index_writes.sql"))
            .expect("upgrade"),
        vec!["0011_fewer_index_writes.sql"]
    );
    assert_eq!((rows(events), rows(links), rows(contacts)), before);
    assert!(rows("SELECT * FROM pragma_foreign_key_check").is_empty());
    let integrity: String = rows("PRAGMA integrity_check")[0]
        .get("integrity_check")
        .expect("integrity_check");
    assert_eq!(integrity, "ok");
    // Each case is due exactly at its earliest pending duty, as the case row says.
    for case in [&handled, &waiting] {
        let loaded = block_on(cases::load(&f.store, case.id)).expect("load");
        let earliest = Duty::ALL
            .iter()
            .filter_map(|d| d.pending(&loaded.duties))
            .min()
            .expect("a pending duty");
        let due = |t| block_on(cases::due(&f.store, t, 100)).expect("due");
        assert!(
            due(earliest - jiff::SignedDuration::from_millis(1))
                .iter()
                .all(|c| c.id != case.id)
        );
        assert!(
            due(earliest)
                .iter()
                .any(|c| c.id == case.id && c.duties == loaded.duties)
        );
    }
    // Events still refuse changes.
    assert!(
        block_on(f.store.execute(Statement::new("DELETE FROM case_event"))).is_err(),
        "case_event stays append-only"
    );
}

#[test]
fn migration_0012_keeps_the_budgets_and_retry_keys_and_they_still_count_and_replay() {
    use minyi::app::cases::Budget;
    use minyi::app::idempotency::{Idempotency, KEY_TTL_MS};
    use minyi::app::sweep;
    let f = Fixture::migrated_through(Some("0011_fewer_index_writes.sql"));
    let budget = Budget {
        key: "client-a:1".into(),
        limit: 2,
        window_ends: at(Date::constant(2026, 9, 29), 11),
    };
    let input = NewCase {
        idempotency: Some(Idempotency {
            scope: "form".into(),
            key: "form-token-0123456789abcdef".into(),
        }),
        ..noise_complaint()
    };
    let register = |input: &NewCase| f.register(input.clone(), Some(&budget));
    // This code on the schema before 0012 (a deployment upgrades the code first on Spin, where
    // migrations are applied through the new code's ops entry): it registers, and sweeps.
    let first = register(&input).expect("first");
    let swept = block_on(sweep::run(&f.store, &f.host, f.rules(), sweep::BATCH)).expect("sweep");
    assert_eq!((swept.ended_budgets, swept.expired_keys), (0, 0));
    let rows = |sql: &'static str| block_on(f.store.query(Statement::new(sql))).expect(sql);
    let budgets = "SELECT key, used, budget, expires_at FROM submission_budget ORDER BY key";
    let keys = "SELECT * FROM idempotency ORDER BY scope, key";
    let before = (rows(budgets), rows(keys));
    assert_eq!((before.0.len(), before.1.len()), (1, 1));

    assert_eq!(
        f.store
            .migrate_through(Some("0012_keyed_counters.sql"))
            .expect("upgrade"),
        vec!["0012_keyed_counters.sql"]
    );
    assert_eq!((rows(budgets), rows(keys)), before);
    assert!(rows("SELECT * FROM pragma_foreign_key_check").is_empty());
    let integrity: String = rows("PRAGMA integrity_check")[0]
        .get("integrity_check")
        .expect("integrity_check");
    assert_eq!(integrity, "ok");

    // The retry key still finds its case; the budget counts on from where it was.
    let again = register(&input).expect("retry");
    assert!(again.replayed);
    assert_eq!(again.id, first.id);
    let mut other = input.clone();
    other.idempotency = None;
    assert!(register(&other).is_ok(), "the window's second submission");
    assert_eq!(register(&other).map(|r| r.id), Err(AppError::OverBudget));

    // The sweep deletes the ended window and the expired key.
    f.host.set(
        f.host
            .now()
            .checked_add(jiff::SignedDuration::from_millis(KEY_TTL_MS + 1))
            .expect("later"),
    );
    let report = block_on(sweep::run(&f.store, &f.host, f.rules(), sweep::BATCH)).expect("sweep");
    assert_eq!((report.ended_budgets, report.expired_keys), (1, 1));
    assert!(rows(budgets).is_empty() && rows(keys).is_empty());
}

#[test]
fn migration_0014_keeps_every_case_and_all_that_hangs_on_it_with_two_keys_fewer() {
    use minyi::app::idempotency::Idempotency;
    use minyi::app::public::{self, Filter};
    use minyi::case::Dismissal;
    // On the schema before 0014, with this code (on Spin the new code applies the migration):
    // cases in every shape the rebuild touches — contacts and co-handlers (the cascades), a
    // published reply in the search index, a rating, a retry key, an import, a duplicate.
    let f = Fixture::migrated_through(Some("0013_queue_indexes.sql"));
    let answered = f.submit(true);
    for (role, command) in steps_to_a_rated_reply() {
        f.apply(answered.id, role, command).expect("step");
    }
    let waiting = f.submit(false);
    let duplicate = f.submit(true);
    f.apply(
        duplicate.id,
        Role::Operator,
        Command::Dismiss {
            reason: Dismissal::Duplicate,
            note: "同一路灯".into(),
            duplicate_of: Some(answered.id),
        },
    )
    .expect("dismiss");
    let keyed = NewCase {
        idempotency: Some(Idempotency {
            scope: "form".into(),
            key: "form-token-0123456789abcdef".into(),
        }),
        ..noise_complaint()
    };
    f.register(keyed.clone(), None).expect("keyed");
    let import = NewCase {
        intake: cases::Intake {
            source: Some(("hotline-2025".into(), "A-0001".into())),
            ..Default::default()
        },
        ..noise_complaint()
    };
    let imported = f.register(import.clone(), None).expect("import");

    let rows = |sql: &'static str| block_on(f.store.query(Statement::new(sql))).expect(sql);
    let tables = [
        "SELECT * FROM \"case\" ORDER BY id",
        "SELECT * FROM case_contact ORDER BY case_id",
        "SELECT * FROM case_department ORDER BY case_id, department_id",
        "SELECT * FROM case_event ORDER BY case_id, seq",
        "SELECT * FROM reply ORDER BY id",
        "SELECT * FROM rating ORDER BY case_id, round",
        "SELECT * FROM idempotency ORDER BY scope, key",
        "SELECT * FROM pragma_table_xinfo('case') ORDER BY cid",
    ];
    let snapshot = || tables.map(rows);
    // Every index and trigger, whitespace aside, but the unique keys (whose SQL is NULL).
    let objects = "SELECT type, name, tbl_name, sql FROM sqlite_master \
                   WHERE type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY name";
    let normalized = || {
        rows(objects)
            .iter()
            .map(|r| {
                let sql: String = r.get("sql").expect("sql");
                let name: String = r.get("name").expect("name");
                (name, sql.split_whitespace().collect::<Vec<_>>().join(" "))
            })
            .collect::<Vec<_>>()
    };
    let searched = || {
        let filter = Filter {
            search: Some("路灯".into()),
            ..Default::default()
        };
        block_on(public::list(&f.store, &filter, None, 10))
            .expect("search")
            .cases
            .iter()
            .map(|c| c.tracking.clone())
            .collect::<Vec<_>>()
    };
    let before = snapshot();
    assert_eq!(
        (
            before[1].len(),
            before[2].len(),
            before[5].len(),
            before[6].len()
        ),
        (3, 2, 1, 1),
        "contacts, co-handling links, the rating and the retry key are there to keep"
    );
    let objects_before = normalized();
    assert_eq!(searched(), vec![answered.tracking.clone()]);

    assert_eq!(
        f.store
            .migrate_through(Some("0014_case_keys.sql"))
            .expect("upgrade"),
        vec!["0014_case_keys.sql"]
    );
    assert_eq!(snapshot(), before, "every row and column as it was");
    assert!(rows("SELECT * FROM pragma_foreign_key_check").is_empty());
    let integrity: String = rows("PRAGMA integrity_check")[0]
        .get("integrity_check")
        .expect("integrity_check");
    assert_eq!(integrity, "ok");
    let mut expected = objects_before;
    expected.push((
        "case_by_source".into(),
        "CREATE UNIQUE INDEX case_by_source ON \"case\" (source_system, external_ref) \
         WHERE source_system IS NOT NULL"
            .into(),
    ));
    expected.sort();
    assert_eq!(
        normalized(),
        expected,
        "the same indexes and triggers, and the import key"
    );
    let unique: Vec<String> = rows("SELECT name FROM pragma_index_list('case') WHERE \"unique\"")
        .iter()
        .map(|r| r.get("name").expect("name"))
        .collect();
    assert_eq!(
        unique,
        vec!["case_by_source".to_string()],
        "no other unique key"
    );
    assert!(
        !rows("SELECT name FROM sqlite_master WHERE name LIKE '%_0014'")
            .iter()
            .any(|_| true),
        "the copies are gone"
    );

    // The cases are found as before; the search index still answers; an import is found again.
    assert_eq!(searched(), vec![answered.tracking.clone()]);
    for case in [&answered, &waiting, &duplicate, &imported] {
        let page = block_on(public::case_page(
            &f.store,
            SECRET,
            &case.tracking,
            case.query_code.as_ref(),
        ));
        assert_eq!(page.map(|p| p.tracking), Ok(case.tracking.clone()));
    }
    let again = f.register(import, None).expect("import again");
    assert!(again.replayed);
    assert_eq!(again.id, imported.id);
    assert!(f.register(keyed, None).expect("retry").replayed);
    // The foreign keys hold on the new table: nothing can point at a case that is not there.
    assert!(
        block_on(f.store.execute(Statement::new(
            "INSERT INTO case_contact (case_id, name) VALUES (1, 'x')"
        )))
        .is_err()
    );
    // A new case registers, and one whose id repeats it is retried with new bits.
    let fresh = f.submit(true);
    let before = f.host.draws();
    f.host.repeat_next_draws(1);
    let next = f.submit(true);
    assert_eq!(f.host.draws() - before, 2, "one collision, retried");
    assert_ne!(next.tracking, fresh.tracking);
}
