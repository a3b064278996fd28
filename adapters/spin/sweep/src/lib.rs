//! The sweep component, on Spin's cron trigger (the `spin-trigger-cron` plugin, whose world
//! is `wit/cron.wit`), for when a released trigger loads WASI 0.3 components. Until then an
//! operator's scheduler calls `POST /ops/sweep` (the ops component); both run the same
//! `minyi_ops::sweep`.

#[cfg(target_arch = "wasm32")]
mod component {
    #![allow(missing_docs, unsafe_code)]

    spin_sdk::wit_bindgen::generate!({
        runtime_path: "spin_sdk::wit_bindgen::rt",
        world: "spin-cron",
        path: "wit",
    });

    use minyi_spin::SpinEnv;

    struct Sweep;

    impl Guest for Sweep {
        async fn handle_cron_event(_metadata: Metadata) -> Result<(), Error> {
            let outcome = match SpinEnv::open().await {
                Ok(env) => minyi_ops::sweep(&env).await.map_err(|e| format!("{e:?}")),
                Err(e) => Err(e),
            };
            match outcome {
                Ok(report) => {
                    eprintln!("minyi: sweep: {}", minyi_ops::report(&report));
                    Ok(())
                }
                Err(message) => {
                    eprintln!("minyi: sweep failed: {message}");
                    Err(Error::Other(message))
                }
            }
        }
    }

    export!(Sweep);
}
