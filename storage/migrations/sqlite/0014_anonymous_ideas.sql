-- Ideas submitted anonymously: the author is hidden from the community (staff, exports and the author's own
-- data export still have them).
ALTER TABLE ideas ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0;
ALTER TABLE idea_drafts ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0;
