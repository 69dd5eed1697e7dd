CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE guild_settings (
    guild_id                 INTEGER PRIMARY KEY,
    ideas_channel_id         INTEGER,
    announcements_channel_id INTEGER,
    staff_role_id            INTEGER,
    moderator_role_id        INTEGER,
    timezone                 TEXT NOT NULL DEFAULT 'UTC'
);
