-- PostgreSQL form of ../sqlite/0017_poll_ideas.sql: the same tables, columns and version.
-- Polls made from ideas ("which do we build first?"): which idea each option stands for.
CREATE TABLE poll_ideas (
    poll_id  BIGINT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    guild_id BIGINT NOT NULL,
    option   BIGINT NOT NULL,
    idea_id  BIGINT NOT NULL,
    PRIMARY KEY (poll_id, option)
);
-- An idea's post shows the latest closed poll about it: read with every idea, so looked up by idea.
CREATE INDEX poll_ideas_by_idea ON poll_ideas (idea_id);
