//! groups: to be written.
