//! tags: to be written.
