-- Whether new ideas wait for staff to approve them before the community sees them (0: posted at once).
ALTER TABLE idea_settings ADD COLUMN review INTEGER NOT NULL DEFAULT 0;
