-- Polls made from ideas ("which do we build first?"): which idea each option stands for.
CREATE TABLE poll_ideas (
    poll_id  INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    guild_id INTEGER NOT NULL,
    option   INTEGER NOT NULL,
    idea_id  INTEGER NOT NULL,
    PRIMARY KEY (poll_id, option)
);
-- An idea's post shows the latest closed poll about it: read with every idea, so looked up by idea.
CREATE INDEX poll_ideas_by_idea ON poll_ideas (idea_id);
