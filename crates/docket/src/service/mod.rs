//! Rules that need the store but are not one route's own: resolving assignees and tags named in
//! request bodies, and what a caller may see and do with a task.

pub mod access;
pub mod members;
pub mod owners;
pub mod tags;
