-- Fair contests: a challenge may give each member up to `votes_per_member` votes per run (one by default), so a
-- member's votes in a run are keyed by entry too.
ALTER TABLE challenges ADD COLUMN votes_per_member INTEGER NOT NULL DEFAULT 1;
CREATE TABLE challenge_votes_by_entry (
    run_id    INTEGER NOT NULL REFERENCES challenge_runs (id) ON DELETE CASCADE,
    guild_id  INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    entry_id  INTEGER NOT NULL REFERENCES challenge_entries (id) ON DELETE CASCADE,
    PRIMARY KEY (run_id, member_id, entry_id)
);
INSERT INTO challenge_votes_by_entry (run_id, guild_id, member_id, entry_id)
    SELECT run_id, guild_id, member_id, entry_id FROM challenge_votes;
DROP TABLE challenge_votes;
ALTER TABLE challenge_votes_by_entry RENAME TO challenge_votes;
-- The call to vote, whose ballot button closes with the voting.
ALTER TABLE challenge_runs ADD COLUMN voting_message_id INTEGER;
