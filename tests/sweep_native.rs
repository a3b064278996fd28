//! The sweep's duty table on native adapters, through `POST /ops/sweep` with the test host's
//! clock: cases set up through the public API and the desk reach every duty, each run does
//! what is due exactly once (a second run at the same instant does nothing), nothing is
//! skipped forever, and the events in the archive add up to the runs' reports.

use minyi::calendar::Timestamp;
use minyi::store::{Statement, Store};
use minyi_tests::OPS_SECRET;
use minyi_tests::desk_client::{Desk, api, beijing, json_of, status_of};
use minyi_web::{Method, Request};
use serde_json::{Value, json};

const COUNTS: [&str; 7] = [
    "dispatches_late",
    "first_responses_late",
    "deemed_accepted",
    "escalated",
    "reminded",
    "stage_reports_late",
    "closed_unrated",
];

/// The event kind each count records.
const KINDS: [&str; 7] = [
    "dispatch_late",
    "first_response_late",
    "accepted",
    "escalated",
    "reminded",
    "stage_report_late",
    "closed_unrated",
];

struct Site {
    desk: Desk,
    operator: String,
    totals: std::cell::RefCell<[i64; 7]>,
}

impl Site {
    /// Runs the sweep at `at` until a run finds nothing left (a late run catches up duty by
    /// duty: an escalation at the deadline, then the second one): answers the summed counts.
    /// No run skips anything, and the last one repeats nothing.
    fn sweep_at(&self, at: Timestamp) -> Value {
        self.desk.env.host.set(at);
        let mut sum = json!({});
        for _ in 0..4 {
            let run = json_of(
                &self.desk.env.send_desk(
                    &Request::from_target(Method::Post, "/ops/sweep")
                        .with_header("authorization", &format!("Bearer {OPS_SECRET}")),
                ),
            );
            assert_eq!(run["skipped"], 0, "{run}");
            let did: i64 = COUNTS.iter().map(|n| run[n].as_i64().expect("count")).sum();
            if did == 0 {
                let mut totals = self.totals.borrow_mut();
                for (i, name) in COUNTS.iter().enumerate() {
                    let n = sum[name].as_i64().unwrap_or(0);
                    totals[i] += n;
                    sum[name] = json!(n);
                }
                return sum;
            }
            for name in COUNTS {
                sum[name] = json!(sum[name].as_i64().unwrap_or(0) + run[name].as_i64().expect("n"));
            }
        }
        panic!("the sweep did not settle: {sum}");
    }

    fn intake(&self, body: Value) -> String {
        let r = self.desk.env.send_desk(&api(
            Method::Post,
            "/desk/intake",
            Some(&self.operator),
            &body,
        ));
        assert_eq!(r.status, 201, "{}", r.text());
        json_of(&r)["tracking"]
            .as_str()
            .expect("tracking")
            .to_owned()
    }

    fn act(&self, token: &str, tracking: &str, action: &str, body: Value) {
        let (status, answer) = self.desk.act(token, tracking, action, &body);
        assert_eq!(status, 200, "{action}: {answer}");
    }

    fn events(&self, kind: &str) -> i64 {
        let rows = pollster::block_on(
            self.desk.env.store.query(
                Statement::new(
                    "SELECT count(*) AS n FROM case_event WHERE kind = ? AND actor_kind = 'system'",
                )
                .bind(kind),
            ),
        )
        .expect("count");
        rows[0].get("n").expect("n")
    }
}

#[test]
fn every_duty_is_done_once_when_due_and_never_twice() {
    let monday = beijing(2026, 11, 23, 9, 0);
    let desk = Desk::new(monday);
    let op_secret = desk.account("wang", &["operator"]).expect("2fa");
    let handler = desk.account("lisi", &["handler:1"]).expect("2fa");
    let head = desk.account("qian", &["head:1"]).expect("2fa");
    let reviewer = desk.account("zhao", &["reviewer"]).expect("2fa");
    let operator = desk.token("wang", &op_secret);
    let site = Site {
        desk,
        operator,
        totals: std::cell::RefCell::new([0; 7]),
    };
    let (h, hd, rv) = (
        site.desk.token("lisi", &handler),
        site.desk.token("qian", &head),
        site.desk.token("zhao", &reviewer),
    );
    // Waiting for its first response (online: 3 working hours, by 12:00).
    let (waiting, _) = site.desk.citizen_case();
    // Dispatched in writing at once, never accepted: deemed accepted after the return window.
    let (dispatched, _) = site.desk.citizen_case();
    site.act(
        &site.operator,
        &dispatched,
        "dispatch",
        json!({"lead": 1, "method": "written"}),
    );
    // A petition at the counter: to be dispatched by 17:30 today.
    let petition = site.intake(
        json!({"channel": "visit", "received_at": "2026-11-23T09:00",
        "category": "petition", "title": "信访", "body": "反映拆迁补偿问题。"}),
    );
    // A complex case: its stage report is due at its deadline.
    let complex = site.intake(json!({"channel": "phone", "received_at": "2026-11-23T09:00",
        "category": "complaint", "complexity": "complex", "title": "噪音", "body": "工地夜间施工噪音。"}));
    // Replied at once: its rating window closes after 7 days.
    let (replied, _) = site.desk.citizen_case();
    site.act(
        &site.operator,
        &replied,
        "dispatch",
        json!({"lead": 1, "method": "phone"}),
    );
    site.act(&h, &replied, "accept", json!({}));
    site.act(
        &h,
        &replied,
        "draft",
        json!({"body": "已处理", "truthfulness": "true"}),
    );
    site.act(&hd, &replied, "sign-off", json!({}));
    site.act(&rv, &replied, "approve", json!({}));
    site.act(&rv, &replied, "publish", json!({"visibility": "public"}));

    // Nothing is due yet.
    let early = site.sweep_at(beijing(2026, 11, 23, 11, 0));
    for name in COUNTS {
        assert_eq!(early[name], 0, "{early}");
    }
    // Noon, the instant the waiting case's first response is due by: still in time, so the
    // sweep's query finds the case but nothing is done and nothing is counted as skipped.
    let noon = site.sweep_at(beijing(2026, 11, 23, 12, 0));
    for name in COUNTS {
        assert_eq!(noon[name], 0, "{noon}");
    }
    // Monday evening: the petition was not dispatched, the first response came too late.
    let evening = site.sweep_at(beijing(2026, 11, 23, 18, 0));
    assert_eq!(
        (
            evening["dispatches_late"].clone(),
            evening["first_responses_late"].clone()
        ),
        (json!(1), json!(1)),
        "{evening}"
    );
    // Thursday: the return window (2 working days from Monday) has closed.
    let thursday = site.sweep_at(beijing(2026, 11, 26, 9, 0));
    assert_eq!(thursday["deemed_accepted"], 1, "{thursday}");
    assert_eq!(status_of(&site.desk.env, &dispatched), "in_progress");
    // Wednesday 2 December: the petition (5 working days, by 24:00 30 Nov) is escalated and
    // overdue, so not reminded; the dispatched and the waiting case (7 working days, by 24:00
    // 2 Dec) are reminded a working day before; the reply's rating window has closed.
    let wednesday = site.sweep_at(beijing(2026, 12, 2, 9, 0));
    assert_eq!(wednesday["escalated"], 1, "{wednesday}");
    assert_eq!(wednesday["reminded"], 2, "{wednesday}");
    assert_eq!(wednesday["closed_unrated"], 1, "{wednesday}");
    assert_eq!(status_of(&site.desk.env, &replied), "closed");
    // A month on: the complex case's stage report is late; every deadline has passed.
    let later = site.sweep_at(beijing(2027, 1, 4, 9, 0));
    assert_eq!(later["stage_reports_late"], 1, "{later}");
    assert!(later["escalated"].as_i64().expect("n") >= 3, "{later}");
    for tracking in [&waiting, &dispatched, &petition, &complex] {
        assert!(
            minyi_tests::desk_client::column(&site.desk.env, tracking, "overdue_since").is_some(),
            "{tracking} is overdue"
        );
    }
    // No duty was done twice: one event per case, kind and escalation level.
    let repeated = pollster::block_on(site.desk.env.store.query(Statement::new(
        "SELECT case_id, kind, json_extract(data, '$.level') AS level, count(*) AS n \
         FROM case_event WHERE actor_kind = 'system' GROUP BY 1, 2, 3 HAVING n > 1",
    )))
    .expect("query");
    assert!(repeated.is_empty(), "{} duties done twice", repeated.len());
    // The archive holds exactly what the runs reported.
    let totals = *site.totals.borrow();
    for (i, kind) in KINDS.iter().enumerate() {
        assert_eq!(site.events(kind), totals[i], "{kind}");
    }
}
