CREATE TABLE idea_settings (
    guild_id      INTEGER PRIMARY KEY,
    downvotes     INTEGER NOT NULL DEFAULT 1,
    categories    TEXT    NOT NULL DEFAULT '[]',  -- JSON list of names
    hourly_limit  INTEGER NOT NULL DEFAULT 5
);

CREATE TABLE ideas (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id      INTEGER NOT NULL,
    author_id     INTEGER NOT NULL,
    title         TEXT    NOT NULL,
    description   TEXT    NOT NULL,
    category      TEXT,
    status        TEXT    NOT NULL DEFAULT 'new',
    status_reason TEXT,
    duplicate_of  INTEGER REFERENCES ideas (id),
    channel_id    INTEGER,
    message_id    INTEGER,
    thread_id     INTEGER,
    created_at    TEXT    NOT NULL
);
CREATE INDEX ideas_by_guild_status ON ideas (guild_id, status, created_at);
CREATE INDEX ideas_by_author ON ideas (guild_id, author_id, created_at);

CREATE TABLE idea_votes (
    idea_id   INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    guild_id  INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    value     INTEGER NOT NULL CHECK (value IN (-1, 1)),
    PRIMARY KEY (idea_id, member_id)
);

CREATE TABLE idea_credits (
    idea_id   INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    guild_id  INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    PRIMARY KEY (idea_id, member_id)
);

CREATE TABLE idea_drafts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL,
    author_id   INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    description TEXT    NOT NULL,
    category    TEXT,
    created_at  TEXT    NOT NULL
);

CREATE TABLE idea_notification_optouts (
    guild_id  INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    PRIMARY KEY (guild_id, member_id)
);

CREATE VIRTUAL TABLE ideas_fts USING fts5 (title, description, content = 'ideas', content_rowid = 'id');
CREATE TRIGGER ideas_fts_insert AFTER INSERT ON ideas BEGIN
    INSERT INTO ideas_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;
CREATE TRIGGER ideas_fts_delete AFTER DELETE ON ideas BEGIN
    INSERT INTO ideas_fts (ideas_fts, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
END;
