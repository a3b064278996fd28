//! Helpers shared by the integration tests.

use minyi::app::Host;
use minyi::calendar::Timestamp;
use std::cell::{Cell, RefCell};

/// A host whose clock the test sets and whose random bytes come from a counter: runs repeat.
pub struct TestHost {
    now: Cell<Timestamp>,
    counter: RefCell<u64>,
    repeat: Cell<bool>,
}

impl TestHost {
    /// A host whose clock reads `now`.
    pub fn at(now: Timestamp) -> Self {
        Self {
            now: Cell::new(now),
            counter: RefCell::new(1),
            repeat: Cell::new(false),
        }
    }

    /// Moves the clock.
    pub fn set(&self, now: Timestamp) {
        self.now.set(now);
    }

    /// Makes the next random draws repeat the previous one (to force identifier collisions).
    pub fn repeat_random(&self, on: bool) {
        self.repeat.set(on);
    }
}

impl Host for TestHost {
    fn now(&self) -> Timestamp {
        self.now.get()
    }

    fn fill_random(&self, buf: &mut [u8]) {
        let mut counter = self.counter.borrow_mut();
        if !self.repeat.get() {
            *counter = counter
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
        }
        for (i, b) in buf.iter_mut().enumerate() {
            *b = counter.to_le_bytes()[i % 8];
        }
    }
}
