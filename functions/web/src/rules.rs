//! The rules in force (calendar and rulebook) as one instance keeps them: read from the store
//! at most once per [`TTL_MS`] on runtimes whose instances live across requests, so a saved
//! rulebook or calendar year takes effect everywhere within that while.

use std::cell::RefCell;
use std::rc::Rc;

use minyi::app::Host;
use minyi::app::rulebook::{self, InForce};

use crate::{Env, WebError};

/// How long an instance keeps the rules it read (the project's own choice: one minute).
pub const TTL_MS: i64 = 60_000;

thread_local! {
    /// The rules this instance read, and when.
    static IN_FORCE: RefCell<Option<(i64, Rc<InForce>)>> = const { RefCell::new(None) };
}

/// The rules in force: the instance's copy if it is younger than the env's
/// [`Env::rules_ttl_ms`], otherwise freshly read (and kept).
pub async fn in_force<E: Env + ?Sized>(env: &E) -> Result<Rc<InForce>, WebError> {
    let ttl = env.rules_ttl_ms();
    let now = env.host().now().as_millisecond();
    if ttl > 0
        && let Some(kept) = IN_FORCE.with_borrow(|slot| {
            slot.as_ref()
                .filter(|(read_at, _)| (0..ttl).contains(&(now - read_at)))
                .map(|(_, rules)| Rc::clone(rules))
        })
    {
        return Ok(kept);
    }
    let rules = Rc::new(rulebook::load(env.store()).await?);
    if ttl > 0 {
        IN_FORCE.with_borrow_mut(|slot| *slot = Some((now, Rc::clone(&rules))));
    }
    Ok(rules)
}

/// Drops the instance's copy, after this instance saved new rules.
pub fn forget() {
    IN_FORCE.with_borrow_mut(|slot| *slot = None);
}
