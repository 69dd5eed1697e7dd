-- PostgreSQL form of ../sqlite/0016_roadmap.sql: the same tables, columns and version.
-- A server's public roadmap: the channel it lives in (NULL: none), and its message there, kept up to date.
ALTER TABLE guild_settings ADD COLUMN roadmap_channel_id BIGINT;
CREATE TABLE roadmaps (
    guild_id   BIGINT PRIMARY KEY,
    message_id BIGINT NOT NULL
);
