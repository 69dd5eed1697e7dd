CREATE TABLE challenges (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id       INTEGER NOT NULL,
    channel_id     INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    themes         TEXT    NOT NULL,  -- JSON list
    rotation       TEXT    NOT NULL,  -- order, random
    schedule       TEXT    NOT NULL,  -- as the moderator wrote it, e.g. "weekly fri 18:00"
    timezone       TEXT    NOT NULL,
    entry_minutes  INTEGER NOT NULL,
    voting_minutes INTEGER NOT NULL,
    prize          TEXT,
    paused         INTEGER NOT NULL DEFAULT 0,
    skip_until     TEXT,              -- runs due up to this instant are skipped
    runs_started   INTEGER NOT NULL DEFAULT 0,
    last_fire_at   TEXT    NOT NULL,  -- when the run job last fired (or the challenge was created / resumed)
    created_by     INTEGER NOT NULL,
    created_at     TEXT    NOT NULL
);
CREATE INDEX challenges_by_guild ON challenges (guild_id);

CREATE TABLE challenge_runs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    challenge_id     INTEGER NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
    guild_id         INTEGER NOT NULL,
    number           INTEGER NOT NULL,
    theme            TEXT    NOT NULL,
    starts_at        TEXT    NOT NULL,
    entries_close_at TEXT    NOT NULL,
    voting_close_at  TEXT    NOT NULL,
    phase            TEXT    NOT NULL DEFAULT 'entries',  -- entries, voting, finished
    UNIQUE (challenge_id, number)
);
CREATE INDEX challenge_runs_by_phase ON challenge_runs (guild_id, phase);

CREATE TABLE challenge_entries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id          INTEGER NOT NULL REFERENCES challenge_runs (id) ON DELETE CASCADE,
    guild_id        INTEGER NOT NULL,
    member_id       INTEGER NOT NULL,
    text            TEXT,
    attachment_name TEXT,
    attachment_data BLOB,              -- kept: Discord's attachment links expire before voting
    link            TEXT,
    message_id      INTEGER,
    submitted_at    TEXT    NOT NULL,
    UNIQUE (run_id, member_id)
);

CREATE TABLE challenge_votes (
    run_id    INTEGER NOT NULL REFERENCES challenge_runs (id) ON DELETE CASCADE,
    guild_id  INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    entry_id  INTEGER NOT NULL REFERENCES challenge_entries (id) ON DELETE CASCADE,
    PRIMARY KEY (run_id, member_id)
);

CREATE TABLE challenge_winners (
    run_id    INTEGER NOT NULL REFERENCES challenge_runs (id) ON DELETE CASCADE,
    guild_id  INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    entry_id  INTEGER NOT NULL,
    votes     INTEGER NOT NULL,
    PRIMARY KEY (run_id, member_id)
);
