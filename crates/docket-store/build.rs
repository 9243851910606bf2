//! `sqlx::migrate!` embeds the migrations when this crate compiles: rebuild it whenever one is
//! added or changed, so that a new migration never ships in a binary that lacks it.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
