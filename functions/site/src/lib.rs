//! # minyi-site
//!
//! The deployment units: the functions that answer a unit's requests, in the order they are
//! tried (each answers `None` for a path it does not own; the shared serve path answers 404
//! when none does). A runtime shell serves one unit through `minyi_web::serve::serve`, so the
//! order lives here once. Adding a function to both runtimes is one line in a unit below plus
//! its manifest lines (`spin.toml` routes, and nothing for the Worker, which serves
//! [`worker`]).
//!
//! | unit | functions, in order | served by |
//! | --- | --- | --- |
//! | [`public`] | submit, lookup | Spin's `submit` component (`/submit`, `/api/...`, `/open311/...`: Spin routes by path, and these paths are shared by submit's POSTs and lookup's GETs) |
//! | [`reads`] | lookup | Spin's `lookup` component (the catch-all route) |
//! | [`front`] | lookup's pages ([`minyi_lookup::crowd`]) | the public Cloudflare Worker, in front: it answers the pages (most from the edge cache) and hands everything [`is_back`] names to the submit Worker |
//! | [`back`] | submit, lookup's cold reads ([`minyi_lookup::cold`]) | the submit Cloudflare Worker, on the `/api`, `/open311` and `/submit` routes and behind the public one (a service binding): the form and the writes, the JSON API's and Open311's reads, the OpenAPI document, the statistics |
//! | [`staff`] | ops, desk | the desk's Cloudflare Worker (the staff hostname), which also runs the cron sweep |
//! | [`ops`] | ops | Spin's `ops` component (`/ops/...`) |
//! | [`desk`] | desk | Spin's `desk` component (`/desk/...`), for the staff hostname |
//! | [`provider`] | sms | the SMS Worker; Spin's `sms` component (`/sms/...`): the providers' webhooks |
//!
//! No public unit contains the desk, the ops entry or the sweep: a public build cannot read
//! contact details (nor send to them) because the code that does is not in it.

#[cfg(all(feature = "contract", not(minyi_contract)))]
compile_error!(
    "the `contract` feature adds a test endpoint and must never be released: build it only \
     for tests, with MINYI_CONTRACT_BUILD=1 (scripts/worker-test and scripts/spin-test do)"
);

use minyi_web::{Env, Method, Request, Response};

/// The public site: submit, then lookup.
pub async fn public<E: Env>(env: &E, req: &Request) -> Option<Response> {
    if let Some(r) = contract(env, req).await {
        return Some(r);
    }
    if let Some(r) = minyi_submit::handle(env, req).await {
        return Some(r);
    }
    reads(env, req).await
}

/// The public site's reads alone.
pub async fn reads<E: Env>(env: &E, req: &Request) -> Option<Response> {
    if let Some(r) = contract(env, req).await {
        return Some(r);
    }
    minyi_lookup::handle(env, req).await
}

/// The pages a crowd reads, alone: what the public Worker serves itself.
pub async fn front<E: Env>(env: &E, req: &Request) -> Option<Response> {
    if let Some(r) = contract(env, req).await {
        return Some(r);
    }
    minyi_lookup::crowd(env, req).await
}

/// Whether a request belongs to the [`back`] unit, which the public Worker hands on: the form
/// and the writes ([`minyi_submit::owns`]) and the cold reads ([`minyi_lookup::is_cold`]).
pub fn is_back(method: Method, path: &str) -> bool {
    minyi_submit::owns(method, path) || minyi_lookup::is_cold(path)
}

/// The public site's form and writes, then its cold reads: what the Worker behind the public
/// one serves.
pub async fn back<E: Env>(env: &E, req: &Request) -> Option<Response> {
    if let Some(r) = minyi_submit::handle(env, req).await {
        return Some(r);
    }
    minyi_lookup::cold(env, req).await
}

/// What the staff hostname serves: the operator's entry, then the desk.
pub async fn staff<E: Env>(env: &E, req: &Request) -> Option<Response> {
    if let Some(r) = ops(env, req).await {
        return Some(r);
    }
    desk(env, req).await
}

/// The operator's entry (`/ops/...`, bearer secret).
pub async fn ops<E: Env>(env: &E, req: &Request) -> Option<Response> {
    minyi_ops::handle(env, req).await
}

/// The staff back office (`/desk/...`).
pub async fn desk<E: Env>(env: &E, req: &Request) -> Option<Response> {
    minyi_desk::handle(env, req).await
}

/// The SMS providers' webhooks (`/sms/...`).
pub async fn provider<E: Env>(env: &E, req: &Request) -> Option<Response> {
    minyi_sms::handle(env, req).await
}

/// `POST /__contract` in a contract build (tests only); nothing otherwise.
#[allow(clippy::unused_async)]
async fn contract<E: Env>(env: &E, req: &Request) -> Option<Response> {
    #[cfg(all(feature = "contract", minyi_contract))]
    return minyi_store_contract::endpoint::answer(env, req).await;
    #[cfg(not(all(feature = "contract", minyi_contract)))]
    {
        let _ = (env, req);
        None
    }
}
