-- PostgreSQL form of ../sqlite/0013_review.sql: the same tables, columns and version.
-- Whether new ideas wait for staff to approve them before the community sees them (0: posted at once).
ALTER TABLE idea_settings ADD COLUMN review BIGINT NOT NULL DEFAULT 0;
