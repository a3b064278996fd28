//! The sweep component, on Spin's cron trigger (the `spin-trigger-cron` plugin, whose world
//! is `wit/cron.wit`): the smallest real scheduled duty. Every case whose first response is
//! overdue is marked late (`Command::MarkFirstResponseLate`, as `Role::System`), at most
//! [`BATCH`] a run. Idempotent by construction: marking clears the duty column, so a second or
//! overlapping run finds nothing, and a racing run loses on the event's primary key. Then it
//! purges expired key-value entries, which Spin key-value does not expire by itself.

/// The most cases one run marks; the rest wait for the next run.
pub const BATCH: u32 = 100;

/// The most key-value keys one run looks at for expired entries (Spin key-value has no
/// expiry of its own; see `minyi_spin::SpinKv::purge_expired`).
pub const PURGE_SCAN: usize = 2000;

#[cfg(target_arch = "wasm32")]
mod component {
    #![allow(missing_docs, unsafe_code)]

    spin_sdk::wit_bindgen::generate!({
        runtime_path: "spin_sdk::wit_bindgen::rt",
        world: "spin-cron",
        path: "wit",
    });

    use minyi::app::Host;
    use minyi::app::cases::{Duty, Rules, apply, due};
    use minyi::case::{Actor, Command, Role};
    use minyi::policy::Policy;
    use minyi_spin::SpinEnv;
    use minyi_web::Env;

    struct Sweep;

    impl Guest for Sweep {
        async fn handle_cron_event(_metadata: Metadata) -> Result<(), Error> {
            sweep().await.map_err(|message| {
                eprintln!("minyi: sweep failed: {message}");
                Error::Other(message)
            })
        }
    }

    export!(Sweep);

    async fn sweep() -> Result<(), String> {
        let env = SpinEnv::open().await?;
        let store = env.store();
        let host = env.host();
        let now = host.now();
        let calendar = minyi::app::calendar::load(store)
            .await
            .map_err(|e| e.to_string())?;
        let policy = Policy::default();
        let ids = due(store, Duty::FirstResponse, now, super::BATCH)
            .await
            .map_err(|e| e.to_string())?;
        let system = Actor {
            role: Role::System,
            account: None,
        };
        let (mut marked, mut skipped) = (0_u32, 0_u32);
        for id in ids {
            let rules = Rules {
                calendar: &calendar,
                policy: &policy,
                secret: &env.config().secret,
            };
            match apply(
                store,
                host,
                rules,
                id,
                &system,
                Command::MarkFirstResponseLate,
            )
            .await
            {
                Ok(_) => marked += 1,
                // Another run (or staff) got there first, or the case moved on: nothing to do.
                Err(e) => {
                    skipped += 1;
                    eprintln!("minyi: sweep: case {id} not marked: {e}");
                }
            }
        }
        if marked + skipped > 0 {
            eprintln!("minyi: sweep: {marked} first responses marked late, {skipped} skipped");
        }
        let purged = env
            .kv()
            .purge_expired(super::PURGE_SCAN)
            .await
            .map_err(|e| e.to_string())?;
        if purged > 0 {
            eprintln!("minyi: sweep: {purged} expired key-value entries purged");
        }
        Ok(())
    }
}
