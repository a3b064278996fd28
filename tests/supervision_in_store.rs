//! The supervisors' lists against the native SQLite adapter: open overdue and escalated
//! cases counted by lead department and listed longest overdue first, a page at a time.

use jiff::SignedDuration;
use jiff::civil::Date;
use minyi::app::cases::{self, Contact, Location, NewCase, Rules};
use minyi::app::supervision::{self, Scope};
use minyi::calendar::{BEIJING, Calendar, Timestamp};
use minyi::case::{Actor, Category, Channel, Command, Complexity, Facts, Role, Urgency};
use minyi::policy::Policy;
use minyi::store::{Statement, Store};
use minyi_sqlite::SqliteStore;
use minyi_tests::TestHost;
use pollster::block_on;

fn monday() -> Timestamp {
    BEIJING
        .to_timestamp(Date::constant(2026, 11, 2).at(10, 0, 0, 0))
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
        let store = SqliteStore::open_in_memory().expect("open");
        store.migrate().expect("migrate");
        block_on(store.batch(vec![
            Statement::new("INSERT INTO department (id, code, name_zh, name_en) VALUES (7, 'roads', '市城管局', 'Urban Management')"),
            Statement::new("INSERT INTO department (id, code, name_zh, name_en) VALUES (8, 'water', '市水务局', 'Water Bureau')"),
        ]))
        .expect("departments");
        Self {
            store,
            host: TestHost::at(monday()),
            calendar: Calendar::builtin(),
            policy: Policy::default(),
        }
    }

    fn rules(&self) -> Rules<'_> {
        Rules {
            calendar: &self.calendar,
            policy: &self.policy,
            rulebook: 0,
            secret: b"test secret",
        }
    }

    /// A complaint registered now and dispatched to `lead`; its id and stored tracking number.
    fn dispatched(&self, lead: i64) -> (i64, String) {
        let registered = block_on(cases::register(
            &self.store,
            &self.host,
            self.rules(),
            NewCase {
                facts: Facts {
                    channel: Channel::Web,
                    category: Category::Complaint,
                    urgency: Urgency::Normal,
                    complexity: Complexity::Ordinary,
                    publish_consent: true,
                },
                title: "路灯不亮".into(),
                body: "人民路路灯坏了。".into(),
                contact: Contact {
                    name: Some("张三".into()),
                    phone: Some("13800138000".into()),
                    email: None,
                },
                location: Location::default(),
                idempotency: None,
                intake: Default::default(),
            },
            Actor::anonymous(Role::Citizen),
            None,
        ))
        .expect("register");
        self.apply(
            registered.id,
            Role::Operator,
            Command::Dispatch {
                lead,
                co_handlers: Vec::new(),
                method: minyi::case::DispatchMethod::Written,
            },
        );
        let tracking = block_on(self.store.query(
            Statement::new("SELECT tracking_no FROM \"case\" WHERE id = ?").bind(registered.id),
        ))
        .expect("query")[0]
            .get("tracking_no")
            .expect("tracking");
        (registered.id, tracking)
    }

    fn apply(&self, id: i64, role: Role, command: Command) {
        block_on(cases::apply(
            &self.store,
            &self.host,
            self.rules(),
            id,
            &Actor::anonymous(role),
            command,
        ))
        .expect("apply");
    }
}

#[test]
fn overdue_and_escalated_cases_are_counted_and_listed_longest_overdue_first() {
    let f = Fixture::new();
    let (first, first_tracking) = f.dispatched(7);
    let (early, early_tracking) = f.dispatched(8);
    let (_quiet, quiet_tracking) = f.dispatched(7);
    // Escalated before its deadline: on the list, not overdue.
    f.apply(early, Role::Supervisor, Command::Escalate);
    f.host.set(monday() + SignedDuration::from_hours(24));
    let (second, second_tracking) = f.dispatched(7);
    // A month later both of department 7's cases are escalated past their deadlines.
    f.host.set(monday() + SignedDuration::from_hours(24 * 30));
    f.apply(second, Role::Supervisor, Command::Escalate);
    f.apply(first, Role::Supervisor, Command::Escalate);

    let counts = block_on(supervision::counts(&f.store)).expect("counts");
    let summary: Vec<(Option<i64>, &str, i64, i64)> = counts
        .iter()
        .map(|c| (c.department, c.name_zh.as_str(), c.overdue, c.escalated))
        .collect();
    assert_eq!(
        summary,
        [(Some(7), "市城管局", 2, 2), (Some(8), "市水务局", 0, 1)]
    );

    let (all, more) = block_on(supervision::list(&f.store, Scope::All, 1)).expect("list");
    assert!(!more);
    let trackings: Vec<&str> = all.iter().map(|w| w.tracking.as_str()).collect();
    // Department 7 first, its longest overdue case (due a day earlier) at the top.
    assert_eq!(
        trackings,
        [&first_tracking, &second_tracking, &early_tracking]
    );
    assert!(!trackings.contains(&quiet_tracking.as_str()));
    assert!(all[0].overdue_since < all[1].overdue_since);
    assert_eq!(
        all[0].overdue_since, all[0].due_at,
        "overdue since the deadline"
    );
    assert_eq!((all[2].overdue_since, all[2].escalations), (None, 1));

    let water = block_on(supervision::list(&f.store, Scope::Department(8), 1)).expect("list");
    assert_eq!(water.0.len(), 1);
    assert_eq!(water.0[0].tracking, early_tracking);
    let none = block_on(supervision::list(&f.store, Scope::Unassigned, 1)).expect("list");
    assert!(none.0.is_empty());
    // Page 0 is page 1; a page past the end is empty.
    assert_eq!(
        block_on(supervision::list(&f.store, Scope::All, 0))
            .expect("list")
            .0,
        all
    );
    assert_eq!(
        block_on(supervision::list(&f.store, Scope::All, 2)).expect("list"),
        (Vec::new(), false)
    );
}

#[test]
fn the_list_is_paged() {
    let f = Fixture::new();
    let total = supervision::PAGE as usize + 3;
    for _ in 0..total {
        let (id, _) = f.dispatched(7);
        f.apply(id, Role::Supervisor, Command::Escalate);
    }
    let (first, more) = block_on(supervision::list(&f.store, Scope::All, 1)).expect("list");
    assert_eq!((first.len(), more), (supervision::PAGE as usize, true));
    let (second, more) = block_on(supervision::list(&f.store, Scope::All, 2)).expect("list");
    assert_eq!((second.len(), more), (3, false));
    assert!(
        second
            .iter()
            .all(|w| first.iter().all(|f| f.tracking != w.tracking))
    );
}
