//! The stored bytes of deleted assets and of refused uploads: released after the deleting
//! transaction commits (or once the upload is refused), each only when no remaining asset row
//! (of any organization) names the same content.

use crate::state::AppState;
use crate::storage::Stored;

/// Releases the stored files `shas` (their asset rows are already deleted). A file another row
/// still names stays; a failure is logged (the start-up sweep removes what is left behind).
pub async fn release(state: &AppState, shas: Vec<String>) {
    for sha in shas {
        let store = state.store.clone();
        let key = sha.clone();
        if let Err(e) = state
            .storage
            .release(&sha, async move || store.asset_sha_in_use(&key).await)
            .await
        {
            tracing::warn!(error = %e, "the bytes of a deleted file could not be removed");
        }
    }
}

/// Releases the bytes of an upload that was refused after they were stored (its key's lock
/// goes first, so the release can take it), unless a row names them.
pub async fn release_stored(state: &AppState, stored: Stored) {
    let sha = stored.sha256.clone();
    drop(stored);
    release(state, vec![sha]).await;
}
