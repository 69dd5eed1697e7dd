-- The delivery queue: every effect the bot must make on Discord, written in the same transaction as the state
-- change that causes it, and performed by the delivery worker (bot/delivery.py).
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id        INTEGER NOT NULL,
    kind            TEXT    NOT NULL,              -- the handler that performs it, e.g. 'idea.publish'
    entity_id       INTEGER,                       -- the idea, poll, question, run ... it is about
    lane            TEXT    NOT NULL,              -- deliveries of one lane go out one at a time, in order
    render_key      TEXT    UNIQUE,                -- "show the stored state" of one post: one row, re-used
    payload         TEXT    NOT NULL DEFAULT '{}', -- JSON for the handler
    file_data       BLOB,
    state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'blocked', 'done')),
    version         INTEGER NOT NULL DEFAULT 0,    -- renders: bumped by every change, so none is missed
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    lease_until     TEXT,                          -- while 'sending': a crashed worker's claim expires then
    last_error      TEXT,
    created_at      TEXT    NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_lane ON deliveries (lane, id);
CREATE INDEX deliveries_guild ON deliveries (guild_id, state);

-- Guilds that removed the bot: their deliveries and schedules pause; their data is purged after retention.
CREATE TABLE departed_guilds (
    guild_id    INTEGER PRIMARY KEY,
    departed_at TEXT NOT NULL
);

-- Announcements the old outbox still held become deliveries of the generic 'message' kind.
INSERT INTO deliveries (guild_id, kind, lane, payload, file_data, next_attempt_at, attempts, last_error, created_at)
SELECT guild_id, 'message', 'channel:' || channel_id,
       json_object('channel_id', channel_id, 'content', content, 'embed', json(embed), 'file_name', file_name,
                   'ping_users', json(ping_users)),
       file_data, next_attempt_at, attempts, last_error, created_at
FROM outbox;
DROP TABLE outbox;
