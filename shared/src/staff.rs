//! Staff of the back office (the desk): the roles an account may hold, what each may see,
//! and the part each plays in the case lifecycle. Pure: accounts, sessions and the audit
//! trail live in `app::staff`.

use crate::case::DepartmentId;
use std::fmt;

/// A role an account holds, scoped where the regulations scope it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StaffRole {
    /// 受理/交办: the 12345 centre's operator: intake, classification, dispatch, callbacks.
    Operator,
    /// 承办人: a department's handler: accepts, returns, drafts replies for that department.
    Handler(DepartmentId),
    /// 签发: a department's head: signs the department's replies off.
    Head(DepartmentId),
    /// 审核: the office's reviewer: approves or rejects replies, publishes them.
    Reviewer,
    /// 批示: a leader: instructions and custom time limits.
    Leader,
    /// 督查: a supervisor: overdue and escalation lists, criticism records.
    Supervisor,
    /// Accounts, departments, the rulebook, calendar years.
    Admin,
}

impl StaffRole {
    /// The stored code (`staff_role.role`).
    pub const fn code(self) -> &'static str {
        match self {
            Self::Operator => "operator",
            Self::Handler(_) => "handler",
            Self::Head(_) => "head",
            Self::Reviewer => "reviewer",
            Self::Leader => "leader",
            Self::Supervisor => "supervisor",
            Self::Admin => "admin",
        }
    }

    /// The role from its stored code and department (handler and head need one, the others
    /// none).
    pub fn from_code(code: &str, department: Option<DepartmentId>) -> Option<Self> {
        Some(match (code, department) {
            ("operator", None) => Self::Operator,
            ("handler", Some(d)) => Self::Handler(d),
            ("head", Some(d)) => Self::Head(d),
            ("reviewer", None) => Self::Reviewer,
            ("leader", None) => Self::Leader,
            ("supervisor", None) => Self::Supervisor,
            ("admin", None) => Self::Admin,
            _ => return None,
        })
    }

    /// The department a department role is scoped to.
    pub const fn department(self) -> Option<DepartmentId> {
        match self {
            Self::Handler(d) | Self::Head(d) => Some(d),
            _ => None,
        }
    }

    /// Whether the role reads citizens' contact details (names, phone numbers): such roles
    /// need a second factor to log in, and every reading is audited. The project's choice of
    /// which roles need them (项目自定): the operator calls citizens back, the department
    /// contacts them, the reviewer checks the reply reached them.
    pub const fn sees_personal_data(self) -> bool {
        matches!(
            self,
            Self::Operator | Self::Handler(_) | Self::Head(_) | Self::Reviewer
        )
    }

    /// The Chinese and English names.
    pub const fn labels(self) -> (&'static str, &'static str) {
        match self {
            Self::Operator => ("受理员", "Operator"),
            Self::Handler(_) => ("承办人", "Handler"),
            Self::Head(_) => ("签发人", "Department head"),
            Self::Reviewer => ("审核员", "Reviewer"),
            Self::Leader => ("领导", "Leader"),
            Self::Supervisor => ("督查员", "Supervisor"),
            Self::Admin => ("管理员", "Administrator"),
        }
    }
}

impl fmt::Display for StaffRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.department() {
            Some(d) => write!(f, "{}:{d}", self.code()),
            None => f.write_str(self.code()),
        }
    }
}

/// Whether an account holding `roles` needs a second factor to log in.
pub fn needs_second_factor(roles: &[StaffRole]) -> bool {
    roles.iter().any(|r| r.sees_personal_data())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_with_their_scope() {
        for role in [
            StaffRole::Operator,
            StaffRole::Handler(3),
            StaffRole::Head(3),
            StaffRole::Reviewer,
            StaffRole::Leader,
            StaffRole::Supervisor,
            StaffRole::Admin,
        ] {
            assert_eq!(
                StaffRole::from_code(role.code(), role.department()),
                Some(role)
            );
        }
        assert_eq!(
            StaffRole::from_code("handler", None),
            None,
            "a handler needs a department"
        );
        assert_eq!(StaffRole::from_code("admin", Some(1)), None);
        assert_eq!(StaffRole::from_code("mayor", None), None);
    }

    #[test]
    fn personal_data_roles_need_a_second_factor() {
        assert!(needs_second_factor(&[
            StaffRole::Admin,
            StaffRole::Operator
        ]));
        assert!(!needs_second_factor(&[
            StaffRole::Admin,
            StaffRole::Supervisor
        ]));
    }
}
