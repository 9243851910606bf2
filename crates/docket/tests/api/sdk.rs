//! sdk: to be written.
