//! The vocabulary of a case: where it came from, what it is about, how it ends up.
//!
//! Every enum has a stable `code` (what the database and the APIs store) and a Chinese and an
//! English label (what people read).

/// Declares a closed vocabulary with stable codes and bilingual labels.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal, $zh:literal, $en:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vdoc])* $variant,)+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable code stored in the database and used by the APIs.
            pub const fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// The value with this code, if any.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// The Simplified Chinese label.
            pub const fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh,)+ }
            }

            /// The English label.
            pub const fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en,)+ }
            }
        }
    };
}

vocabulary! {
    /// How a case reached the platform.
    Channel {
        /// The platform's own web form.
        Web = "web", "网上留言", "Web form";
        /// The 12345 hotline, entered by an operator.
        Phone = "phone", "热线电话", "Hotline call";
        /// A text message to the SMS line.
        Sms = "sms", "短信", "SMS";
        /// A letter to the mayor's or secretary's mailbox.
        Mailbox = "mailbox", "领导信箱", "Leaders' mailbox";
        /// A paper letter, registered by an operator.
        Letter = "letter", "来信", "Letter";
        /// A citizen at the counter, registered by an operator.
        Visit = "visit", "来访", "Walk-in";
        /// A post on the public forum / leaders' message board.
        Forum = "forum", "网络论坛", "Forum post";
        /// An Open311 GeoReport v2 client.
        Open311 = "open311", "Open311接口", "Open311 API";
        /// Imported from another platform (12315, 12333, petition platform, ...).
        Import = "import", "外部平台导入", "Imported";
        /// A comment on an open government meeting.
        Meeting = "meeting", "会议征集", "Meeting comment";
    }
}

impl Channel {
    /// Whether the citizen waits online for a first response (web form, forum, Open311).
    pub const fn is_online(self) -> bool {
        matches!(self, Channel::Web | Channel::Forum | Channel::Open311)
    }
}

vocabulary! {
    /// What the citizen asks for (004 §9; 投诉、求助 004 §11, 举报 004 §7(四), 投诉、咨询
    /// 002 §4.1).
    Category {
        /// 咨询: a question to be answered.
        Consultation = "consultation", "咨询", "Consultation";
        /// 投诉: a complaint to be resolved.
        Complaint = "complaint", "投诉", "Complaint";
        /// 建议: a suggestion; acknowledged at once, then forwarded (004 §9).
        Suggestion = "suggestion", "建议", "Suggestion";
        /// 求助: a request for help.
        HelpRequest = "help", "求助", "Help request";
        /// 信访: a petition; registered and dispatched the same day (004 §9).
        Petition = "petition", "信访", "Petition";
        /// 举报: a report of wrongdoing.
        Report = "report", "举报", "Report";
        /// 涉法涉诉: legal or litigation matters, transferred to the legal organs (004 §9:
        /// 转政法部门办理).
        Legal = "legal", "涉法涉诉", "Legal/litigation";
        /// 党风廉政: discipline matters, transferred to the discipline commission (004 §9:
        /// 转区纪检委阅处,不再专门办理); never public (项目自定 / project's choice).
        Discipline = "discipline", "党风廉政", "Party discipline";
    }
}

impl Category {
    /// Whether the platform only transfers this kind of case out (004 §9).
    pub const fn is_transferred_out(self) -> bool {
        matches!(self, Category::Legal | Category::Discipline)
    }
}

vocabulary! {
    /// How fast a case must move.
    Urgency {
        /// Ordinary handling in working days.
        Normal = "normal", "一般", "Normal";
        /// 即办/急办: accepted and responded to at once, around the clock (003 §2.6; 急办件
        /// 001 §2).
        Urgent = "urgent", "紧急", "Urgent";
    }
}

vocabulary! {
    /// How much work a case needs.
    Complexity {
        /// Ordinary case.
        Ordinary = "ordinary", "一般", "Ordinary";
        /// Wide or complex: 15 working days; a stage report if it cannot be finished by then
        /// (004 §10).
        Complex = "complex", "复杂", "Complex";
    }
}

vocabulary! {
    /// Where a case stands.
    Status {
        /// 已受理: registered, waiting for dispatch.
        Registered = "registered", "已受理", "Registered";
        /// 已交办: dispatched, the lead department may still return it.
        Dispatched = "dispatched", "已交办", "Dispatched";
        /// 已退回: returned by a department, waiting to be dispatched again.
        Returned = "returned", "已退回", "Returned";
        /// 办理中: being handled by the lead department.
        InProgress = "in_progress", "办理中", "In progress";
        /// 待签发: a draft reply waits for the department head's sign-off (签发).
        SignOffPending = "sign_off_pending", "待签发", "Awaiting sign-off";
        /// 退回待审: the department asked to return the case; the office decides.
        ReturnRequested = "return_requested", "退回待审", "Return requested";
        /// 审核中: a draft reply waits for review.
        UnderReview = "under_review", "审核中", "Under review";
        /// 待发布: the reply was approved and waits for publication.
        Approved = "approved", "待发布", "Approved";
        /// 已答复: the reply is out; the citizen may rate it.
        Replied = "replied", "已答复", "Replied";
        /// 跟踪落实: the reply promised further work; a further reply is due.
        FollowingUp = "following_up", "跟踪落实", "Following up";
        /// 待确认重办: the citizen was not satisfied or asked to reopen; an operator decides.
        ReopenRequested = "reopen_requested", "待确认重办", "Reopen requested";
        /// 已办结: closed.
        Closed = "closed", "已办结", "Closed";
        /// 已转出: transferred to the legal organs or the discipline commission.
        TransferredOut = "transferred_out", "已转出", "Transferred out";
    }
}

impl Status {
    /// Whether the case has ended (nothing is due any more).
    pub const fn is_final(self) -> bool {
        matches!(self, Status::Closed | Status::TransferredOut)
    }
}

vocabulary! {
    /// How the office hands a case to a department (001 §2: 书面交办件 7 working days,
    /// 电话、短信交办件 3).
    DispatchMethod {
        /// In writing: through the platform or on paper.
        Written = "written", "书面交办", "In writing";
        /// By phone.
        Phone = "phone", "电话交办", "By phone";
        /// By text message.
        Sms = "sms", "短信交办", "By SMS";
    }
}

vocabulary! {
    /// The citizen's rating of a reply: three levels, as 12345 platforms commonly use (the
    /// seeds name only 满意 and 不满意, 000 §2.5, 002 §4.1); a two-level policy refuses
    /// [`Rating::Basic`].
    Rating {
        /// 满意.
        Satisfied = "satisfied", "满意", "Satisfied";
        /// 基本满意.
        Basic = "basic", "基本满意", "Basically satisfied";
        /// 不满意: opens a reopen request.
        Unsatisfied = "unsatisfied", "不满意", "Unsatisfied";
    }
}

vocabulary! {
    /// How true the department found the message (004 §10).
    Truthfulness {
        /// 属实.
        True = "true", "属实", "True";
        /// 基本属实.
        MostlyTrue = "mostly_true", "基本属实", "Mostly true";
        /// 部分属实.
        PartlyTrue = "partly_true", "部分属实", "Partly true";
        /// 不属实: the reply is never public.
        Untrue = "untrue", "不属实", "Untrue";
    }
}

vocabulary! {
    /// The result grade of a reply (000 §2.4(3), written for answers to deputies; used for
    /// every case by analogy).
    Grade {
        /// A: solved or basically solved.
        A = "A", "A类：已解决或基本解决", "A: solved";
        /// B: being solved or planned.
        B = "B", "B类：正在解决或列入计划", "B: being solved";
        /// C: cannot be solved now, kept for reference.
        C = "C", "C类：暂不能解决，留作参考", "C: kept for reference";
    }
}

vocabulary! {
    /// The four kinds of reply that are never public (004 §12).
    Withhold {
        /// The message is untrue or contradicts the department's findings.
        Contradicted = "contradicted", "反映情况不实或与调查结论不符", "Untrue or contradicted by findings";
        /// The demand is plainly unreasonable.
        Unreasonable = "unreasonable", "诉求明显不合理", "Plainly unreasonable demand";
        /// Publishing would cause controversy or harm.
        Harmful = "harmful", "公开可能引发争议或造成不良影响", "Publication would cause harm";
        /// Force majeure keeps it unsolved for now.
        ForceMajeure = "force_majeure", "因不可抗力暂时无法解决", "Unsolvable for now (force majeure)";
    }
}

vocabulary! {
    /// Who may read a published reply.
    Visibility {
        /// On the public pages (the citizen also gets it where contact exists).
        Public = "public", "公开答复", "Public";
        /// Sent to the citizen only.
        Private = "private", "个别答复", "Private";
        /// Published and sent privately together (004 §12).
        Both = "both", "公开并个别答复", "Public and private";
    }
}

impl Visibility {
    /// Whether the public pages show the reply.
    pub const fn is_public(self) -> bool {
        matches!(self, Visibility::Public | Visibility::Both)
    }
}

vocabulary! {
    /// Where a case is transferred out to (004 §9: 政法部门, 区纪检委).
    TransferTarget {
        /// 政法机关: the legal organs.
        LegalOrgans = "legal_organs", "政法机关", "Legal organs";
        /// 纪检监察机关: the discipline commission.
        DisciplineCommission = "discipline_commission", "纪检监察机关", "Discipline commission";
    }
}

vocabulary! {
    /// Why an operator closes a case without handling it.
    Dismissal {
        /// A repeat of a case already being handled.
        Duplicate = "duplicate", "重复诉求", "Duplicate";
        /// No content that can be handled (empty, abusive, advertising).
        NoContent = "no_content", "无实质内容", "No actionable content";
        /// Withdrawn by the citizen.
        Withdrawn = "withdrawn", "本人撤回", "Withdrawn by the citizen";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        fn check<T: Copy + PartialEq + std::fmt::Debug>(
            all: &[T],
            code: fn(T) -> &'static str,
            from: fn(&str) -> Option<T>,
        ) {
            for &v in all {
                assert_eq!(from(code(v)), Some(v));
            }
            let mut codes: Vec<_> = all.iter().map(|&v| code(v)).collect();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(codes.len(), all.len());
        }
        check(Channel::ALL, Channel::code, Channel::from_code);
        check(Category::ALL, Category::code, Category::from_code);
        check(Status::ALL, Status::code, Status::from_code);
        check(
            Truthfulness::ALL,
            Truthfulness::code,
            Truthfulness::from_code,
        );
        check(Withhold::ALL, Withhold::code, Withhold::from_code);
        check(Visibility::ALL, Visibility::code, Visibility::from_code);
        check(
            DispatchMethod::ALL,
            DispatchMethod::code,
            DispatchMethod::from_code,
        );
        check(Rating::ALL, Rating::code, Rating::from_code);
        assert_eq!(Category::from_code("nonsense"), None);
    }
}
