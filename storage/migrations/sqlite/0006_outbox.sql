-- Announcements Discord refused, kept until it accepts them.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id        INTEGER NOT NULL,
    channel_id      INTEGER NOT NULL,
    content         TEXT    NOT NULL,
    embed           TEXT,              -- JSON, as discord.Embed.to_dict() gives it
    file_name       TEXT,
    file_data       BLOB,
    ping_users      TEXT    NOT NULL,  -- JSON list of member ids this message may ping
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    last_error      TEXT    NOT NULL,
    created_at      TEXT    NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt_at);
