-- Insights for brand staff: when each vote and ballot was cast (NULL for those cast before this version), and
-- when staff first answered an idea (a status decision or a merge).
ALTER TABLE idea_votes ADD COLUMN voted_at TEXT;
ALTER TABLE poll_votes ADD COLUMN voted_at TEXT;
ALTER TABLE challenge_votes ADD COLUMN voted_at TEXT;
ALTER TABLE ideas ADD COLUMN answered_at TEXT;
-- Each weekly count is a range scan of one guild's rows by time.
CREATE INDEX idea_votes_by_time ON idea_votes (guild_id, voted_at);
CREATE INDEX poll_votes_by_time ON poll_votes (guild_id, voted_at);
CREATE INDEX challenge_votes_by_time ON challenge_votes (guild_id, voted_at);
CREATE INDEX ideas_by_time ON ideas (guild_id, created_at);
CREATE INDEX ideas_by_answer_time ON ideas (guild_id, answered_at);
CREATE INDEX ama_questions_by_time ON ama_questions (guild_id, asked_at);
CREATE INDEX challenge_entries_by_time ON challenge_entries (guild_id, submitted_at);
-- New contributors: each member's first idea, question and entry.
CREATE INDEX ama_questions_by_asker ON ama_questions (guild_id, asker_id, asked_at);
CREATE INDEX challenge_entries_by_member ON challenge_entries (guild_id, member_id, submitted_at);
