//! Rules that need the store but are not one route's own: resolving assignees and tags named in
//! request bodies, the task, run and comment writes, and the one mapping of store refusals to errors.

pub mod comments;
pub mod files;
pub mod members;
pub mod owners;
pub mod refusals;
pub mod runs;
pub mod steps;
pub mod tags;
pub mod tasks;
