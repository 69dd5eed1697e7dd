-- PostgreSQL form of ../sqlite/0012_removals.sql: the same tables, columns and version.
-- Why staff or moderators removed an AMA question or a challenge entry (NULL: not removed); removed content is
-- not kept.
ALTER TABLE ama_questions ADD COLUMN removed_reason TEXT;
ALTER TABLE challenge_entries ADD COLUMN removed_reason TEXT;
