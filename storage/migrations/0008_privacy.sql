-- Transcripts are made from the stored questions when asked for, so an erased member's name leaves them too.
ALTER TABLE amas DROP COLUMN transcript;
