-- Staff and moderator actions (statuses, merges, credits, settings, closing, moderation, deletion), kept for
-- accountability; each is written in the same transaction as the action it records.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id INTEGER NOT NULL,
    at       TEXT    NOT NULL,
    actor_id INTEGER NOT NULL,      -- who acted; 0 once they erased their data
    action   TEXT    NOT NULL,      -- e.g. 'idea.status'
    subject  TEXT    NOT NULL,      -- e.g. 'idea #3'
    detail   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_guild ON audit_log (guild_id, id);
