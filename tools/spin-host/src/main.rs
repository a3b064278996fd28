//! `minyi-spin-host`: runs a Spin application's components on wasmtime for tests, where the
//! Spin CLI cannot be installed. It implements what Minyi's components import (WASI 0.2/0.3,
//! WASI HTTP 0.3, `spin:sqlite`, `spin:key-value`, `spin:variables`, the cron plugin), and
//! enforces the manifest's routes and grants as Spin does. See docs/deploy-spin.md.
//!
//! ```text
//! minyi-spin-host [--from spin.toml] [--listen 127.0.0.1:3000] [--state-dir .spin]
//!                 [--sqlite @file.sql | --sqlite 'SQL']... [--source COMPONENT=path.wasm]...
//!                 [--outbound-reply URL_PREFIX=STATUS:BODY]... [--record-outbound FILE]
//!                 [--test-hooks]
//! ```
//! Variables come from `SPIN_VARIABLE_<NAME>`, as with `spin up`. `--test-hooks` adds
//! `POST /.well-known/spin/cron[?at=<unix ms>]`, which runs every cron component once.

mod app;
mod bindings;
mod cron_trigger;
mod http_trigger;
mod key_value;
mod manifest;
mod outbound;
mod sqlite;
mod state;
mod variables;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};
use wasmtime::bail;
use wasmtime::error::Context;

struct Args {
    manifest: PathBuf,
    listen: String,
    state_dir: PathBuf,
    sqlite: Vec<String>,
    sources: BTreeMap<String, PathBuf>,
    outbound: outbound::Policy,
    test_hooks: bool,
}

fn parse_args() -> wasmtime::Result<Args> {
    let mut args = Args {
        manifest: "spin.toml".into(),
        listen: "127.0.0.1:3000".into(),
        state_dir: ".spin".into(),
        sqlite: Vec::new(),
        sources: BTreeMap::new(),
        outbound: outbound::Policy::default(),
        test_hooks: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--from" | "-f" => args.manifest = value()?.into(),
            "--listen" => args.listen = value()?,
            "--state-dir" => args.state_dir = value()?.into(),
            "--sqlite" => args.sqlite.push(value()?),
            "--source" => {
                let v = value()?;
                let (id, path) = v.split_once('=').context("--source COMPONENT=path.wasm")?;
                args.sources.insert(id.to_owned(), path.into());
            }
            "--outbound-reply" => args.outbound.stubs.push(outbound::Stub::parse(&value()?)?),
            "--record-outbound" => {
                let path = value()?;
                let file = std::fs::File::create(&path).with_context(|| path.clone())?;
                args.outbound.record = Some(std::sync::Mutex::new(file));
            }
            "--test-hooks" => args.test_hooks = true,
            "--help" | "-h" => {
                println!("{}", include_str!("usage.txt"));
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?} (see --help)"),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> wasmtime::Result<()> {
    let args = parse_args()?;
    let manifest = manifest::Manifest::load(&args.manifest, |name| {
        std::env::var(format!("SPIN_VARIABLE_{}", name.to_ascii_uppercase())).ok()
    })?;
    let app = app::App::load(manifest, &args.sources, &args.state_dir, args.outbound)?;
    for sql in &args.sqlite {
        let text = match sql.strip_prefix('@') {
            Some(path) => {
                std::fs::read_to_string(path).with_context(|| format!("--sqlite {sql}"))?
            }
            None => sql.clone(),
        };
        app.databases()
            .run_startup_sql(&text)
            .with_context(|| format!("--sqlite {sql}"))?;
    }
    let app = Arc::new(app);
    let listener = TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    let addr = listener.local_addr()?;
    println!("Serving http://{addr}");
    println!("Available Routes:");
    for route in &app.manifest.routes {
        println!("  {}: http://{addr}{}", route.component, route.pattern);
    }
    for trigger in &app.manifest.crons {
        println!("  {}: cron {:?}", trigger.component, trigger.expression);
    }

    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::select! {
        r = http_trigger::serve(Arc::clone(&app), listener, args.test_hooks) => r,
        r = cron_trigger::schedule(Arc::clone(&app)) => r,
        _ = term.recv() => Ok(()),
        _ = int.recv() => Ok(()),
    }
}
