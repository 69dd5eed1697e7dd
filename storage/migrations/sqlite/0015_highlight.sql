-- The question an AMA's hosts are answering now, shown with a star (NULL: none).
ALTER TABLE amas ADD COLUMN highlighted_question_id INTEGER;
