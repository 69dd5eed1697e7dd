-- When an AMA's reminder was claimed: the reminder goes out once, however many processes fire its job.
ALTER TABLE amas ADD COLUMN reminded_at TEXT;
