-- A server's public roadmap: the channel it lives in (NULL: none), and its message there, kept up to date.
ALTER TABLE guild_settings ADD COLUMN roadmap_channel_id INTEGER;
CREATE TABLE roadmaps (
    guild_id   INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL
);
