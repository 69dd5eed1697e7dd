-- PostgreSQL form of ../sqlite/0014_anonymous_ideas.sql: the same tables, columns and version.
-- Ideas submitted anonymously: the author is hidden from the community (staff, exports and the author's own
-- data export still have them).
ALTER TABLE ideas ADD COLUMN anonymous BIGINT NOT NULL DEFAULT 0;
ALTER TABLE idea_drafts ADD COLUMN anonymous BIGINT NOT NULL DEFAULT 0;
