//! Deployment calendar years kept in the store.
