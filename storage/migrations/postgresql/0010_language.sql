-- PostgreSQL form of ../sqlite/0010_language.sql: the same tables, columns and version.
-- The language of the server's public posts (en, nl); NULL follows the server's own locale on Discord.
ALTER TABLE guild_settings ADD COLUMN language TEXT;
