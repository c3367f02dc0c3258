-- Real calls through hosted voice platforms (docs/providers.md): caller numbers, the platform's
-- own identity of each call, its raw outcome, and test mode shown on every interview.

-- The numbers a company calls from. provider_ref is the platform's own reference of the number
-- (Vapi's phoneNumberId); Retell and the http provider take the number itself. At most one
-- number per company is its default, used by agents that name none.
CREATE TABLE company_phone_numbers (
  id           uuid PRIMARY KEY,
  company_id   uuid NOT NULL REFERENCES companies(id),
  number       text NOT NULL,
  label        text,
  provider_ref text,
  is_default   boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (company_id, number)
);
CREATE UNIQUE INDEX company_phone_numbers_default ON company_phone_numbers(company_id) WHERE is_default;
CREATE INDEX company_phone_numbers_company ON company_phone_numbers(company_id, created_at DESC, id DESC);

-- A number as `admin phone-number` prints it and GET /v1/company/{id}/phone-numbers lists it.
CREATE FUNCTION phone_number_json(n company_phone_numbers) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN json_build_object('id', n.id, 'companyId', n.company_id, 'number', n.number, 'label', n.label,
                           'providerRef', n.provider_ref, 'isDefault', n.is_default);

-- An agent's caller number is now one of its company's numbers. The column held free text that
-- no table stood behind (there were no numbers before this version), so every value it held
-- pointed at nothing and is cleared. A deleted number leaves its agents on the company default.
-- agent_json is a SQL-standard function that depends on the column's type: it is made again.
DROP FUNCTION agent_json(agents);
ALTER TABLE agents ALTER COLUMN company_phone_number_id TYPE uuid USING NULL;
ALTER TABLE agents ADD CONSTRAINT agents_company_phone_number_fkey
  FOREIGN KEY (company_phone_number_id) REFERENCES company_phone_numbers(id) ON DELETE SET NULL;
CREATE FUNCTION agent_json(a agents) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN json_build_object(
    'id', a.id, 'companyId', a.company_id, 'name', a.name, 'type', a.type, 'focus', a.focus,
    'language', a.language, 'duration', a.duration, 'questions', a.questions,
    'instructions', a.instructions, 'voiceId', a.voice_id, 'cefrLevel', a.cefr_level,
    'companyPhoneNumberId', a.company_phone_number_id, 'metadata', a.metadata,
    'createdAt', api_ts(a.created_at), 'updatedAt', api_ts(a.updated_at));

-- What a platform knows a live call by. No platform takes an idempotency key, so the callId is
-- kept with the platform's ID of the call: the row exists (dialled_at NULL) before the first
-- create is sent, and platform_call_id is written once a create answered or a reconcile found
-- the call. platform_control_url is Vapi's monitor.controlUrl (where a cancel goes);
-- platform_ended_at is Vapi's status-update "ended", which comes before the end-of-call report.
ALTER TABLE live_calls
  ADD COLUMN platform_call_id     text,
  ADD COLUMN platform_control_url text,
  ADD COLUMN platform_ended_at    timestamptz;
CREATE INDEX live_calls_platform_ended ON live_calls(platform_ended_at) WHERE platform_ended_at IS NOT NULL;

-- Each attempt keeps the call it placed: the callId (a platform's later events, such as Retell's
-- call_analyzed, name it), the provider and its ID of the call, the platform's own outcome value
-- as it sent it (for every outcome, mapped or not) and the platform's post-call analysis.
ALTER TABLE call_attempts
  ADD COLUMN call_id           uuid,
  ADD COLUMN provider          text,
  ADD COLUMN provider_call_id  text,
  ADD COLUMN provider_reason   text,
  ADD COLUMN provider_analysis jsonb;
CREATE UNIQUE INDEX call_attempts_call ON call_attempts(call_id) WHERE call_id IS NOT NULL;

CREATE OR REPLACE FUNCTION call_attempt_json(a call_attempts) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN json_build_object(
    'id', a.id, 'direction', a.direction, 'status', a.status, 'reasonCode', a.reason_code,
    'notes', a.notes, 'retryNumber', a.retry_number, 'recordingUrl', a.recording_url,
    'duration', a.duration, 'scheduledAt', api_ts(a.scheduled_at), 'calledAt', api_ts(a.called_at),
    'provider', a.provider, 'providerCallId', a.provider_call_id, 'providerReason', a.provider_reason,
    'providerAnalysis', a.provider_analysis);

-- Every interview says whether it is live ("livemode": false for test interviews, which never
-- reach a real provider).
CREATE OR REPLACE FUNCTION interview_json(i interviews) RETURNS json
  LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN json_build_object(
    'id', i.id, 'companyId', i.company_id, 'candidateId', i.candidate_id, 'agentId', i.agent_id,
    'jobId', i.job_id, 'status', i.status, 'scheduledAt', api_ts(i.scheduled_at),
    'durationMinutes', i.duration_minutes, 'finishedDate', api_ts(i.finished_at),
    'metadata', i.metadata, 'isTest', i.is_test, 'livemode', NOT i.is_test,
    'callAttempts', COALESCE((SELECT json_agg(call_attempt_json(a) ORDER BY a.scheduled_at, a.id)
                              FROM call_attempts a WHERE a.interview_id = i.id), '[]'::json),
    'analysis', i.analysis, 'transcript', i.transcript,
    'createdAt', api_ts(i.created_at), 'updatedAt', api_ts(i.updated_at));
END $$;

-- The stored documents take the new fields (the BEFORE trigger of V10 renders each row again).
UPDATE interviews SET doc = NULL;

-- Recordings are stored as they are downloaded, a chunk at a time, so a node holds one chunk of a
-- recording in memory, never the whole file (a platform's recording can be tens of megabytes). The
-- chunks of a download go in before the transaction that completes the interview, each checked
-- against its interview (a delete meanwhile makes the next one fail, and takes those stored with
-- it); that transaction makes them the interview's recording, and drops any older ones. A
-- download cut short leaves chunks no recording names: the interview's next download drops them.
CREATE TABLE recording_chunks (
  recording_id uuid NOT NULL,
  seq          int  NOT NULL,
  interview_id uuid NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
  bytes        bytea NOT NULL,
  PRIMARY KEY (recording_id, seq)
);
-- Audio hardly compresses: keep it out of line without trying to.
ALTER TABLE recording_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;
CREATE INDEX recording_chunks_interview ON recording_chunks(interview_id);

ALTER TABLE recordings ADD COLUMN recording_id uuid, ADD COLUMN size_bytes bigint;
UPDATE recordings SET recording_id = gen_random_uuid(), size_bytes = octet_length(audio);
INSERT INTO recording_chunks (recording_id, seq, interview_id, bytes)
SELECT recording_id, 0, interview_id, audio FROM recordings;
ALTER TABLE recordings DROP COLUMN audio;
ALTER TABLE recordings ALTER COLUMN recording_id SET NOT NULL, ALTER COLUMN size_bytes SET NOT NULL;
