//! The deadline policy: which time limit a case gets, and the instants every duty falls due.
//!
//! The rule table is data ([`Policy`]); [`Policy::default`] is the preset: the regulations'
//! numbers where they give one, the project's own choices (项目自定) elsewhere, both listed in
//! `docs/regulations.md`; `docs/policy.md` (generated from it, checked by a test) shows it in a
//! form an office clerk can check against them. A deployment may change any number; the rules
//! of combination stay:
//!
//! 1. an urgent case gets the urgent limit, counted in calendar hours (7×24);
//! 2. otherwise a complex case gets the complex limit, with a stage report due at its end
//!    (004 §10 asks it of a case that cannot be finished in time; publishing the reply first
//!    discharges it);
//! 3. otherwise the category's limit, shortened to the dispatch method's cap once the case is
//!    dispatched (001 §2: 一般书面交办件的办理时限为7个工作日,电话、短信交办件的办理时限为3个
//!    工作日). Before dispatch the limit is an estimate counted from receipt; dispatch fixes
//!    the deadline, counted from the dispatch (004 §10 承办单位在每个工作日查收、处理…转交的留言;
//!    001 §2 交办件的办理时限);
//! 4. a required time limit (要求时限) set for an urgent or leader-instructed case replaces
//!    all of the above (001 §2: 急办件和领导批示件必须在要求时限内办结反馈).

use crate::calendar::{Calendar, CalendarError, Limit, OfficeHours, Timestamp};
use crate::case::{Category, Complexity, DispatchMethod, Facts, Rating, Urgency};
use std::borrow::Cow;
use std::fmt::Write as _;

/// What the policy says about one category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryRule {
    /// The category.
    pub category: Category,
    /// Working days allowed to answer.
    pub working_days: u16,
    /// Whether the citizen gets a courtesy acknowledgement at once (suggestions, 004 §9).
    pub acknowledge_at_once: bool,
    /// The regulation clause the rule comes from (or the deployment's note).
    pub source: Cow<'static, str>,
}

/// A cap on the limit of every case dispatched one way (001 §2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DispatchCap {
    /// The dispatch method.
    pub method: DispatchMethod,
    /// At most this many working days.
    pub working_days: u16,
    /// The regulation clause the rule comes from (or the deployment's note).
    pub source: Cow<'static, str>,
}

/// The deadline rule table of a deployment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Limits by category.
    pub categories: Vec<CategoryRule>,
    /// Caps by dispatch method.
    pub dispatch_caps: Vec<DispatchCap>,
    /// Categories the office must dispatch the working day they arrive (004 §9: 信访类留言…当日
    /// 交办).
    pub same_day_dispatch: Vec<Category>,
    /// Whether a department's return needs the office's consent (000 §2.1(3): 经同意后退回…
    /// 未经市政府办公室同意,承办单位不得擅自退回).
    pub return_needs_approval: bool,
    /// Rating levels offered to citizens: 3 (满意 / 基本满意 / 不满意) or 2 (满意 / 不满意).
    pub rating_levels: u8,
    /// Whether 基本满意 counts as satisfied in satisfaction rates (项目自定 / project's
    /// choice, as 12345 platforms commonly count it).
    pub basic_counts_as_satisfied: bool,
    /// Limit of complex cases, in working days; the stage report is due at its end.
    pub complex_working_days: u16,
    /// Limit of comments on an open meeting, in working days: the unit that raised the topic
    /// answers them (000 §1.2(4): 由议题提交单位在会后3个工作日内答复).
    pub meeting_comment_working_days: u16,
    /// Limit of urgent cases, around the clock.
    pub urgent: Limit,
    /// First response to an urgent case.
    pub urgent_first_response: Limit,
    /// First response to a case from an online channel (web form, forum, Open311).
    pub online_first_response: Limit,
    /// How long a department has to return a misrouted case, from dispatch.
    pub return_window: Limit,
    /// The reminder falls this many working days before a working-day deadline.
    pub remind_before_working_days: u16,
    /// The second escalation follows the first (at the deadline) after this long.
    pub escalate_again_after: Limit,
    /// The longest extension one stage report may ask for, in working days past the deadline.
    pub max_extension_working_days: u16,
    /// How long the citizen may rate a reply before the case closes unrated.
    pub rating_window: Limit,
    /// How long after closure a citizen or operator may ask to reopen.
    pub reopen_window: Limit,
    /// Office hours for working-hour limits and close of business.
    pub office_hours: OfficeHours,
}

/// The instants a handling round's duties fall due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The limit that applied.
    pub limit: Limit,
    /// The deadline everyone sees.
    pub due_at: Timestamp,
    /// Whether the deadline counts over a year without a published schedule.
    pub provisional: bool,
    /// When the department is reminded, if there is room before the deadline.
    pub remind_at: Option<Timestamp>,
    /// When the stage report is due (complex cases).
    pub stage_report_by: Option<Timestamp>,
    /// When a first response is due (online and urgent cases; intake only).
    pub first_response_by: Option<Timestamp>,
    /// When the office must have dispatched it (same-day categories; intake only).
    pub dispatch_by: Option<Timestamp>,
    /// Whether the citizen gets a courtesy acknowledgement at once.
    pub acknowledge_at_once: bool,
}

impl Default for Policy {
    fn default() -> Self {
        use Category::*;
        let rule = |category, working_days, source| CategoryRule {
            category,
            working_days,
            acknowledge_at_once: false,
            source: Cow::Borrowed(source),
        };
        Self {
            categories: vec![
                rule(Consultation, 2, "002 §4.1：咨询类2个工作日内网上回复"),
                rule(Complaint, 7, "002 §4.1：投诉类7个工作日内办结并网上公布"),
                CategoryRule {
                    acknowledge_at_once: true,
                    ..rule(
                        Suggestion,
                        7,
                        "004 §9 礼节性回复；000 §5.2 信箱建议类7个工作日",
                    )
                },
                rule(HelpRequest, 5, "004 §10 一般5个工作日"),
                rule(Petition, 5, "004 §9 当日登记交办；004 §10 一般5个工作日"),
                rule(Report, 5, "004 §10 一般5个工作日"),
                rule(
                    Legal,
                    5,
                    "004 §9 转政法部门办理；转出前5个工作日（004 §10 缺省）为项目自定",
                ),
                rule(
                    Discipline,
                    5,
                    "004 §9 转区纪检委阅处；转出前5个工作日（004 §10 缺省）为项目自定",
                ),
            ],
            dispatch_caps: vec![
                DispatchCap {
                    method: DispatchMethod::Written,
                    working_days: 7,
                    source: Cow::Borrowed("001 §2：一般书面交办件7个工作日"),
                },
                DispatchCap {
                    method: DispatchMethod::Phone,
                    working_days: 3,
                    source: Cow::Borrowed("001 §2：电话、短信交办件3个工作日"),
                },
                DispatchCap {
                    method: DispatchMethod::Sms,
                    working_days: 3,
                    source: Cow::Borrowed("001 §2：电话、短信交办件3个工作日"),
                },
            ],
            same_day_dispatch: vec![Petition],
            return_needs_approval: true,
            rating_levels: 3,
            basic_counts_as_satisfied: true,
            // 004 §10.
            complex_working_days: 15,
            meeting_comment_working_days: 3,
            // 项目自定 / project's choice (003 §2.6 gives no number).
            urgent: Limit::CalendarHours(24),
            // 项目自定 / project's choice.
            urgent_first_response: Limit::CalendarHours(1),
            // 000 §9.2(1) gives forum posts 3 hours; other channels: 项目自定 / project's choice.
            online_first_response: Limit::WorkingHours(3),
            // 004 §10 says "2日"; counting working days is 项目自定 / project's choice.
            return_window: Limit::WorkingDays(2),
            // The rest: 项目自定 / project's choice (docs/regulations.md lists them).
            remind_before_working_days: 1,
            escalate_again_after: Limit::WorkingDays(2),
            max_extension_working_days: 15,
            rating_window: Limit::CalendarDays(7),
            reopen_window: Limit::CalendarDays(30),
            office_hours: OfficeHours::default(),
        }
    }
}

impl Policy {
    /// The rule for a category (the default of 5 working days, 004 §10, if the table has none).
    pub fn category_rule(&self, category: Category) -> CategoryRule {
        self.categories
            .iter()
            .find(|r| r.category == category)
            .cloned()
            .unwrap_or(CategoryRule {
                category,
                working_days: 5,
                acknowledge_at_once: false,
                source: Cow::Borrowed("004 §10"),
            })
    }

    /// The handling limit of a case with these facts, dispatched by `method` (`None`: the
    /// estimate before dispatch).
    pub fn handling_limit(&self, facts: &Facts, method: Option<DispatchMethod>) -> Limit {
        if facts.urgency == Urgency::Urgent {
            return self.urgent;
        }
        if facts.complexity == Complexity::Complex {
            return Limit::WorkingDays(self.complex_working_days);
        }
        let mut category = self.category_rule(facts.category).working_days;
        if facts.channel == crate::case::Channel::Meeting {
            category = category.min(self.meeting_comment_working_days);
        }
        let cap = self
            .dispatch_caps
            .iter()
            .find(|c| Some(c.method) == method)
            .map_or(u16::MAX, |c| c.working_days);
        Limit::WorkingDays(category.min(cap))
    }

    /// The duties of a handling round that starts at `start`: receipt (`intake`, the only
    /// round with first-response and same-day-dispatch duties; `method` is `None` and the
    /// deadline an estimate), dispatch, or the decision to re-handle.
    pub fn plan(
        &self,
        calendar: &Calendar,
        facts: &Facts,
        start: Timestamp,
        intake: bool,
        method: Option<DispatchMethod>,
    ) -> Result<Plan, CalendarError> {
        let limit = self.handling_limit(facts, method);
        let due = calendar.deadline(start, limit, &self.office_hours)?;
        let remind_at = match limit {
            Limit::WorkingDays(n) if n > self.remind_before_working_days => Some(
                calendar
                    .deadline(
                        start,
                        Limit::WorkingDays(n - self.remind_before_working_days),
                        &self.office_hours,
                    )?
                    .at,
            ),
            Limit::WorkingDays(_) => None,
            _ => Some(midpoint(start, due.at)),
        };
        let first_response = if facts.urgency == Urgency::Urgent {
            Some(self.urgent_first_response)
        } else if facts.channel.is_online() {
            Some(self.online_first_response)
        } else {
            None
        };
        let first_response_by = match first_response.filter(|_| intake) {
            Some(limit) => Some(calendar.deadline(start, limit, &self.office_hours)?.at),
            None => None,
        };
        let dispatch_by = if intake && self.same_day_dispatch.contains(&facts.category) {
            Some(self.same_working_day(calendar, start)?)
        } else {
            None
        };
        Ok(Plan {
            dispatch_by,
            limit,
            due_at: due.at,
            provisional: due.provisional,
            remind_at,
            stage_report_by: (facts.complexity == Complexity::Complex
                && facts.urgency == Urgency::Normal)
                .then_some(due.at),
            first_response_by,
            acknowledge_at_once: self.category_rule(facts.category).acknowledge_at_once,
        })
    }

    /// Whether citizens may give this rating under the policy's scale.
    pub fn offers_rating(&self, rating: Rating) -> bool {
        rating != Rating::Basic || self.rating_levels != 2
    }

    /// Whether a rating counts as satisfied in the rates.
    pub fn counts_as_satisfied(&self, rating: Rating) -> bool {
        match rating {
            Rating::Satisfied => true,
            Rating::Basic => self.basic_counts_as_satisfied,
            Rating::Unsatisfied => false,
        }
    }

    /// The end of a limit counted from an earlier instant (return window, rating window, ...).
    pub fn after(
        &self,
        calendar: &Calendar,
        start: Timestamp,
        limit: Limit,
    ) -> Result<Timestamp, CalendarError> {
        Ok(calendar.deadline(start, limit, &self.office_hours)?.at)
    }

    /// Close of business of the working day `start` falls in, or of the next working day when
    /// `start` is after hours or on a rest day: what "the same day" (当日) means for the office.
    pub fn same_working_day(
        &self,
        calendar: &Calendar,
        start: Timestamp,
    ) -> Result<Timestamp, CalendarError> {
        calendar.close_of_working_day(start, &self.office_hours)
    }

    /// The second escalation: [`Policy::escalate_again_after`] past the deadline. Counted from
    /// the last instant *before* the deadline, so a deadline at 24:00 of day N counts from day N.
    pub fn second_escalation(
        &self,
        calendar: &Calendar,
        due_at: Timestamp,
    ) -> Result<Timestamp, CalendarError> {
        self.past_deadline(calendar, due_at, self.escalate_again_after)
    }

    /// The latest deadline one extension may set: [`Policy::max_extension_working_days`]
    /// past the current deadline.
    pub fn latest_extension(
        &self,
        calendar: &Calendar,
        due_at: Timestamp,
    ) -> Result<Timestamp, CalendarError> {
        self.past_deadline(
            calendar,
            due_at,
            Limit::WorkingDays(self.max_extension_working_days),
        )
    }

    /// `limit` counted on from a deadline, starting with the deadline's own day: the count
    /// starts from the last instant before `due_at`, so 24:00 of day N counts from day N.
    fn past_deadline(
        &self,
        calendar: &Calendar,
        due_at: Timestamp,
        limit: Limit,
    ) -> Result<Timestamp, CalendarError> {
        let just_before = due_at
            .checked_sub(jiff::SignedDuration::from_millis(1))
            .map_err(|_| CalendarError::OutOfRange)?;
        self.after(calendar, just_before, limit)
    }

    /// The rule table as Markdown, for `docs/policy.md`.
    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        md.push_str(
            "| 类别 Category | 办理时限 Limit | 即时回复 Acknowledge at once | 依据 Source |\n",
        );
        md.push_str("| --- | --- | --- | --- |\n");
        for r in &self.categories {
            let _ = writeln!(
                md,
                "| {} {} | {} 个工作日 working days | {} | {} |",
                r.category.label_zh(),
                r.category.label_en(),
                r.working_days,
                if r.acknowledge_at_once {
                    "是 yes"
                } else {
                    "否 no"
                },
                r.source
            );
        }
        md.push_str(
            "\n| 交办方式 Dispatch method | 时限上限（自交办起） Cap, from dispatch | 依据 Source |\n| --- | --- | --- |\n",
        );
        for c in &self.dispatch_caps {
            let _ = writeln!(
                md,
                "| {} {} | {} 个工作日 working days | {} |",
                c.method.label_zh(),
                c.method.label_en(),
                c.working_days,
                c.source
            );
        }
        md.push_str("\n| 规则 Rule | 时限 Limit |\n| --- | --- |\n");
        let rows = [
            (
                "复杂案件（阶段性办理情况于时限届满时报送） Complex case (stage report due at the limit)",
                Limit::WorkingDays(self.complex_working_days),
            ),
            (
                "会议征集意见（议题提交单位答复，000 §1.2(4)） Meeting comment (answered by the topic's unit)",
                Limit::WorkingDays(self.meeting_comment_working_days),
            ),
            ("紧急案件（7×24） Urgent case", self.urgent),
            (
                "紧急案件首次响应 First response, urgent",
                self.urgent_first_response,
            ),
            (
                "网上渠道首次响应 First response, online channels",
                self.online_first_response,
            ),
            (
                "退回时限（自交办起） Return window, from dispatch",
                self.return_window,
            ),
            (
                "超期后再次督办 Second escalation after the deadline",
                self.escalate_again_after,
            ),
            (
                "延期最长（超出原时限） Longest extension past the deadline",
                Limit::WorkingDays(self.max_extension_working_days),
            ),
            ("满意度评价期 Rating window", self.rating_window),
            (
                "申请重办期（办结后） Reopen window after closure",
                self.reopen_window,
            ),
        ];
        for (rule, limit) in rows {
            let _ = writeln!(md, "| {rule} | {} |", describe(limit));
        }
        let _ = writeln!(
            md,
            "| 到期前提醒 Reminder before a working-day deadline | {} 个工作日 working days（小时时限：过半时 hour limits: at half time） |",
            self.remind_before_working_days
        );
        let same_day: Vec<&str> = self
            .same_day_dispatch
            .iter()
            .map(|c| c.label_zh())
            .collect();
        let yes_no = |b: bool| if b { "是 yes" } else { "否 no" };
        let _ = writeln!(
            md,
            "| 当日交办（受理当日下班前，非工作时间顺延至下一工作日） Same-day dispatch (by close of business) | {} |",
            if same_day.is_empty() {
                "—".to_owned()
            } else {
                same_day.join("、")
            }
        );
        let _ = writeln!(
            md,
            "| 退回须经交办机构同意 A return needs the office's consent | {} |",
            yes_no(self.return_needs_approval)
        );
        let _ = writeln!(
            md,
            "| 评价等级 Rating levels | {}；基本满意计入满意 basic counts as satisfied: {} |",
            if self.rating_levels == 2 {
                "满意 / 不满意"
            } else {
                "满意 / 基本满意 / 不满意"
            },
            yes_no(self.basic_counts_as_satisfied)
        );
        md
    }
}

/// A limit in words, Chinese first.
pub fn describe(limit: Limit) -> String {
    match limit {
        Limit::WorkingDays(n) => format!("{n} 个工作日 working days"),
        Limit::WorkingHours(n) => format!("{n} 个工作小时 working hours"),
        Limit::CalendarDays(n) => format!("{n} 日 calendar days"),
        Limit::CalendarHours(n) => format!("{n} 小时 hours (7×24)"),
    }
}

fn midpoint(start: Timestamp, end: Timestamp) -> Timestamp {
    let half = (end.as_millisecond() - start.as_millisecond()) / 2;
    Timestamp::from_millisecond(start.as_millisecond() + half).unwrap_or(end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{BEIJING, Date};
    use crate::case::Channel;

    fn facts(channel: Channel, category: Category) -> Facts {
        Facts {
            channel,
            category,
            urgency: Urgency::Normal,
            complexity: Complexity::Ordinary,
            publish_consent: true,
        }
    }

    fn at(date: Date, hour: i8, minute: i8) -> Timestamp {
        BEIJING
            .to_timestamp(date.at(hour, minute, 0, 0))
            .expect("valid local time")
    }

    #[test]
    fn limits_follow_the_preset() {
        let p = Policy::default();
        // The cap follows how the office dispatches, not how the citizen wrote in (001 §2).
        for (channel, category, method, days) in [
            (Channel::Web, Category::Consultation, None, 2),
            (Channel::Web, Category::Complaint, None, 7),
            (Channel::Phone, Category::Complaint, None, 7),
            (
                Channel::Web,
                Category::Complaint,
                Some(DispatchMethod::Phone),
                3,
            ),
            (
                Channel::Phone,
                Category::Complaint,
                Some(DispatchMethod::Written),
                7,
            ),
            (
                Channel::Web,
                Category::Suggestion,
                Some(DispatchMethod::Written),
                7,
            ),
            (
                Channel::Mailbox,
                Category::HelpRequest,
                Some(DispatchMethod::Sms),
                3,
            ),
            (
                Channel::Sms,
                Category::Consultation,
                Some(DispatchMethod::Sms),
                2,
            ),
        ] {
            let limit = p.handling_limit(&facts(channel, category), method);
            assert_eq!(
                limit,
                Limit::WorkingDays(days),
                "{channel:?} {category:?} {method:?}"
            );
        }
        let mut complex = facts(Channel::Phone, Category::Complaint);
        complex.complexity = Complexity::Complex;
        assert_eq!(p.handling_limit(&complex, None), Limit::WorkingDays(15));
        complex.urgency = Urgency::Urgent;
        assert_eq!(p.handling_limit(&complex, None), Limit::CalendarHours(24));
    }

    #[test]
    fn plan_over_national_day_2025() {
        // Received Tuesday 2025-09-30 10:00; Oct 1–8 are off; Oct 11 (Saturday) is worked.
        let cal = Calendar::builtin();
        let p = Policy::default();
        let received = at(Date::constant(2025, 9, 30), 10, 0);
        let plan = p
            .plan(
                &cal,
                &facts(Channel::Web, Category::HelpRequest),
                received,
                true,
                None,
            )
            .expect("in range");
        // Working days after receipt: Oct 9, 10, 11 (make-up), 13, 14 → due 24:00 Oct 14.
        assert_eq!(plan.due_at, at(Date::constant(2025, 10, 15), 0, 0));
        assert_eq!(plan.remind_at, Some(at(Date::constant(2025, 10, 14), 0, 0)));
        // 3 working hours from 10:00: 10:00–12:00 and 14:00–15:00.
        assert_eq!(
            plan.first_response_by,
            Some(at(Date::constant(2025, 9, 30), 15, 0))
        );
        assert!(!plan.provisional);
        assert_eq!(plan.stage_report_by, None);
        // Second escalation two working days after 24:00 Oct 14: 24:00 Oct 16.
        assert_eq!(
            p.second_escalation(&cal, plan.due_at),
            Ok(at(Date::constant(2025, 10, 17), 0, 0))
        );
    }

    #[test]
    fn complex_and_urgent_plans() {
        let cal = Calendar::builtin();
        let p = Policy::default();
        let received = at(Date::constant(2026, 3, 2), 9, 0);
        let mut f = facts(Channel::Phone, Category::Complaint);
        f.complexity = Complexity::Complex;
        let plan = p.plan(&cal, &f, received, true, None).expect("in range");
        assert_eq!(plan.stage_report_by, Some(plan.due_at));
        assert_eq!(plan.first_response_by, None);
        f.urgency = Urgency::Urgent;
        let plan = p.plan(&cal, &f, received, true, None).expect("in range");
        assert_eq!(plan.due_at, at(Date::constant(2026, 3, 3), 9, 0));
        assert_eq!(plan.remind_at, Some(at(Date::constant(2026, 3, 2), 21, 0)));
        assert_eq!(
            plan.first_response_by,
            Some(at(Date::constant(2026, 3, 2), 10, 0))
        );
        assert_eq!(plan.stage_report_by, None);
        let rehandle = p.plan(&cal, &f, received, false, None).expect("in range");
        assert_eq!(rehandle.first_response_by, None);
    }

    #[test]
    fn petitions_are_due_for_dispatch_by_close_of_business_of_their_working_day() {
        let cal = Calendar::builtin();
        let p = Policy::default();
        let petition = facts(Channel::Mailbox, Category::Petition);
        let dispatch_by = |received| {
            p.plan(&cal, &petition, received, true, None)
                .expect("in range")
                .dispatch_by
        };
        // Friday 2026-03-06 10:00 → 17:30 the same day.
        assert_eq!(
            dispatch_by(at(Date::constant(2026, 3, 6), 10, 0)),
            Some(at(Date::constant(2026, 3, 6), 17, 30))
        );
        // Friday evening after close → Monday 17:30.
        assert_eq!(
            dispatch_by(at(Date::constant(2026, 3, 6), 18, 0)),
            Some(at(Date::constant(2026, 3, 9), 17, 30))
        );
        // Holiday eve 2025-09-30 20:00 (Oct 1–8 off) → Thursday Oct 9, 17:30.
        assert_eq!(
            dispatch_by(at(Date::constant(2025, 9, 30), 20, 0)),
            Some(at(Date::constant(2025, 10, 9), 17, 30))
        );
        // Make-up Saturday 2025-10-11 is a working day: 17:30 the same day.
        assert_eq!(
            dispatch_by(at(Date::constant(2025, 10, 11), 9, 0)),
            Some(at(Date::constant(2025, 10, 11), 17, 30))
        );
        // Other categories, and later rounds, have no such duty.
        let complaint = facts(Channel::Mailbox, Category::Complaint);
        let t = at(Date::constant(2026, 3, 6), 10, 0);
        assert_eq!(
            p.plan(&cal, &complaint, t, true, None)
                .expect("ok")
                .dispatch_by,
            None
        );
        assert_eq!(
            p.plan(&cal, &petition, t, false, None)
                .expect("ok")
                .dispatch_by,
            None
        );
    }

    #[test]
    fn docs_show_the_default_preset() {
        crate::docs::assert_current("docs/policy.md", &Policy::default().to_markdown());
    }

    #[test]
    fn suggestions_are_acknowledged_at_once() {
        let cal = Calendar::builtin();
        let plan = Policy::default()
            .plan(
                &cal,
                &facts(Channel::Mailbox, Category::Suggestion),
                at(Date::constant(2026, 5, 6), 9, 0),
                true,
                None,
            )
            .expect("in range");
        assert!(plan.acknowledge_at_once);
        assert_eq!(plan.first_response_by, None);
    }
}
