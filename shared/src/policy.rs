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
//! 3. otherwise the category's limit, shortened to the channel's cap where one exists
//!    ("phone and SMS cases 3 working days unless the category's limit is shorter"; 001 §2
//!    gives 3 working days to cases the office dispatches by phone or SMS, and keying it on
//!    the intake channel is the project's approximation).

use crate::calendar::{Calendar, CalendarError, Limit, OfficeHours, Timestamp};
use crate::case::{Category, Channel, Complexity, Facts, Urgency};
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

/// A cap on the limit of every case arriving through one channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelCap {
    /// The channel.
    pub channel: Channel,
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
    /// Caps by channel.
    pub channel_caps: Vec<ChannelCap>,
    /// Limit of complex cases, in working days; the stage report is due at its end.
    pub complex_working_days: u16,
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
            channel_caps: vec![
                ChannelCap {
                    channel: Channel::Phone,
                    working_days: 3,
                    source: Cow::Borrowed(
                        "001 §2：电话、短信交办件3个工作日（按来件渠道套用：项目自定）",
                    ),
                },
                ChannelCap {
                    channel: Channel::Sms,
                    working_days: 3,
                    source: Cow::Borrowed(
                        "001 §2：电话、短信交办件3个工作日（按来件渠道套用：项目自定）",
                    ),
                },
            ],
            // 004 §10.
            complex_working_days: 15,
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

    /// The handling limit of a case with these facts.
    pub fn handling_limit(&self, facts: &Facts) -> Limit {
        if facts.urgency == Urgency::Urgent {
            return self.urgent;
        }
        if facts.complexity == Complexity::Complex {
            return Limit::WorkingDays(self.complex_working_days);
        }
        let category = self.category_rule(facts.category).working_days;
        let cap = self
            .channel_caps
            .iter()
            .find(|c| c.channel == facts.channel)
            .map_or(u16::MAX, |c| c.working_days);
        Limit::WorkingDays(category.min(cap))
    }

    /// The duties of a handling round that starts at `start` (receipt, or the decision to
    /// re-handle). `intake` is true for the first round, which alone has a first-response duty.
    pub fn plan(
        &self,
        calendar: &Calendar,
        facts: &Facts,
        start: Timestamp,
        intake: bool,
    ) -> Result<Plan, CalendarError> {
        let limit = self.handling_limit(facts);
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
        Ok(Plan {
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

    /// The end of a limit counted from an earlier instant (return window, rating window, ...).
    pub fn after(
        &self,
        calendar: &Calendar,
        start: Timestamp,
        limit: Limit,
    ) -> Result<Timestamp, CalendarError> {
        Ok(calendar.deadline(start, limit, &self.office_hours)?.at)
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
        md.push_str("\n| 渠道 Channel | 时限上限 Cap | 依据 Source |\n| --- | --- | --- |\n");
        for c in &self.channel_caps {
            let _ = writeln!(
                md,
                "| {} {} | {} 个工作日 working days | {} |",
                c.channel.label_zh(),
                c.channel.label_en(),
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
    use crate::calendar::{Date, shanghai};

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
        date.at(hour, minute, 0, 0)
            .to_zoned(shanghai())
            .expect("valid local time")
            .timestamp()
    }

    #[test]
    fn limits_follow_the_preset() {
        let p = Policy::default();
        for (channel, category, days) in [
            (Channel::Web, Category::Consultation, 2),
            (Channel::Web, Category::Complaint, 7),
            (Channel::Web, Category::Suggestion, 7),
            (Channel::Mailbox, Category::HelpRequest, 5),
            (Channel::Phone, Category::Complaint, 3),
            (Channel::Sms, Category::Consultation, 2),
        ] {
            let limit = p.handling_limit(&facts(channel, category));
            assert_eq!(limit, Limit::WorkingDays(days), "{channel:?} {category:?}");
        }
        let mut complex = facts(Channel::Phone, Category::Complaint);
        complex.complexity = Complexity::Complex;
        assert_eq!(p.handling_limit(&complex), Limit::WorkingDays(15));
        complex.urgency = Urgency::Urgent;
        assert_eq!(p.handling_limit(&complex), Limit::CalendarHours(24));
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
        let plan = p.plan(&cal, &f, received, true).expect("in range");
        assert_eq!(plan.stage_report_by, Some(plan.due_at));
        assert_eq!(plan.first_response_by, None);
        f.urgency = Urgency::Urgent;
        let plan = p.plan(&cal, &f, received, true).expect("in range");
        assert_eq!(plan.due_at, at(Date::constant(2026, 3, 3), 9, 0));
        assert_eq!(plan.remind_at, Some(at(Date::constant(2026, 3, 2), 21, 0)));
        assert_eq!(
            plan.first_response_by,
            Some(at(Date::constant(2026, 3, 2), 10, 0))
        );
        assert_eq!(plan.stage_report_by, None);
        let rehandle = p.plan(&cal, &f, received, false).expect("in range");
        assert_eq!(rehandle.first_response_by, None);
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
            )
            .expect("in range");
        assert!(plan.acknowledge_at_once);
        assert_eq!(plan.first_response_by, None);
    }
}
