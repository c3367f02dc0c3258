-- The stored interview document (V10) is rendered where the code says so, once per transaction
-- that changes it, instead of by triggers on every statement (issue "one owner of the interview's
-- rows"). The triggers rendered a claim twice, a retried call three times, and every interview of
-- a company whose calling window changed, although the attempt's callable_at is not in the
-- document.
--
-- Now the repository (dev.parley.repository) is the one writer of interviews and call attempts:
--   * a create renders in its INSERT, from the values it inserts (interview_doc below), after its
--     first attempt went in (V12's deferred reference);
--   * every other transaction that changes what the document shows locks the interview first and,
--     as its last statement, renders it (Documents.RENDER): a fresh snapshot under the interview's
--     row lock, so the last to commit has rendered after every earlier committed change;
--   * a change that the document does not show (callable_at, the live call) renders nothing.
DROP TRIGGER interview_doc ON interviews;
DROP TRIGGER interview_doc_attempts_inserted ON call_attempts;
DROP TRIGGER interview_doc_attempts_updated ON call_attempts;
DROP TRIGGER interview_doc_attempts_deleted ON call_attempts;
DROP FUNCTION interview_render_doc();
DROP FUNCTION interview_doc_after_new_attempts();
DROP FUNCTION interview_doc_after_old_attempts();

-- The document from an interview's values, so that an INSERT can render the row it inserts.
-- interview_json(i) is this function applied to a stored row: there is one definition.
CREATE FUNCTION interview_doc(p_id uuid, p_company_id uuid, p_candidate_id uuid, p_agent_id uuid, p_job_id uuid,
                              p_status text, p_scheduled_at timestamptz, p_duration_minutes int,
                              p_finished_at timestamptz, p_metadata jsonb, p_is_test boolean, p_analysis jsonb,
                              p_transcript jsonb, p_created_at timestamptz, p_updated_at timestamptz) RETURNS json
  LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN json_build_object(
    'id', p_id, 'companyId', p_company_id, 'candidateId', p_candidate_id, 'agentId', p_agent_id,
    'jobId', p_job_id, 'status', p_status, 'scheduledAt', api_ts(p_scheduled_at),
    'durationMinutes', p_duration_minutes, 'finishedDate', api_ts(p_finished_at),
    'metadata', p_metadata, 'isTest', p_is_test, 'livemode', NOT p_is_test,
    'callAttempts', COALESCE((SELECT json_agg(call_attempt_json(a) ORDER BY a.scheduled_at, a.id)
                              FROM call_attempts a WHERE a.interview_id = p_id), '[]'::json),
    'analysis', p_analysis, 'transcript', p_transcript,
    'createdAt', api_ts(p_created_at), 'updatedAt', api_ts(p_updated_at));
END $$;

CREATE OR REPLACE FUNCTION interview_json(i interviews) RETURNS json
  LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN interview_doc(i.id, i.company_id, i.candidate_id, i.agent_id, i.job_id, i.status, i.scheduled_at,
                       i.duration_minutes, i.finished_at, i.metadata, i.is_test, i.analysis, i.transcript,
                       i.created_at, i.updated_at);
END $$;
