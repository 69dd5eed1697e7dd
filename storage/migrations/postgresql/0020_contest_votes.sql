-- PostgreSQL form of ../sqlite/0020_contest_votes.sql: the same tables, columns and version.
-- Fair contests: a challenge may give each member up to `votes_per_member` votes per run (one by default), so a
-- member's votes in a run are keyed by entry too.
ALTER TABLE challenges ADD COLUMN votes_per_member BIGINT NOT NULL DEFAULT 1;
ALTER TABLE challenge_votes DROP CONSTRAINT challenge_votes_pkey;
ALTER TABLE challenge_votes ADD PRIMARY KEY (run_id, member_id, entry_id);
-- The call to vote, whose ballot button closes with the voting.
ALTER TABLE challenge_runs ADD COLUMN voting_message_id BIGINT;
