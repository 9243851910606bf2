-- Guests add files to their task's file fields from their link (docs/web.md). Kept in step
-- with migrations/sqlite.
--
-- A guest's upload names the guest where a member's names the member, as their comments do
-- (migration 0017): `uploaded_by` is 0, which names no member, and `uploaded_by_guest_id` is
-- the guest's own id (`guests.id`).
ALTER TABLE assets ADD COLUMN uploaded_by_guest_id BIGINT;
