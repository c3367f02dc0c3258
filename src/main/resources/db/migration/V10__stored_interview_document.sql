-- A read of an interview is one primary-key lookup that returns stored text (issue "reads near
-- the floor"): the API document is rendered when the interview or one of its call attempts
-- changes, not on every GET. Building it per read cost PostgreSQL about 250 µs, most of it
-- planning interview_json's sub-select again on every call (a SQL function with a sub-select is
-- never inlined, and PostgreSQL 15 keeps no plan for it).
--
-- Why the stored document is always current:
--   * every INSERT or UPDATE of an interview renders it in a BEFORE trigger;
--   * every statement that inserts, updates or deletes call attempts re-renders the interviews it
--     touched (an UPDATE of those rows, which fires the trigger above);
--   * a render runs while the writer holds the interview's row lock, which it keeps until commit,
--     and it reads with a fresh snapshot (the trigger functions are VOLATILE plpgsql), so the
--     last transaction to commit a change has rendered after every earlier committed change.
-- A writer of call attempts must therefore lock their interview first, as every path does (the
-- lock order of CallSql: interview, then attempts and live call, then company): otherwise the
-- render would take the interview's lock after the attempt's, the reverse of a delete's.
ALTER TABLE interviews ADD COLUMN doc text;

-- Now plpgsql: its query plan is prepared once per session instead of on every call.
CREATE OR REPLACE FUNCTION interview_json(i interviews) RETURNS json
  LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN json_build_object(
    'id', i.id, 'companyId', i.company_id, 'candidateId', i.candidate_id, 'agentId', i.agent_id,
    'jobId', i.job_id, 'status', i.status, 'scheduledAt', api_ts(i.scheduled_at),
    'durationMinutes', i.duration_minutes, 'finishedDate', api_ts(i.finished_at),
    'metadata', i.metadata, 'isTest', i.is_test,
    'callAttempts', COALESCE((SELECT json_agg(call_attempt_json(a) ORDER BY a.scheduled_at, a.id)
                              FROM call_attempts a WHERE a.interview_id = i.id), '[]'::json),
    'analysis', i.analysis, 'transcript', i.transcript,
    'createdAt', api_ts(i.created_at), 'updatedAt', api_ts(i.updated_at));
END $$;

CREATE FUNCTION interview_render_doc() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.doc := interview_json(NEW)::text;
  RETURN NEW;
END $$;

CREATE TRIGGER interview_doc BEFORE INSERT OR UPDATE ON interviews
  FOR EACH ROW EXECUTE FUNCTION interview_render_doc();

-- One function per event: a transition table is only visible to the trigger that declares it.
CREATE FUNCTION interview_doc_after_new_attempts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE interviews SET doc = NULL WHERE id IN (SELECT interview_id FROM new_attempts);
  RETURN NULL;
END $$;

CREATE FUNCTION interview_doc_after_old_attempts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE interviews SET doc = NULL WHERE id IN (SELECT interview_id FROM old_attempts);
  RETURN NULL;
END $$;

CREATE TRIGGER interview_doc_attempts_inserted AFTER INSERT ON call_attempts
  REFERENCING NEW TABLE AS new_attempts
  FOR EACH STATEMENT EXECUTE FUNCTION interview_doc_after_new_attempts();
CREATE TRIGGER interview_doc_attempts_updated AFTER UPDATE ON call_attempts
  REFERENCING NEW TABLE AS new_attempts
  FOR EACH STATEMENT EXECUTE FUNCTION interview_doc_after_new_attempts();
CREATE TRIGGER interview_doc_attempts_deleted AFTER DELETE ON call_attempts
  REFERENCING OLD TABLE AS old_attempts
  FOR EACH STATEMENT EXECUTE FUNCTION interview_doc_after_old_attempts();

UPDATE interviews SET doc = NULL;
ALTER TABLE interviews ALTER COLUMN doc SET NOT NULL;
