CREATE TABLE polls (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id      INTEGER NOT NULL,
    channel_id    INTEGER NOT NULL,
    message_id    INTEGER,
    creator_id    INTEGER NOT NULL,
    question      TEXT    NOT NULL,
    options       TEXT    NOT NULL,  -- JSON list of option labels
    max_choices   INTEGER NOT NULL,
    anonymous     INTEGER NOT NULL,
    voter_role_id INTEGER,
    closes_at     TEXT,
    closed_at     TEXT,
    salt          TEXT,              -- anonymous polls: hashes voter ids; erased on close
    created_at    TEXT    NOT NULL
);
CREATE INDEX polls_open ON polls (guild_id, closed_at);

-- voter_key is the member id for public polls and a salted hash of it for anonymous ones.
CREATE TABLE poll_votes (
    poll_id   INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    guild_id  INTEGER NOT NULL,
    voter_key TEXT    NOT NULL,
    option    INTEGER NOT NULL,
    PRIMARY KEY (poll_id, voter_key, option)
);
CREATE INDEX poll_votes_by_option ON poll_votes (poll_id, option);
