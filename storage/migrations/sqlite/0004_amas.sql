CREATE TABLE amas (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id     INTEGER NOT NULL,
    channel_id   INTEGER NOT NULL,
    title        TEXT    NOT NULL,
    description  TEXT,
    hosts        TEXT    NOT NULL,  -- JSON list of [member id, display name]
    starts_at    TEXT    NOT NULL,
    ends_at      TEXT    NOT NULL,
    moderated    INTEGER NOT NULL,
    max_questions INTEGER NOT NULL,  -- per member
    status       TEXT    NOT NULL DEFAULT 'scheduled',  -- scheduled, open, closed
    message_id   INTEGER,
    thread_id    INTEGER,
    event_id     INTEGER,
    transcript   TEXT,
    created_by   INTEGER NOT NULL,
    created_at   TEXT    NOT NULL
);
CREATE INDEX amas_by_status ON amas (guild_id, status);

CREATE TABLE ama_questions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    ama_id      INTEGER NOT NULL REFERENCES amas (id) ON DELETE CASCADE,
    guild_id    INTEGER NOT NULL,
    asker_id    INTEGER NOT NULL,
    asker_name  TEXT    NOT NULL,
    anonymous   INTEGER NOT NULL,
    text        TEXT    NOT NULL,
    status      TEXT    NOT NULL,  -- pending, open, rejected, answered
    answer      TEXT,
    answered_by TEXT,
    message_id  INTEGER,
    asked_at    TEXT    NOT NULL,
    answered_at TEXT
);
CREATE INDEX ama_questions_by_ama ON ama_questions (ama_id, status);

CREATE TABLE ama_upvotes (
    question_id INTEGER NOT NULL REFERENCES ama_questions (id) ON DELETE CASCADE,
    guild_id    INTEGER NOT NULL,
    member_id   INTEGER NOT NULL,
    PRIMARY KEY (question_id, member_id)
);
