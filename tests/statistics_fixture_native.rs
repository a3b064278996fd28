//! The statistics of issue 11 against a hand-computed fixture: 32 cases on native adapters,
//! moved through the app layer with the test host's clock, the sweep driven through
//! `POST /ops/sweep`, the report read through the desk. The fixture spans National Day 2026
//! (holiday 10-01..10-07, make-up working days Sun 09-20 and Sat 10-10, as `holidays-cn.txt`
//! says: `2026 国庆节 10-01..10-07 上班 09-20 10-10`), and holds a return, two extensions, a
//! redo once and two in a row, three unsatisfied ratings (one reopen confirmed: a second
//! round; two declined), late first responses, escalations by the sweep (twice for two cases),
//! all three rating levels and replies closed unrated, duplicates reported three times, an
//! answer on the spot, and a criticism record made by hand.
//!
//! ## Deadlines (working days end at 24:00 of the n-th working day after the start date)
//!
//! | dispatched | method | counted working days | due |
//! | --- | --- | --- | --- |
//! | Wed 09-30 | phone (3) | 10-08, 10-09, **Sat 10-10** (make-up day) | Sat 10-10 24:00 (a calendar without the holiday would say Mon 10-05) |
//! | Wed 09-30 | written (7) | 10-08, 09, 10, 12, 13, 14, 15 | Thu 10-15 24:00 |
//! | Thu 10-08 | written (7) | 10-09, 10, 12, 13, 14, 15, 16 | Fri 10-16 24:00 |
//! | Thu 10-08 | phone (3) | 10-09, 10, 12 | Mon 10-12 24:00 |
//! | Mon 10-12 | written (7) | 10-13, 14, 15, 16, 19, 20, 21 | Wed 10-21 24:00 |
//! | Mon 10-12 | phone (3) | 10-13, 14, 15 | Thu 10-15 24:00 |
//! | Mon 10-19 | written (7) | 10-20, 21, 22, 23, 26, 27, 28 | Wed 10-28 24:00 |
//! | Thu 10-22 (reopen) | written (7) | 10-23, 26, 27, 28, 29, 30, 11-02 | Mon 11-02 24:00 |
//! | Mon 11-02 | written (7) | 11-03, 04, 05, 06, 09, 10, 11 | Wed 11-11 24:00 |
//!
//! A web case received on Sat 10-03 (holiday) owes its first response 3 working hours from the
//! next office period: Thu 10-08 08:30 + 3 h = 11:30. The sweep escalates at the deadline
//! (marking the case overdue) and again 2 working days later: due Fri 10-16 24:00 → second
//! escalation due Tue 10-20 24:00 (10-19, 10-20). The rating window is 7 calendar days:
//! published Wed 10-14 → open until Wed 10-21 24:00; published Fri 10-16 → Fri 10-23 24:00.
//!
//! ## The cases (D1 市城管局 urban, D2 市水务局 water; web cases owe a first response)
//!
//! | case | received | dispatched | what happens | answered | rated |
//! | --- | --- | --- | --- | --- | --- |
//! | S1 | 09-30 phone | 09-30 D1 phone | due Sat 10-10 | Sat 10-10 on time (the make-up day) | 10-12 满意 |
//! | S2 | 09-30 phone | 09-30 D1 phone | sweep Sun 10-11: escalated, overdue | 10-12 late | 10-13 基本满意 |
//! | S3 | 09-30 phone | 09-30 D1 written | extended on 10-14 to 10-23 24:00; 不满意 → reopen confirmed 10-22, round 2 due 11-02 | 10-21 on time; 10-30 on time | 10-22 不满意; 11-02 满意 |
//! | S4 | 09-30 phone | 09-30 D1 written | D1 asks to return it 10-08 (approved); re-dispatched 10-08 14:00 to D2 written | 10-15 on time (D2) | 10-16 满意 |
//! | A1, A2, A4 | 10-03 web | 10-08 09:00 D1 written | first response on time; A4 rejected once (10-12) | 10-14 on time | 10-15 满意, 基本满意, 满意 |
//! | A3 | 10-03 web | 10-08 09:00 D1 written | | 10-14 on time | never: closed unrated by the sweep of 10-24 |
//! | A5 | 10-03 web | 10-08 09:00 D1 written | rejected 10-12 and 10-13: twice in a row | 10-15 on time | 10-16 基本满意 |
//! | A6 | 10-03 web | 10-08 09:00 D1 written | escalated 10-17 (overdue) and 10-21 (twice) | 11-03 late | 11-04 基本满意 |
//! | B1, B2, B3 | 10-03 web | 10-08 14:00 D1 phone | first response late (swept 10-08 12:00) | 10-12 on time; 10-13 late; 10-14 11:00 late | 10-13 满意; 10-14 满意; 10-15 不满意 (reopen declined) |
//! | B4 | 10-03 web | 10-08 14:00 D2 phone | first response late | 10-12 on time | 10-13 满意 |
//! | C1–C4 | 10-08 phone | 10-08 D2 written | | C1–C3 10-15, C4 10-16, on time | 10-16 满意, 基本满意, 不满意 (declined); C4 closed unrated 10-24 |
//! | C5 | 10-08 phone | 10-08 D2 written | extended on 10-15 to 10-23 24:00 | 10-22 on time | 10-23 满意 |
//! | C6 | 10-08 phone | 10-08 D2 written | escalated 10-17 (overdue) and 10-21 (twice) | 10-22 late | 10-23 基本满意 |
//! | E1 | 10-09 phone | — | answered on the spot (a consultation) | | |
//! | R | 10-12 web | 10-12 D1 written | reported again as R2 (10-13) and R3 (10-14): three reports, unanswered | 10-20 on time | 10-21 满意 |
//! | R2, R3 | 10-13, 10-14 web | — | dismissed as duplicates of R | | |
//! | G1–G4 | 10-12 web | 10-12 D2 phone | | 10-14 on time | 10-15 满意, 满意, 基本满意; G4 closed unrated 10-24 |
//! | F1 | 10-19 web | 10-19 D2 written | | 10-27 on time | 10-28 满意 |
//! | F2 | 10-19 web | 10-19 D2 written | escalated 10-29 (overdue) | 11-02 late | 11-03 满意 |
//! | H1, H2 | 11-02 web | 11-02 D1 written | | 11-05 on time | 11-06 满意, 基本满意 |
//!
//! The figures each period adds up (events are counted in the period they happen in;
//! dispatches and returns for the department the event names, the rest for the lead):
//!
//! | | Oct D1 | Oct D2 | Q4 D1 | Q4 D2 | week 10-05 D1 | week 10-05 D2 |
//! | --- | --- | --- | --- | --- | --- | --- |
//! | dispatched | A1–A6, B1–B3, R: 10 | S4, B4, C1–C6, G1–G4, F1, F2: 14 | + H1, H2: 12 | 14 | A1–A6, B1–B3: 9 | S4, B4, C1–C6: 8 |
//! | first response late | B1–B3: 3 | B4: 1 | 3 | 1 | 3 | 1 |
//! | returned | S4: 1 | 0 | 1 | 0 | 1 | 0 |
//! | answered | S1, S2, S3 ×2, A1–A5, B1–B3, R: 13 | S4, B4, C1–C6, G1–G4, F1: 13 | + A6, H1, H2: 16 | + F2: 14 | S1: 1 | 0 |
//! | answered late | S2, B2, B3: 3 | C6: 1 | + A6: 4 | + F2: 2 | 0 | 0 |
//! | overdue (escalated) | S2, A6: 2 | C6, F2: 2 | 2 | 2 | S2: 1 | 0 |
//! | redos | A4, A5 ×2: 3 | 0 | 3 | 0 | 0 | 0 |
//! | 满意 | S1, A1, A4, B1, B2, R: 6 | S4, B4, C1, C5, G1, G2, F1: 7 | + S3, H1: 8 | + F2: 8 | 0 | 0 |
//! | 基本满意 | S2, A2, A5: 3 | C2, C6, G3: 3 | + A6, H2: 5 | 3 | 0 | 0 |
//! | 不满意 | S3, B3: 2 | C3: 1 | 2 | 1 | 0 | 0 |
//! | not rated | A3: 1 | C4, G4: 2 | 1 | 2 | 0 | 0 |
//! | redone twice in a row | A5: 1 | 0 | 1 | 0 | 0 | 0 |
//! | escalated twice | A6: 1 | C6: 1 | 1 | 1 | 0 | 0 |
//!
//! Rates are per mille rounded half up, `(part × 2000 + whole) ÷ (2 × whole)`: October D1
//! response 13 ÷ 10 = 130.0 % (answers to September's dispatches and a second round count in
//! October), on time 10 ÷ 13 = 76.9 %, satisfaction (6 + 3) ÷ 11 = 81.8 %, first response
//! 7 ÷ 10 = 70.0 %; D2 13 ÷ 14 = 92.9 %, 12 ÷ 13 = 92.3 %, 10 ÷ 11 = 90.9 %, 13 ÷ 14 = 92.9 %.
//!
//! Received by the office: October web 19 (A, B, R, R2, R3, G, F), phone 7 (C, E1); the
//! quarter adds H1, H2; the week of 10-05 phone 7 (C, E1); S1–S4 belong to September.
//!
//! Criticism records, all in 2026-Q4: A5's second rejection in a row (10-13, D1, 001 §3(一));
//! R's third report while unanswered (10-14 09:30, D1, 001 §3(六)); B3, D1's third late reply
//! of the quarter after S2 and B2 (10-14 11:00, D1, 001 §3(三)) — A6's fourth late reply adds
//! nothing; A6 and C6 escalated a second time (10-21, D1 and D2, 002 §4.2); and one recorded
//! by a supervisor (10-26, D2, 001 §3(二)).

use minyi::app::cases::{self, Contact, Intake, Location, NewCase, Rules};
use minyi::app::criticism::{self, Quarter, Trigger};
use minyi::app::statistics::{self, DepartmentStats, Rate, Received};
use minyi::calendar::{Calendar, Timestamp};
use minyi::case::{
    Actor, Category, Channel, Command, Complexity, Dismissal, DispatchMethod, Facts, Grade, Rating,
    ReplyDraft, Role, Truthfulness, Urgency, Visibility,
};
use minyi::policy::Policy;
use minyi::store::{Statement, Store};
use minyi_tests::OPS_SECRET;
use minyi_tests::desk_client::{Desk, api, beijing, json_of, login_api};
use minyi_web::{Method, Request, Response};
use pollster::block_on;
use serde_json::{Value, json};

const URBAN: i64 = 1;
const WATER: i64 = 2;

/// The office: the site, and the rules the app layer decides by (the preset, as the site).
struct Office {
    desk: Desk,
    calendar: Calendar,
    policy: Policy,
}

/// October 2026, Beijing time.
fn oct(day: i8, hour: i8, minute: i8) -> Timestamp {
    beijing(2026, 10, day, hour, minute)
}

impl Office {
    fn new() -> Self {
        Self {
            desk: Desk::new(beijing(2026, 9, 30, 8, 0)),
            calendar: Calendar::builtin(),
            policy: Policy::default(),
        }
    }

    fn rules(&self) -> Rules<'_> {
        Rules {
            calendar: &self.calendar,
            policy: &self.policy,
            rulebook: 0,
            secret: &self.desk.env.config.secret,
        }
    }

    fn clock(&self, at: Timestamp) {
        self.desk.env.host.set(at);
    }

    /// A complaint received now: a citizen's web form, or a call the operator registers.
    fn receive(&self, channel: Channel) -> i64 {
        self.register(channel, Category::Complaint, None)
    }

    fn register(&self, channel: Channel, category: Category, on_the_spot: Option<&str>) -> i64 {
        let role = if channel == Channel::Web {
            Role::Citizen
        } else {
            Role::Operator
        };
        let input = NewCase {
            facts: Facts {
                channel,
                category,
                urgency: Urgency::Normal,
                complexity: Complexity::Ordinary,
                publish_consent: true,
            },
            title: "路灯不亮".into(),
            body: "人民路路灯坏了一周。".into(),
            contact: Contact::default(),
            location: Location::default(),
            idempotency: None,
            intake: Intake {
                answered_on_the_spot: on_the_spot.map(str::to_owned),
                ..Intake::default()
            },
        };
        let env = &self.desk.env;
        block_on(cases::register(
            &env.store,
            &env.host,
            self.rules(),
            input,
            Actor::anonymous(role),
            None,
        ))
        .expect("registers")
        .id
    }

    fn act(&self, id: i64, role: Role, command: Command) {
        let env = &self.desk.env;
        block_on(cases::apply(
            &env.store,
            &env.host,
            self.rules(),
            id,
            &Actor::anonymous(role),
            command.clone(),
        ))
        .unwrap_or_else(|e| panic!("case {id}, {command:?}: {e}"));
    }

    /// Dispatched by the operator and accepted by the department.
    fn dispatch(&self, id: i64, lead: i64, method: DispatchMethod) {
        self.act(
            id,
            Role::Operator,
            Command::Dispatch {
                lead,
                co_handlers: Vec::new(),
                method,
            },
        );
        self.act(id, Role::Department(lead), Command::Accept);
    }

    /// A draft, signed off by the head, under review.
    fn drafted(&self, id: i64, lead: i64) {
        let draft = ReplyDraft {
            body: "已处理。".into(),
            truthfulness: Truthfulness::True,
            grade: Some(Grade::A),
            withhold: None,
            promised_by: None,
        };
        self.act(id, Role::Department(lead), Command::SubmitDraft(draft));
        self.act(id, Role::DepartmentHead(lead), Command::SignOff);
    }

    /// A draft rejected by review (退回重办).
    fn rejected(&self, id: i64, lead: i64) {
        self.drafted(id, lead);
        let reason = "请补充核实情况".into();
        self.act(id, Role::Reviewer, Command::Reject { reason });
    }

    /// A reply approved and published.
    fn replied(&self, id: i64, lead: i64) {
        self.drafted(id, lead);
        self.act(id, Role::Reviewer, Command::Approve);
        let visibility = Visibility::Public;
        self.act(id, Role::Reviewer, Command::Publish { visibility });
    }

    fn rated(&self, id: i64, rating: Rating) {
        let comment = None;
        self.act(id, Role::Citizen, Command::Rate { rating, comment });
    }

    /// The operator decides an unsatisfied rating's reopen request.
    fn reopen(&self, id: i64, confirm: bool) {
        let note = "已核实".into();
        self.act(id, Role::Operator, Command::DecideReopen { confirm, note });
    }

    fn extend(&self, id: i64, lead: i64, until: Timestamp) {
        let stage_report = "需协调施工单位，已排期。".into();
        self.act(
            id,
            Role::Department(lead),
            Command::Extend {
                stage_report,
                until,
            },
        );
    }

    fn duplicate(&self, id: i64, original: i64) {
        self.act(
            id,
            Role::Operator,
            Command::Dismiss {
                reason: Dismissal::Duplicate,
                note: "同一路灯".into(),
                duplicate_of: Some(original),
            },
        );
    }

    /// One sweep run, as the scheduler asks for it: its report.
    fn sweep(&self) -> Value {
        json_of(
            &self.desk.env.send_desk(
                &Request::from_target(Method::Post, "/ops/sweep")
                    .with_header("authorization", &format!("Bearer {OPS_SECRET}")),
            ),
        )
    }

    fn tracking(&self, id: i64) -> String {
        let rows = block_on(
            self.desk
                .env
                .store
                .query(Statement::new("SELECT tracking_no FROM \"case\" WHERE id = ?").bind(id)),
        )
        .expect("query");
        rows[0].get("tracking_no").expect("tracking")
    }

    fn get(&self, token: &str, path: &str) -> Response {
        self.desk.env.send_desk(
            &Request::from_target(Method::Get, path)
                .with_header("authorization", &format!("Bearer {token}")),
        )
    }

    fn stats(&self, from: Timestamp, to: Timestamp) -> Vec<DepartmentStats> {
        block_on(statistics::by_department(&self.desk.env.store, from, to)).expect("stats")
    }

    fn received(&self, from: Timestamp, to: Timestamp) -> Received {
        block_on(statistics::received(&self.desk.env.store, from, to)).expect("received")
    }
}

/// A department's expected figures, in the order of the hand computation's rows.
fn figures(department: i64, n: [u32; 13]) -> DepartmentStats {
    let (name_zh, name_en) = match department {
        URBAN => ("市城管局", "Urban Management Bureau"),
        _ => ("市水务局", "Water Bureau"),
    };
    DepartmentStats {
        department,
        name_zh: name_zh.into(),
        name_en: name_en.into(),
        dispatched: n[0],
        first_responses_late: n[1],
        returned: n[2],
        answered: n[3],
        answered_late: n[4],
        overdue: n[5],
        redos: n[6],
        satisfied: n[7],
        basic: n[8],
        unsatisfied: n[9],
        unrated: n[10],
        redone_twice: n[11],
        escalated_twice: n[12],
    }
}

/// The rates of a department: response, on time, satisfaction, first response.
fn rates(s: &DepartmentStats, policy: &Policy) -> [Option<Rate>; 4] {
    [
        s.response_rate(),
        s.on_time_rate(),
        s.satisfaction_rate(policy),
        s.first_response_rate(),
    ]
}

#[test]
fn statistics_match_the_hand_computed_fixture() {
    let o = Office::new();
    use Channel::{Phone, Web};
    use DispatchMethod::{Phone as ByPhone, Written};
    use Rating::{Basic, Satisfied, Unsatisfied};
    // Staff who read statistics see no personal data: no second factor.
    assert_eq!(o.desk.account("wuba", &["supervisor"]), None);
    assert_eq!(o.desk.account("zhou", &["leader"]), None);

    // Wed 30 Sep, the last working day before National Day.
    o.clock(beijing(2026, 9, 30, 9, 0));
    let [s1, s2, s3, s4] = [0; 4].map(|_| o.receive(Phone));
    o.clock(beijing(2026, 9, 30, 9, 30));
    o.dispatch(s1, URBAN, ByPhone);
    o.dispatch(s2, URBAN, ByPhone);
    o.dispatch(s3, URBAN, Written);
    o.act(
        s4,
        Role::Operator,
        Command::Dispatch {
            lead: URBAN,
            co_handlers: Vec::new(),
            method: Written,
        },
    );
    let due = |id: i64| {
        minyi_tests::desk_client::column(&o.desk.env, &o.tracking(id), "due_at")
            .and_then(|ms| Timestamp::from_millisecond(ms.parse().ok()?).ok())
    };
    assert_eq!(
        due(s1),
        Some(oct(11, 0, 0)),
        "by 24:00 on the make-up Saturday"
    );
    assert_eq!(due(s3), Some(oct(16, 0, 0)));

    // Sat 3 Oct, a holiday: ten web cases; their first response is owed by 10-08 11:30.
    o.clock(oct(3, 10, 0));
    let a: Vec<i64> = (0..6).map(|_| o.receive(Web)).collect();
    let b: Vec<i64> = (0..4).map(|_| o.receive(Web)).collect();
    o.clock(oct(8, 9, 0));
    for &id in &a {
        o.dispatch(id, URBAN, Written);
    }
    assert_eq!(due(a[0]), Some(oct(17, 0, 0)));
    // D1 asks to return S4; the office agrees.
    o.clock(oct(8, 10, 0));
    let reason = "属供水管网".into();
    o.act(s4, Role::Department(URBAN), Command::Return { reason });
    o.clock(oct(8, 11, 0));
    let note = "同意退回".into();
    o.act(
        s4,
        Role::Operator,
        Command::DecideReturn {
            approve: true,
            note,
        },
    );
    o.clock(oct(8, 12, 0));
    let report = o.sweep();
    assert_eq!(report["first_responses_late"], 4, "B1–B4: {report}");
    o.clock(oct(8, 14, 0));
    for &id in &b[..3] {
        o.dispatch(id, URBAN, ByPhone);
    }
    o.dispatch(b[3], WATER, ByPhone);
    o.dispatch(s4, WATER, Written);
    assert_eq!(due(b[0]), Some(oct(13, 0, 0)));
    o.clock(oct(8, 14, 30));
    let c: Vec<i64> = (0..6).map(|_| o.receive(Phone)).collect();
    o.clock(oct(8, 15, 0));
    for &id in &c {
        o.dispatch(id, WATER, Written);
    }

    // Fri 9 Oct: nothing is overdue (a count that ignored the holiday would have had S1 and S2
    // due on 10-05). An answer on the spot.
    o.clock(oct(9, 10, 0));
    assert_eq!(o.sweep()["escalated"], 0);
    o.clock(oct(9, 10, 30));
    let e1 = o.register(Phone, Category::Consultation, Some("办理时间为工作日。"));

    // Sat 10 Oct, a make-up working day: S1 answered on its last day.
    o.clock(oct(10, 10, 0));
    o.replied(s1, URBAN);
    // Sun 11 Oct: S2 is overdue.
    o.clock(oct(11, 10, 0));
    assert_eq!(o.sweep()["escalated"], 1);

    // Mon 12 Oct.
    o.clock(oct(12, 9, 0));
    let r = o.receive(Web);
    let g: Vec<i64> = (0..4).map(|_| o.receive(Web)).collect();
    o.clock(oct(12, 9, 30));
    o.dispatch(r, URBAN, Written);
    for &id in &g {
        o.dispatch(id, WATER, ByPhone);
    }
    o.clock(oct(12, 10, 0));
    o.replied(s2, URBAN);
    o.replied(b[0], URBAN);
    o.replied(b[3], WATER);
    o.rejected(a[3], URBAN);
    o.rejected(a[4], URBAN);
    o.rated(s1, Satisfied);

    // Tue 13 Oct.
    o.clock(oct(13, 9, 0));
    let r2 = o.receive(Web);
    o.clock(oct(13, 9, 30));
    o.duplicate(r2, r);
    o.clock(oct(13, 10, 0));
    o.replied(b[1], URBAN);
    o.rejected(a[4], URBAN);
    o.rated(s2, Basic);
    o.rated(b[0], Satisfied);
    o.rated(b[3], Satisfied);

    // Wed 14 Oct.
    o.clock(oct(14, 9, 0));
    let r3 = o.receive(Web);
    o.clock(oct(14, 9, 30));
    o.duplicate(r3, r);
    o.clock(oct(14, 10, 0));
    for &id in &a[..4] {
        o.replied(id, URBAN);
    }
    for &id in &g {
        o.replied(id, WATER);
    }
    o.extend(s3, URBAN, oct(24, 0, 0));
    o.rated(b[1], Satisfied);
    o.clock(oct(14, 11, 0));
    o.replied(b[2], URBAN);

    // Thu 15 Oct.
    o.clock(oct(15, 10, 0));
    o.replied(a[4], URBAN);
    o.replied(s4, WATER);
    for &id in &c[..3] {
        o.replied(id, WATER);
    }
    o.extend(c[4], WATER, oct(24, 0, 0));
    o.rated(a[0], Satisfied);
    o.rated(a[1], Basic);
    o.rated(a[3], Satisfied);
    o.rated(b[2], Unsatisfied);
    o.reopen(b[2], false);
    o.rated(g[0], Satisfied);
    o.rated(g[1], Satisfied);
    o.rated(g[2], Basic);

    // Fri 16 Oct.
    o.clock(oct(16, 10, 0));
    o.replied(c[3], WATER);
    o.rated(a[4], Basic);
    o.rated(s4, Satisfied);
    o.rated(c[0], Satisfied);
    o.rated(c[1], Basic);
    o.rated(c[2], Unsatisfied);
    o.reopen(c[2], false);

    // Sat 17 Oct: A6 and C6 overdue.
    o.clock(oct(17, 10, 0));
    assert_eq!(o.sweep()["escalated"], 2);

    o.clock(oct(19, 9, 0));
    let f: Vec<i64> = (0..2).map(|_| o.receive(Web)).collect();
    o.clock(oct(19, 9, 30));
    for &id in &f {
        o.dispatch(id, WATER, Written);
    }
    o.clock(oct(20, 10, 0));
    o.replied(r, URBAN);

    // Wed 21 Oct: A6 and C6 escalated a second time; A3's and G4's rating windows are open
    // until 24:00.
    o.clock(oct(21, 10, 0));
    let report = o.sweep();
    assert_eq!(
        (&report["escalated"], &report["closed_unrated"]),
        (&json!(2), &json!(0)),
        "{report}"
    );
    o.clock(oct(21, 11, 0));
    o.replied(s3, URBAN);
    o.rated(r, Satisfied);

    o.clock(oct(22, 10, 0));
    o.replied(c[4], WATER);
    o.replied(c[5], WATER);
    o.rated(s3, Unsatisfied);
    o.clock(oct(22, 11, 0));
    o.reopen(s3, true);
    assert_eq!(due(s3), Some(beijing(2026, 11, 3, 0, 0)), "round 2");

    o.clock(oct(23, 10, 0));
    o.rated(c[4], Satisfied);
    o.rated(c[5], Basic);

    // Sat 24 Oct: A3, G4 (published 10-14) and C4 (10-16) close unrated.
    o.clock(oct(24, 10, 0));
    assert_eq!(o.sweep()["closed_unrated"], 3);

    // Mon 26 Oct: a supervisor records what only a person can judge; a leader may read the
    // records but not add one, and nobody records by hand what the event log decides.
    o.clock(oct(26, 10, 0));
    let supervisor = login_api(&o.desk.env, "wuba", "").expect("supervisor");
    let leader = login_api(&o.desk.env, "zhou", "").expect("leader");
    let record = |token: &str, code: &str| {
        o.desk.env.send_desk(&api(
            Method::Post,
            "/desk/criticism",
            Some(token),
            &json!({"department": "2", "trigger": code, "tracking": o.tracking(c[2]),
                    "note": "要求书面反馈，逾期未反馈，回访群众称问题仍未解决。"}),
        ))
    };
    assert_eq!(record(&leader, "no_written_feedback").status, 403);
    let refused = record(&supervisor, "redone_twice");
    assert_eq!(refused.status, 400, "{}", refused.text());
    let made = record(&supervisor, "no_written_feedback");
    assert_eq!(made.status, 201, "{}", made.text());
    assert_eq!(json_of(&made)["period"], "2026-Q4");

    o.clock(oct(27, 10, 0));
    o.replied(f[0], WATER);
    o.clock(oct(28, 10, 0));
    o.rated(f[0], Satisfied);
    // Thu 29 Oct: F2 overdue.
    o.clock(oct(29, 10, 0));
    assert_eq!(o.sweep()["escalated"], 1);
    o.clock(oct(30, 10, 0));
    o.replied(s3, URBAN);

    // November: still the quarter, not the month.
    o.clock(beijing(2026, 11, 2, 9, 0));
    let h: Vec<i64> = (0..2).map(|_| o.receive(Web)).collect();
    o.clock(beijing(2026, 11, 2, 9, 30));
    for &id in &h {
        o.dispatch(id, URBAN, Written);
    }
    o.clock(beijing(2026, 11, 2, 10, 0));
    o.replied(f[1], WATER);
    o.rated(s3, Satisfied);
    o.clock(beijing(2026, 11, 3, 10, 0));
    o.replied(a[5], URBAN);
    o.rated(f[1], Satisfied);
    o.clock(beijing(2026, 11, 4, 10, 0));
    o.rated(a[5], Basic);
    o.clock(beijing(2026, 11, 5, 10, 0));
    o.replied(h[0], URBAN);
    o.replied(h[1], URBAN);
    o.clock(beijing(2026, 11, 6, 10, 0));
    o.rated(h[0], Satisfied);
    o.rated(h[1], Basic);
    // Everything is done: a further sweep changes nothing and records nothing twice.
    let report = o.sweep();
    for key in [
        "escalated",
        "closed_unrated",
        "first_responses_late",
        "reminded",
    ] {
        assert_eq!(report[key], 0, "{key}: {report}");
    }
    let cases = [&[s1, s2, s3, s4, e1, r, r2, r3][..], &a, &b, &c, &g, &f, &h].concat();
    assert_eq!(cases.len(), 32);

    // The figures, field by field (the table in this file's header).
    let policy = &o.policy;
    let october = (oct(1, 0, 0), beijing(2026, 11, 1, 0, 0));
    let q4 = Quarter::parse("2026-Q4").expect("quarter");
    let week = (oct(5, 0, 0), oct(12, 0, 0));
    let month = o.stats(october.0, october.1);
    assert_eq!(
        month,
        [
            figures(URBAN, [10, 3, 1, 13, 3, 2, 3, 6, 3, 2, 1, 1, 1]),
            figures(WATER, [14, 1, 0, 13, 1, 2, 0, 7, 3, 1, 2, 0, 1]),
        ]
    );
    assert_eq!(
        month.iter().map(|s| rates(s, policy)).collect::<Vec<_>>(),
        [
            [
                Some(Rate(1300)),
                Some(Rate(769)),
                Some(Rate(818)),
                Some(Rate(700))
            ],
            [
                Some(Rate(929)),
                Some(Rate(923)),
                Some(Rate(909)),
                Some(Rate(929))
            ],
        ]
    );
    let quarter = o.stats(q4.start(), q4.end());
    assert_eq!(
        quarter,
        [
            figures(URBAN, [12, 3, 1, 16, 4, 2, 3, 8, 5, 2, 1, 1, 1]),
            figures(WATER, [14, 1, 0, 14, 2, 2, 0, 8, 3, 1, 2, 0, 1]),
        ]
    );
    assert_eq!(
        quarter.iter().map(|s| rates(s, policy)).collect::<Vec<_>>(),
        [
            [
                Some(Rate(1333)),
                Some(Rate(750)),
                Some(Rate(867)),
                Some(Rate(750))
            ],
            [
                Some(Rate(1000)),
                Some(Rate(857)),
                Some(Rate(917)),
                Some(Rate(929))
            ],
        ]
    );
    let holiday_week = o.stats(week.0, week.1);
    assert_eq!(
        holiday_week,
        [
            figures(URBAN, [9, 3, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0]),
            figures(WATER, [8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ]
    );
    assert_eq!(
        holiday_week
            .iter()
            .map(|s| rates(s, policy))
            .collect::<Vec<_>>(),
        [
            [Some(Rate(111)), Some(Rate(1000)), None, Some(Rate(667))],
            [Some(Rate(0)), None, None, Some(Rate(875))],
        ]
    );
    assert_eq!(
        o.received(october.0, october.1),
        Received {
            total: 26,
            by_channel: vec![(Web, 19), (Phone, 7)],
        }
    );
    assert_eq!(
        o.received(q4.start(), q4.end()),
        Received {
            total: 28,
            by_channel: vec![(Web, 21), (Phone, 7)],
        }
    );
    assert_eq!(
        o.received(week.0, week.1),
        Received {
            total: 7,
            by_channel: vec![(Phone, 7)],
        }
    );

    // The criticism records, each once.
    let (records, more) =
        block_on(criticism::list(&o.desk.env.store, q4.start(), q4.end(), 1)).expect("records");
    assert!(!more);
    let mut got: Vec<_> = records
        .iter()
        .map(|k| {
            (
                k.at,
                k.trigger,
                k.department,
                k.tracking.clone(),
                k.period.as_str(),
            )
        })
        .collect();
    got.sort_by_key(|k| (k.0, k.2));
    let t = |id: i64| Some(o.tracking(id));
    let mut want = vec![
        (
            oct(13, 10, 0),
            Trigger::RedoneTwice,
            URBAN,
            t(a[4]),
            "2026-Q4",
        ),
        (
            oct(14, 9, 30),
            Trigger::RepeatedReports,
            URBAN,
            t(r),
            "2026-Q4",
        ),
        (
            oct(14, 11, 0),
            Trigger::LateThreeTimes,
            URBAN,
            t(b[2]),
            "2026-Q4",
        ),
        (
            oct(21, 10, 0),
            Trigger::EscalatedTwice,
            URBAN,
            t(a[5]),
            "2026-Q4",
        ),
        (
            oct(21, 10, 0),
            Trigger::EscalatedTwice,
            WATER,
            t(c[5]),
            "2026-Q4",
        ),
        (
            oct(26, 10, 0),
            Trigger::NoWrittenFeedback,
            WATER,
            t(c[2]),
            "2026-Q4",
        ),
    ];
    want.sort_by_key(|k| (k.0, k.2));
    assert_eq!(got, want);
    let by_hand = records
        .iter()
        .find(|k| k.trigger == Trigger::NoWrittenFeedback)
        .expect("by hand");
    assert_eq!(by_hand.by.as_deref(), Some("wuba"));
    assert!(
        records
            .iter()
            .filter(|k| k != &by_hand)
            .all(|k| k.by.is_none() && k.note.is_empty())
    );
    let audited = block_on(o.desk.env.store.query(Statement::new(
        "SELECT count(*) AS n FROM audit_event WHERE action = 'record_criticism'",
    )))
    .expect("audit");
    assert_eq!(audited[0].get::<i64>("n").expect("n"), 1);

    // The CSV of October, byte for byte: a BOM, the Chinese names intact, CRLF.
    let supervisor = login_api(&o.desk.env, "wuba", "").expect("supervisor");
    let leader = login_api(&o.desk.env, "zhou", "").expect("leader");
    let csv = o.get(&supervisor, "/desk/statistics?month=2026-10&format=csv");
    assert_eq!(csv.status, 200);
    assert!(
        csv.body.starts_with(&[0xEF, 0xBB, 0xBF]),
        "UTF-8 byte-order mark"
    );
    assert_eq!(
        csv.text(),
        "\u{FEFF}单位,Department,交办,首次响应超时,退回,答复,按时答复,超期答复,超期督办,退回重办,满意,基本满意,不满意,未评价,答复率,按时答复率,满意率,首次响应及时率,连续2次退回重办,连续督办两次\r\n\
         市城管局,Urban Management Bureau,10,3,1,13,10,3,2,3,6,3,2,1,130.0%,76.9%,81.8%,70.0%,1,1\r\n\
         市水务局,Water Bureau,14,1,0,13,12,1,2,0,7,3,1,2,92.9%,92.3%,90.9%,92.9%,0,1\r\n\
         \r\n\
         受理合计,Received,26\r\n\
         受理：网上留言,Received: Web form,19\r\n\
         受理：热线电话,Received: Hotline call,7\r\n"
    );
    let week_csv = o
        .get(&supervisor, "/desk/statistics?week=2026-10-05&format=csv")
        .text();
    assert!(
        week_csv.contains(
            "\r\n市城管局,Urban Management Bureau,9,3,1,1,1,0,1,0,0,0,0,0,11.1%,100.0%,,66.7%,0,0\r\n\
             市水务局,Water Bureau,8,1,0,0,0,0,0,0,0,0,0,0,0.0%,,,87.5%,0,0\r\n"
        ),
        "{week_csv}"
    );

    // The pages: the statistics page shows what was received and the period's records; the
    // records page lists the quarter's, for leaders too.
    let page = o.get(&supervisor, "/desk/statistics?month=2026-10").text();
    assert!(
        page.contains("id=\"received\"") && page.contains("<strong>26</strong>"),
        "{page}"
    );
    assert!(
        page.contains("被连续2次退回重新办理")
            && page.contains("没有按规定时限反馈，季度累计达3次以上")
            && page.contains("/desk/criticism?quarter=2026-Q4"),
        "{page}"
    );
    let listed = o.get(&leader, "/desk/criticism?quarter=2026-Q4");
    assert_eq!(listed.status, 200);
    let listed = listed.text();
    assert_eq!(listed.matches("<tr>").count(), 1 + 6, "{listed}");
    assert!(
        listed.contains("同一问题群众多次反映") && listed.contains("逾期未反馈"),
        "{listed}"
    );
    assert!(
        !listed.contains("id=\"record-criticism\""),
        "no form for a leader"
    );
    let empty = o.get(&leader, "/desk/criticism?quarter=2026-Q3").text();
    assert!(empty.contains("本期没有通报批评情形"), "{empty}");
}
