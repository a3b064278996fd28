//! Store contract suite.
