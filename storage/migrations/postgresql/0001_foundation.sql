-- PostgreSQL form of ../sqlite/0001_foundation.sql: the same tables, columns and version.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE guild_settings (
    guild_id                 BIGINT  PRIMARY KEY,
    ideas_channel_id         BIGINT,
    announcements_channel_id BIGINT,
    staff_role_id            BIGINT,
    moderator_role_id        BIGINT,
    timezone                 TEXT NOT NULL DEFAULT 'UTC'
);
