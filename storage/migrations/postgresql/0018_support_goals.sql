-- PostgreSQL form of ../sqlite/0018_support_goals.sql: the same tables, columns and version.
-- Support thresholds, as LEGO Ideas has them: an idea that gathers `support_goal` upvotes within `support_days`
-- goes to staff review; one that does not expires. NULL goal: the server does not use them.
ALTER TABLE idea_settings ADD COLUMN support_goal BIGINT;
ALTER TABLE idea_settings ADD COLUMN support_days BIGINT NOT NULL DEFAULT 60;
-- Each idea keeps the goal and deadline it was posted with: changing the setting does not move its goalposts.
ALTER TABLE ideas ADD COLUMN support_goal BIGINT;
ALTER TABLE ideas ADD COLUMN support_deadline TEXT;
-- The expiry sweep looks up the ideas still gathering support whose deadline passed, in every guild.
CREATE INDEX ideas_by_support_deadline ON ideas (support_deadline) WHERE status = 'new' AND support_deadline IS NOT NULL;
