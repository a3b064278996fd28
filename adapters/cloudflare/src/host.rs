//! Clock, randomness and outbound POSTs from the JavaScript runtime.

use minyi::app::Host;
use minyi::calendar::Timestamp;
use worker::js_sys::{Function, Reflect, Uint8Array};
use worker::wasm_bindgen::{JsCast, JsValue};

/// `Date.now()` and `crypto.getRandomValues`. (Inside a request, Workers advance the clock
/// only on I/O; that is the platform's rule and fine for instants of record.)
pub struct WorkerHost;

impl Host for WorkerHost {
    fn now(&self) -> Timestamp {
        #[allow(clippy::cast_possible_truncation)]
        let ms = worker::js_sys::Date::now() as i64;
        Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    fn fill_random(&self, buf: &mut [u8]) {
        // getRandomValues fills at most 65,536 bytes a call.
        for chunk in buf.chunks_mut(65_536) {
            let array = Uint8Array::new_with_length(chunk.len() as u32);
            let crypto = Reflect::get(&worker::js_sys::global(), &JsValue::from_str("crypto"));
            let filled = crypto.and_then(|crypto| {
                let f: Function =
                    Reflect::get(&crypto, &JsValue::from_str("getRandomValues"))?.dyn_into()?;
                f.call1(&crypto, &array)
            });
            // Without a CSPRNG nothing secret may be made: stop the request.
            if filled.is_err() {
                panic!("crypto.getRandomValues is unavailable");
            }
            array.copy_to(chunk);
        }
    }
}

/// One POST with `headers` and `body` through the runtime's `fetch`: (status, body text).
pub async fn post(url: &str, headers: &[(&str, &str)], body: String) -> minyi_web::outbound::Reply {
    let sent = worker::Headers::new();
    for (name, value) in headers {
        sent.set(name, value).map_err(|e| e.to_string())?;
    }
    let mut init = worker::RequestInit::new();
    init.with_method(worker::Method::Post)
        .with_headers(sent)
        .with_body(Some(body.into()));
    let request = worker::Request::new_with_init(url, &init).map_err(|e| e.to_string())?;
    let mut response = worker::Fetch::Request(request)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let text = response.text().await.map_err(|e| e.to_string())?;
    Ok((response.status_code(), text))
}
