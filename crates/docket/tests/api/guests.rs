//! guests: to be written.
