-- Fair voting: a member votes on ideas, polls and contests once their account, and their membership of the
-- server, are this many days old (0: no minimum).
ALTER TABLE guild_settings ADD COLUMN min_account_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE guild_settings ADD COLUMN min_member_days INTEGER NOT NULL DEFAULT 0;
