-- Transcripts are made from the stored questions when asked for, so an erased member's name leaves them too.
ALTER TABLE amas DROP COLUMN transcript;

-- Anonymous polls show live results in batches: ballot changes not yet shown on the public message.
ALTER TABLE polls ADD COLUMN unshown_changes INTEGER NOT NULL DEFAULT 0;
