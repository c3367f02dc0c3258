-- Waiting attempts cost nothing until they can be called; idempotency keys expire by index.

-- When a waiting attempt can next be called: its scheduled time, moved on by the dispatcher to
-- the opening of its calling window when it was found outside it (computed in Java, the one
-- time-zone engine: PostgreSQL no longer evaluates zones or windows). The claim reads attempts by
-- company and this time, so an attempt that cannot be called now is not looked at again until it
-- can, and a company at its limit costs nothing until a slot frees.
ALTER TABLE call_attempts ADD COLUMN callable_at timestamptz;
UPDATE call_attempts SET callable_at = scheduled_at WHERE status = 'SCHEDULED';

DROP INDEX call_attempts_due;
CREATE INDEX call_attempts_callable ON call_attempts(company_id, callable_at, id) WHERE status = 'SCHEDULED';
CREATE INDEX call_attempts_next_callable ON call_attempts(callable_at) WHERE status = 'SCHEDULED';

DROP FUNCTION in_call_window(time, text);
DROP FUNCTION call_local_time(timestamptz, int, text, text);

-- Idempotency keys: found from the interview they created (a delete removes its key by this), and
-- by age (expired keys are purged after 24 hours).
CREATE INDEX idempotency_keys_interview ON idempotency_keys(interview_id) WHERE interview_id IS NOT NULL;
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
