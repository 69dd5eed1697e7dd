-- The language of the server's public posts (en, nl); NULL follows the server's own locale on Discord.
ALTER TABLE guild_settings ADD COLUMN language TEXT;
