-- An idea's removal is now told through the shared removal notice (`removal.notice`): a notice still queued
-- from before is carried over (to the idea's thread, pinging its author), or, when its author was anonymous
-- (told by direct message instead), erased or without a thread, finished.
UPDATE deliveries
SET kind = 'removal.notice',
    payload = json_object(
        'channel_id', (SELECT thread_id FROM ideas WHERE ideas.id = deliveries.entity_id),
        'member_id', (SELECT author_id FROM ideas WHERE ideas.id = deliveries.entity_id),
        'removed', 'idea',
        'reason', json_extract(payload, '$.reason'))
WHERE kind = 'idea.removed' AND state != 'done' AND EXISTS (
    SELECT 1 FROM ideas
    WHERE ideas.id = deliveries.entity_id AND thread_id IS NOT NULL AND author_id > 0 AND anonymous = 0);
UPDATE deliveries SET state = 'done' WHERE kind = 'idea.removed' AND state != 'done';
