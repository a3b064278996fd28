//! Clock and randomness over WASI.

use minyi::app::Host;
use minyi::calendar::Timestamp;

/// The wall clock (`std::time::SystemTime`, WASI clocks underneath) and WASI's
/// cryptographically secure `random`.
pub struct SpinHost;

impl Host for SpinHost {
    fn now(&self) -> Timestamp {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    fn fill_random(&self, buf: &mut [u8]) {
        let mut filled = 0;
        while filled < buf.len() {
            let want = u64::try_from(buf.len() - filled).unwrap_or(u64::MAX);
            let bytes = spin_sdk::wasip3::random::random::get_random_bytes(want);
            // Without a CSPRNG nothing secret may be made: stop the request.
            assert!(!bytes.is_empty(), "wasi:random answered no bytes");
            let n = bytes.len().min(buf.len() - filled);
            buf[filled..filled + n].copy_from_slice(&bytes[..n]);
            filled += n;
        }
    }
}
