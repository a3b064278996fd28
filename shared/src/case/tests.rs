//! Lifecycle tests: the main paths by hand, then random command sequences against the
//! invariants the regulations imply.

use super::table::{self, TRANSITIONS};
use super::*;
use crate::calendar::{BEIJING, Calendar, Date};
use crate::policy::Policy;
use proptest::prelude::*;

fn at(date: Date, hour: i8) -> Timestamp {
    BEIJING
        .to_timestamp(date.at(hour, 0, 0, 0))
        .expect("valid local time")
}

fn facts(category: Category, consent: bool) -> Facts {
    Facts {
        channel: Channel::Web,
        category,
        urgency: Urgency::Normal,
        complexity: Complexity::Ordinary,
        publish_consent: consent,
    }
}

struct World {
    calendar: Calendar,
    policy: Policy,
}

impl World {
    fn new() -> Self {
        Self {
            calendar: Calendar::builtin(),
            policy: Policy::default(),
        }
    }

    fn register(&self, facts: Facts, received: Timestamp) -> Case {
        let plan = self
            .policy
            .plan(&self.calendar, &facts, received, true, None)
            .expect("in range");
        Case::register(facts, received, &plan, Actor::anonymous(Role::Citizen)).case
    }

    fn run(
        &self,
        case: &Case,
        role: Role,
        command: Command,
        now: Timestamp,
    ) -> Result<Case, LifecycleError> {
        let ctx = Context {
            now,
            calendar: &self.calendar,
            policy: &self.policy,
        };
        case.handle(&Actor::anonymous(role), command, &ctx)
            .map(|t| t.case)
    }
}

impl World {
    /// Submits a draft, has the head sign it off, approves it and publishes it, as the lead
    /// department, its head and the reviewer.
    fn reply(
        &self,
        case: &Case,
        draft: ReplyDraft,
        visibility: Visibility,
        now: Timestamp,
    ) -> Transition {
        let case = self
            .run(
                case,
                Role::Department(DEPT),
                Command::SubmitDraft(draft),
                now,
            )
            .expect("draft");
        let case = self
            .run(&case, Role::DepartmentHead(DEPT), Command::SignOff, now)
            .expect("sign off");
        let case = self
            .run(&case, Role::Reviewer, Command::Approve, now)
            .expect("approve");
        let ctx = Context {
            now,
            calendar: &self.calendar,
            policy: &self.policy,
        };
        case.handle(
            &Actor::anonymous(Role::Reviewer),
            Command::Publish { visibility },
            &ctx,
        )
        .expect("publish")
    }
}

fn draft(truthfulness: Truthfulness) -> ReplyDraft {
    ReplyDraft {
        body: "感谢您的来信。经核查，已于本周修复路灯。".into(),
        truthfulness,
        grade: Some(Grade::A),
        withhold: None,
        promised_by: None,
    }
}

const DEPT: DepartmentId = 7;

const CO: DepartmentId = 8;

fn dispatch(lead: DepartmentId, co_handlers: Vec<DepartmentId>) -> Command {
    Command::Dispatch {
        lead,
        co_handlers,
        method: DispatchMethod::Written,
    }
}

/// Registered on Monday 2026-03-02 09:00, dispatched in writing with one co-handler, accepted
/// at once, and the co-handler's opinion in.
fn accepted(world: &World, consent: bool) -> (Case, Timestamp) {
    let t0 = at(Date::constant(2026, 3, 2), 9);
    let case = world.register(facts(Category::Complaint, consent), t0);
    let case = world
        .run(&case, Role::Operator, dispatch(DEPT, vec![CO]), t0)
        .expect("dispatch");
    let case = world
        .run(&case, Role::Department(DEPT), Command::Accept, t0)
        .expect("accept");
    let case = world
        .run(
            &case,
            Role::Department(CO),
            Command::CoHandlerOpinion {
                text: "同意主办单位意见".into(),
            },
            t0,
        )
        .expect("opinion");
    (case, t0)
}

fn rate(rating: Rating) -> Command {
    Command::Rate {
        rating,
        comment: None,
    }
}

#[test]
fn happy_path_from_intake_to_satisfied_closure() {
    let w = World::new();
    let (case, t0) = accepted(&w, true);
    assert_eq!(case.status, Status::InProgress);
    assert_eq!(
        case.duties.first_response_by, None,
        "dispatch is the first response"
    );
    let published = w.reply(&case, draft(Truthfulness::True), Visibility::Both, t0);
    assert_eq!(
        published.event.kind,
        EventKind::Published {
            visibility: Visibility::Both,
            forced_private: false,
            late: false
        }
    );
    assert!(published.event.kind.is_public());
    let case = published.case;
    assert_eq!(case.status, Status::Replied);
    assert!(case.duties.rating_until.is_some());
    let case = w
        .run(&case, Role::Citizen, rate(Rating::Basic), t0)
        .expect("rate");
    assert_eq!(case.status, Status::Closed);
    assert_eq!(case.duties, Duties::default());
    assert_eq!(case.version, 9);
}

#[test]
fn never_public_replies_are_forced_private() {
    let w = World::new();
    for (consent, truth, withhold) in [
        (false, Truthfulness::True, None),
        (true, Truthfulness::Untrue, None),
        (true, Truthfulness::PartlyTrue, Some(Withhold::Harmful)),
    ] {
        let (case, t0) = accepted(&w, consent);
        let mut d = draft(truth);
        d.withhold = withhold;
        let t = w.reply(&case, d, Visibility::Public, t0);
        assert_eq!(
            t.event.kind,
            EventKind::Published {
                visibility: Visibility::Private,
                forced_private: true,
                late: false
            }
        );
        assert!(!t.event.kind.is_public());
    }
}

#[test]
fn only_the_lead_department_returns_and_only_inside_the_window() {
    let w = World::new();
    let t0 = at(Date::constant(2026, 3, 2), 9);
    let case = w.register(facts(Category::Complaint, true), t0);
    let case = w
        .run(&case, Role::Operator, dispatch(DEPT, vec![]), t0)
        .expect("dispatch");
    let reason = || Command::Return {
        reason: "不属于本单位职责".into(),
    };
    assert_eq!(
        w.run(&case, Role::Department(99), reason(), t0),
        Err(LifecycleError::Forbidden {
            command: CommandKind::Return
        })
    );
    // Return window: 2 working days from Monday → 24:00 Wednesday.
    let late = at(Date::constant(2026, 3, 5), 0) + jiff::SignedDuration::from_secs(1);
    assert_eq!(
        w.run(&case, Role::Department(DEPT), reason(), late),
        Err(LifecycleError::WindowClosed {
            command: CommandKind::Return
        })
    );
    // By default the office must consent (000 §2.1(3)).
    let requested = w
        .run(&case, Role::Department(DEPT), reason(), t0)
        .expect("return");
    assert_eq!(
        (requested.status, requested.lead),
        (Status::ReturnRequested, Some(DEPT))
    );
    let decide = |approve| Command::DecideReturn {
        approve,
        note: "经核实，属区住建局职责".into(),
    };
    assert!(matches!(
        w.run(&requested, Role::Department(DEPT), decide(true), t0),
        Err(LifecycleError::Forbidden { .. })
    ));
    let refused = w
        .run(&requested, Role::Operator, decide(false), t0)
        .expect("refuse");
    assert_eq!(
        (refused.status, refused.lead),
        (Status::InProgress, Some(DEPT))
    );
    let returned = w
        .run(&requested, Role::Operator, decide(true), t0)
        .expect("approve");
    assert_eq!((returned.status, returned.lead), (Status::Returned, None));
    // Where the policy lets departments return on their own, the return takes effect at once.
    let mut free = World::new();
    free.policy.return_needs_approval = false;
    let returned = free
        .run(&case, Role::Department(DEPT), reason(), t0)
        .expect("return");
    assert_eq!((returned.status, returned.lead), (Status::Returned, None));
    assert_eq!(
        w.run(
            &case,
            Role::Department(DEPT),
            Command::Return {
                reason: "  ".into()
            },
            t0
        ),
        Err(LifecycleError::Invalid {
            field: "reason",
            problem: "不能为空 / must not be empty"
        })
    );
    // The sweep accepts on the department's behalf only once the window has lapsed.
    assert_eq!(
        w.run(&case, Role::System, Command::Accept, t0),
        Err(LifecycleError::NotDue {
            command: CommandKind::Accept
        })
    );
    assert_eq!(
        w.run(&case, Role::System, Command::Accept, late)
            .map(|c| c.status),
        Ok(Status::InProgress)
    );
}

#[test]
fn legal_and_discipline_cases_are_transferred_not_dispatched() {
    let w = World::new();
    let t0 = at(Date::constant(2026, 3, 2), 9);
    let case = w.register(facts(Category::Discipline, true), t0);
    assert_eq!(
        w.run(&case, Role::Operator, dispatch(DEPT, vec![]), t0),
        Err(LifecycleError::MustTransfer)
    );
    let out = w
        .run(
            &case,
            Role::Operator,
            Command::TransferOut {
                target: TransferTarget::DisciplineCommission,
                note: "转市纪委".into(),
            },
            t0,
        )
        .expect("transfer");
    assert_eq!(out.status, Status::TransferredOut);
    assert_eq!(out.duties, Duties::default());
}

#[test]
fn escalation_marks_overdue_then_escalates_again_two_working_days_later() {
    let w = World::new();
    let (case, t0) = accepted(&w, true);
    let due = case.due_at.expect("due");
    assert_eq!(
        w.run(&case, Role::System, Command::Escalate, t0),
        Err(LifecycleError::NotDue {
            command: CommandKind::Escalate
        })
    );
    let first = w
        .run(&case, Role::System, Command::Escalate, due)
        .expect("escalate");
    assert_eq!(first.overdue_since, Some(due));
    assert_eq!(first.escalations, 1);
    let second_at = first.duties.escalate_at.expect("second escalation planned");
    assert_eq!(
        second_at,
        w.policy
            .second_escalation(&w.calendar, due)
            .expect("in range")
    );
    let second = w
        .run(&first, Role::System, Command::Escalate, second_at)
        .expect("again");
    assert_eq!((second.escalations, second.duties.escalate_at), (2, None));
    assert_eq!(
        w.run(&second, Role::System, Command::Escalate, second_at),
        Err(LifecycleError::WindowClosed {
            command: CommandKind::Escalate
        })
    );
    // A late reply clears the overdue mark and records the lateness.
    let t = w.reply(
        &second,
        draft(Truthfulness::True),
        Visibility::Public,
        second_at,
    );
    assert_eq!(
        t.event.kind,
        EventKind::Published {
            visibility: Visibility::Public,
            forced_private: false,
            late: true
        }
    );
    assert_eq!(t.case.overdue_since, None);
}

#[test]
fn unsatisfied_rating_starts_a_new_round_and_promises_are_followed_up() {
    let w = World::new();
    let (case, t0) = accepted(&w, true);
    let mut d = draft(Truthfulness::True);
    d.promised_by = Some(at(Date::constant(2026, 4, 30), 0));
    let c = w.reply(&case, d, Visibility::Public, t0).case;
    assert_eq!(c.status, Status::FollowingUp);
    assert_eq!(c.due_at, Some(at(Date::constant(2026, 4, 30), 0)));
    // A rejected further reply goes back to follow-up, not to ordinary handling.
    let c = w
        .run(
            &c,
            Role::Department(DEPT),
            Command::SubmitDraft(draft(Truthfulness::True)),
            t0,
        )
        .expect("draft");
    let c = w
        .run(&c, Role::DepartmentHead(DEPT), Command::SignOff, t0)
        .expect("sign off");
    let reject = Command::Reject {
        reason: "请补充核实情况".into(),
    };
    let c = w.run(&c, Role::Reviewer, reject, t0).expect("reject");
    assert_eq!((c.status, c.redo_count), (Status::FollowingUp, 1));
    let c = w
        .reply(&c, draft(Truthfulness::True), Visibility::Public, t0)
        .case;
    assert_eq!(c.status, Status::Replied);
    let later = at(Date::constant(2026, 3, 4), 10);
    let c = w
        .run(
            &c,
            Role::Citizen,
            Command::Rate {
                rating: Rating::Unsatisfied,
                comment: Some("问题仍未解决".into()),
            },
            later,
        )
        .expect("rate");
    assert_eq!((c.status, c.round), (Status::ReopenRequested, 1));
    let c = w
        .run(
            &c,
            Role::Operator,
            Command::DecideReopen {
                confirm: true,
                note: "回访核实，确未解决".into(),
            },
            later,
        )
        .expect("confirm");
    assert_eq!(
        (c.status, c.round, c.lead),
        (Status::InProgress, 2, Some(DEPT))
    );
    assert!(c.due_at.expect("due") > later);
    assert!(
        c.co_answered.is_empty(),
        "a new round asks co-handlers again"
    );
}

#[test]
fn rating_window_closes_and_the_sweep_closes_unrated() {
    let w = World::new();
    let (case, t0) = accepted(&w, true);
    let c = w
        .reply(&case, draft(Truthfulness::True), Visibility::Public, t0)
        .case;
    let end = c.duties.rating_until.expect("window");
    assert_eq!(
        w.run(&c, Role::System, Command::CloseUnrated, end),
        Err(LifecycleError::NotDue {
            command: CommandKind::CloseUnrated
        })
    );
    let after = end + jiff::SignedDuration::from_secs(1);
    assert_eq!(
        w.run(&c, Role::Citizen, rate(Rating::Satisfied), after),
        Err(LifecycleError::WindowClosed {
            command: CommandKind::Rate
        })
    );
    assert_eq!(
        w.run(&c, Role::System, Command::CloseUnrated, after)
            .map(|c| c.status),
        Ok(Status::Closed)
    );
}

#[test]
fn extension_needs_a_stage_report_and_stays_within_the_cap() {
    let w = World::new();
    let (case, t0) = accepted(&w, true);
    let due = case.due_at.expect("due");
    let latest = w
        .policy
        .latest_extension(&w.calendar, due)
        .expect("in range");
    let extend = |until| Command::Extend {
        stage_report: "已现场勘查，待施工".into(),
        until,
    };
    assert!(matches!(
        w.run(
            &case,
            Role::Department(DEPT),
            extend(latest + jiff::SignedDuration::from_secs(1)),
            t0
        ),
        Err(LifecycleError::Invalid { field: "until", .. })
    ));
    let c = w
        .run(&case, Role::Department(DEPT), extend(latest), t0)
        .expect("extend");
    assert_eq!(
        (c.due_at, c.duties.escalate_at),
        (Some(latest), Some(latest))
    );
    assert_eq!(
        w.run(&c, Role::Department(DEPT), extend(latest), t0),
        Err(LifecycleError::WindowClosed {
            command: CommandKind::Extend
        })
    );
    // Only before the deadline: lateness already incurred cannot be extended away.
    assert_eq!(
        w.run(&case, Role::Department(DEPT), extend(latest), due),
        Err(LifecycleError::WindowClosed {
            command: CommandKind::Extend
        })
    );
}

#[test]
fn every_command_kind_has_exactly_one_row_and_docs_are_current() {
    for r in TRANSITIONS {
        assert_eq!(
            TRANSITIONS
                .iter()
                .filter(|o| o.command == r.command)
                .count(),
            1
        );
        assert!(!r.from.is_empty() && !r.to.is_empty());
    }
    crate::docs::assert_current("docs/lifecycle.md", &table::to_markdown());
}

// ---- property tests -------------------------------------------------------------------

fn any_role() -> impl Strategy<Value = Role> {
    prop_oneof![
        Just(Role::Citizen),
        Just(Role::Operator),
        (1i64..=3).prop_map(Role::Department),
        (1i64..=3).prop_map(Role::DepartmentHead),
        Just(Role::Leader),
        Just(Role::Reviewer),
        Just(Role::Supervisor),
        Just(Role::System),
    ]
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("理由说明".to_string()),
        Just("x".repeat(501))
    ]
}

fn any_command() -> impl Strategy<Value = Command> {
    let draft = (
        prop::sample::select(Truthfulness::ALL),
        prop::option::of(prop::sample::select(Withhold::ALL)),
        prop::option::of(0i64..40),
    )
        .prop_map(|(truthfulness, withhold, promise_days)| ReplyDraft {
            body: "答复内容".into(),
            truthfulness,
            grade: None,
            withhold,
            promised_by: promise_days.map(|d| {
                at(Date::constant(2026, 3, 2), 9) + jiff::SignedDuration::from_hours(24 * d)
            }),
        });
    prop_oneof![
        (
            prop::sample::select(Category::ALL),
            prop::sample::select(Urgency::ALL),
            prop::sample::select(Complexity::ALL)
        )
            .prop_map(|(category, urgency, complexity)| Command::Classify {
                category,
                urgency,
                complexity
            }),
        (
            1i64..=3,
            prop::collection::vec(1i64..=3, 0..3),
            prop::sample::select(DispatchMethod::ALL)
        )
            .prop_map(|(lead, co_handlers, method)| Command::Dispatch {
                lead,
                co_handlers,
                method
            }),
        any_text().prop_map(|reason| Command::Return { reason }),
        (any::<bool>(), any_text())
            .prop_map(|(approve, note)| Command::DecideReturn { approve, note }),
        any_text().prop_map(|note| Command::Coordinate { note }),
        (any_text(), prop::option::of(0i64..40)).prop_map(|(text, days)| Command::Instruct {
            text,
            required_by: days.map(|d| {
                at(Date::constant(2026, 3, 2), 9) + jiff::SignedDuration::from_hours(24 * d)
            }),
        }),
        any_text().prop_map(|answer| Command::AnswerOnTheSpot { answer }),
        Just(Command::SignOff),
        any_text().prop_map(|reason| Command::SendBackDraft { reason }),
        (any::<bool>(), any_text())
            .prop_map(|(confirm, note)| Command::DecideReopen { confirm, note }),
        Just(Command::MarkDispatchLate),
        Just(Command::MarkStageReportLate),
        Just(Command::Accept),
        (any_text(), 0i64..60).prop_map(|(stage_report, days)| Command::Extend {
            stage_report,
            until: at(Date::constant(2026, 3, 2), 9) + jiff::SignedDuration::from_hours(24 * days),
        }),
        any_text().prop_map(|text| Command::CoHandlerOpinion { text }),
        draft.prop_map(Command::SubmitDraft),
        Just(Command::Approve),
        any_text().prop_map(|reason| Command::Reject { reason }),
        prop::sample::select(Visibility::ALL)
            .prop_map(|visibility| Command::Publish { visibility }),
        prop::sample::select(Rating::ALL).prop_map(|rating| Command::Rate {
            rating,
            comment: None
        }),
        any_text().prop_map(|reason| Command::Reopen { reason }),
        (prop::sample::select(TransferTarget::ALL), any_text())
            .prop_map(|(target, note)| Command::TransferOut { target, note }),
        (prop::sample::select(Dismissal::ALL), any_text()).prop_map(|(reason, note)| {
            Command::Dismiss {
                reason,
                note,
                duplicate_of: (reason == Dismissal::Duplicate).then_some(1),
            }
        }),
        Just(Command::CloseUnrated),
        Just(Command::MarkFirstResponseLate),
        Just(Command::Remind),
        Just(Command::Escalate),
    ]
}

/// Minutes to move the clock before each command: mostly small steps, sometimes days.
fn any_step() -> impl Strategy<Value = i64> {
    prop_oneof![3 => 0i64..120, 1 => 0i64..(60 * 24 * 20)]
}

fn check_invariants(
    prev: &Case,
    kind: CommandKind,
    t: &Transition,
    approved_before_publish: bool,
) -> Result<(), TestCaseError> {
    let c = &t.case;
    let rule = table::rule(kind);
    prop_assert!(
        rule.from.contains(&prev.status) && rule.to.contains(&c.status),
        "{:?}: {:?} -> {:?}",
        rule.command,
        prev.status,
        c.status
    );
    prop_assert_eq!(t.event.seq, prev.version + 1);
    prop_assert_eq!(c.version, t.event.seq);
    prop_assert!(t.event.at >= prev.updated_at, "events go back in time");
    prop_assert_eq!(c.updated_at, t.event.at);
    if c.status.is_final() {
        prop_assert!(c.overdue_since.is_none(), "closed and overdue");
        prop_assert_eq!(&c.duties, &Duties::default());
        prop_assert!(c.closed_at.is_some());
    } else {
        prop_assert!(c.closed_at.is_none());
    }
    if c.overdue_since.is_some() {
        prop_assert!(c.status_has_running_clock());
    }
    let handled = matches!(
        c.status,
        Status::Dispatched
            | Status::ReturnRequested
            | Status::InProgress
            | Status::SignOffPending
            | Status::UnderReview
            | Status::Approved
            | Status::Replied
            | Status::FollowingUp
    );
    if handled {
        prop_assert!(c.lead.is_some());
    }
    if let Some(lead) = c.lead {
        prop_assert!(!c.co_handlers.contains(&lead));
    }
    prop_assert_eq!(
        c.draft.is_some(),
        matches!(
            c.status,
            Status::SignOffPending | Status::UnderReview | Status::Approved
        )
    );
    if let EventKind::DraftSubmitted { .. } = &t.event.kind {
        prop_assert!(
            c.co_handlers.iter().all(|d| prev.co_answered.contains(d)) || prev.coordinated,
            "a reply before every co-handler answered"
        );
    }
    if kind == CommandKind::Extend {
        prop_assert!(prev.due_at.is_some_and(|due| t.event.at < due));
    }
    if let EventKind::Published { visibility, .. } = &t.event.kind {
        prop_assert!(
            approved_before_publish,
            "published a reply that was not approved"
        );
        let d = prev.draft.as_ref().expect("approved draft");
        if visibility.is_public() {
            prop_assert!(prev.facts.publish_consent);
            prop_assert!(prev.facts.category != Category::Discipline);
            prop_assert!(d.truthfulness != Truthfulness::Untrue && d.withhold.is_none());
        }
    }
    Ok(())
}

/// Whatever duty a case has pending, the sweep can do once it falls due: at its instant and a
/// millisecond after, the duties due then ([`crate::app::cases::Duty::is_due`]) are done in the
/// sweep's order ([`crate::app::sweep::TASKS`]), each from the case its predecessor left, and
/// none is refused; a millisecond after, the duty is done. A refused duty would stay due and take
/// one of every run's slots (`sweep::BATCH`) for ever.
fn sweep_can_do_every_pending_duty(
    w: &World,
    case: &Case,
    now: Timestamp,
) -> Result<(), TestCaseError> {
    use crate::app::sweep::TASKS;
    for first in TASKS {
        let Some(due) = first.duty.pending(&case.duties) else {
            continue;
        };
        for at in [
            due.max(now),
            due.max(now) + jiff::SignedDuration::from_millis(1),
        ] {
            let mut swept = case.clone();
            for task in &TASKS {
                if !task.duty.is_due(&swept.duties, at) {
                    continue;
                }
                let pending = task.duty.pending(&swept.duties);
                match w.run(&swept, Role::System, (task.command)(), at) {
                    Ok(next) => swept = next,
                    Err(e) => prop_assert!(
                        false,
                        "{:?} due at {pending:?} in status {:?}, swept at {at}: {e}",
                        task.duty,
                        swept.status
                    ),
                }
            }
            if at > due {
                prop_assert_ne!(
                    first.duty.pending(&swept.duties),
                    Some(due),
                    "{:?} still pending after the sweep",
                    first.duty
                );
            }
        }
    }
    Ok(())
}

/// Who issues a step's command: mostly the role the table expects, sometimes anyone.
#[derive(Clone, Debug)]
enum RoleChoice {
    Expected,
    Any(Role),
}

fn any_role_choice() -> impl Strategy<Value = RoleChoice> {
    prop_oneof![5 => Just(RoleChoice::Expected), 1 => any_role().prop_map(RoleChoice::Any)]
}

/// One step: candidate commands (the first the current status allows is used, so sequences
/// get far), who issues it, and how far the clock moves first.
type Step = (Vec<Command>, RoleChoice, i64);

fn any_steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        (
            prop::collection::vec(any_command(), 8),
            any_role_choice(),
            any_step(),
        ),
        1..60,
    )
}

fn expected_role(case: &Case, kind: CommandKind, minutes: i64) -> Role {
    let lead = Role::Department(case.lead.unwrap_or(1));
    match table::rule(kind).who {
        table::Who::Operator => Role::Operator,
        table::Who::LeadDepartment => lead,
        table::Who::LeadDepartmentHead => Role::DepartmentHead(case.lead.unwrap_or(1)),
        table::Who::Leader => Role::Leader,
        table::Who::CoDepartment => {
            Role::Department(case.co_handlers.first().copied().unwrap_or(2))
        }
        table::Who::Reviewer => Role::Reviewer,
        table::Who::Citizen => Role::Citizen,
        table::Who::CitizenOrOperator if minutes % 2 == 0 => Role::Citizen,
        table::Who::CitizenOrOperator => Role::Operator,
        table::Who::System => Role::System,
        table::Who::LeadDepartmentOrSystem if minutes % 2 == 0 => lead,
        table::Who::SupervisorOrSystem if minutes % 2 == 0 => Role::Supervisor,
        table::Who::LeadDepartmentOrSystem | table::Who::SupervisorOrSystem => Role::System,
    }
}

/// Runs one random history, checking the invariants after every accepted command; returns
/// the kinds of command that were accepted.
fn run_history(
    category: Category,
    channel: Channel,
    consent: bool,
    steps: Vec<Step>,
) -> Result<Vec<CommandKind>, TestCaseError> {
    let w = World::new();
    let mut now = at(Date::constant(2026, 3, 2), 9);
    let mut f = facts(category, consent);
    f.channel = channel;
    let mut case = w.register(f, now);
    sweep_can_do_every_pending_duty(&w, &case, now)?;
    let mut approved = false;
    let mut accepted = Vec::new();
    for (candidates, role, minutes) in steps {
        now += jiff::SignedDuration::from_mins(minutes);
        let command = candidates
            .iter()
            .find(|c| table::rule(c.kind()).from.contains(&case.status))
            .unwrap_or(&candidates[0])
            .clone();
        let role = match role {
            RoleChoice::Expected => expected_role(&case, command.kind(), minutes),
            RoleChoice::Any(r) => r,
        };
        let kind = command.kind();
        let ctx = Context {
            now,
            calendar: &w.calendar,
            policy: &w.policy,
        };
        if let Ok(t) = case.handle(&Actor::anonymous(role), command, &ctx) {
            check_invariants(&case, kind, &t, approved)?;
            match t.event.kind {
                EventKind::Approved => approved = true,
                EventKind::DraftSubmitted { .. }
                | EventKind::DraftSentBack { .. }
                | EventKind::Rejected { .. }
                | EventKind::Published { .. } => approved = false,
                _ => {}
            }
            accepted.push(kind);
            case = t.case;
            sweep_can_do_every_pending_duty(&w, &case, now)?;
        }
    }
    prop_assert_eq!(case.version as usize, accepted.len() + 1);
    Ok(accepted)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_command_sequences_keep_the_invariants(
        category in prop::sample::select(Category::ALL),
        channel in prop::sample::select(Channel::ALL),
        consent in any::<bool>(),
        steps in any_steps(),
    ) {
        run_history(category, channel, consent, steps)?;
    }
}

/// Guards the property test against passing vacuously: its histories must exercise every row
/// of the transition table.
#[test]
fn random_histories_reach_every_transition() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = (
        prop::sample::select(Category::ALL),
        prop::sample::select(Channel::ALL),
        any::<bool>(),
        any_steps(),
    );
    let mut seen = std::collections::HashSet::new();
    for _ in 0..300 {
        let (category, channel, consent, steps) =
            strategy.new_tree(&mut runner).expect("value").current();
        seen.extend(run_history(category, channel, consent, steps).expect("invariants hold"));
    }
    let missing: Vec<_> = TRANSITIONS
        .iter()
        .map(|r| r.command)
        .filter(|k| !seen.contains(k))
        .collect();
    assert!(missing.is_empty(), "never exercised: {missing:?}");
}
