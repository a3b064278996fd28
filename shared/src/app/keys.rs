//! Open311 API keys: issued to partner systems, stored only as SHA-256.
