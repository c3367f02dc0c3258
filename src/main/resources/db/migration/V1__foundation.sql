-- Parley schema, version 1. Every table that holds tenant data carries company_id so that every
-- query can be scoped to one company (invariant 7).

-- Formats a timestamp the way the API shows it: ISO 8601, UTC, milliseconds, "Z".
CREATE FUNCTION api_ts(t timestamptz) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');

-- Server-wide secrets (API-key hashing key, generated JWT key), created on first start.
CREATE TABLE server_secrets (
  name       text PRIMARY KEY,
  value      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ats_partners (
  id         uuid PRIMARY KEY,
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE companies (
  id                   uuid PRIMARY KEY,
  partner_id           uuid REFERENCES ats_partners(id),
  name                 text NOT NULL,
  timezone             text NOT NULL DEFAULT 'UTC',
  call_window          text NOT NULL DEFAULT '09:00-20:00',
  max_concurrent_calls int  NOT NULL DEFAULT 2 CHECK (max_concurrent_calls > 0),
  -- live calls holding a concurrency slot; changed only by the claim and the end of a call
  active_calls         int  NOT NULL DEFAULT 0 CHECK (active_calls >= 0),
  metadata             jsonb NOT NULL DEFAULT '{}',
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX companies_partner ON companies(partner_id, created_at);

CREATE TABLE api_keys (
  id                uuid PRIMARY KEY,
  company_id        uuid REFERENCES companies(id),
  partner_id        uuid REFERENCES ats_partners(id),
  name              text NOT NULL,
  -- HMAC-SHA256 of the whole key under the server's key-hashing secret; the key itself is never stored
  key_hash          bytea NOT NULL UNIQUE,
  key_prefix        text NOT NULL,
  scopes            text[] NOT NULL,
  expires_at        timestamptz,
  revoked_at        timestamptz,
  suspended_at      timestamptz,
  suspended_reason  text,
  rate_limit_minute int,
  rate_limit_hour   int,
  created_at        timestamptz NOT NULL DEFAULT now(),
  CHECK ((company_id IS NULL) <> (partner_id IS NULL))
);

CREATE TABLE jobs (
  id          uuid PRIMARY KEY,
  company_id  uuid NOT NULL REFERENCES companies(id),
  title       text NOT NULL,
  description text,
  details     jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_company ON jobs(company_id);

CREATE TABLE candidates (
  id               uuid PRIMARY KEY,
  company_id       uuid NOT NULL REFERENCES companies(id),
  job_id           uuid REFERENCES jobs(id),
  first_name       text NOT NULL,
  last_name        text NOT NULL,
  email            text,
  phone_number     text,
  gdpr_expiry_date date,
  metadata         jsonb NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX candidates_company ON candidates(company_id, created_at DESC, id DESC);

CREATE TABLE agents (
  id                      uuid PRIMARY KEY,
  company_id              uuid NOT NULL REFERENCES companies(id),
  name                    text NOT NULL,
  type                    text NOT NULL DEFAULT 'PHONE',
  focus                   text NOT NULL DEFAULT 'GENERIC',
  language                text NOT NULL DEFAULT 'EN',
  duration                int  NOT NULL DEFAULT 15,
  questions               jsonb NOT NULL DEFAULT '[]',
  instructions            text,
  voice_id                text,
  cefr_level              text,
  company_phone_number_id text,
  metadata                jsonb NOT NULL DEFAULT '{}',
  -- agents are templates: a delete hides them but interviews keep their agentId
  deleted_at              timestamptz,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agents_company ON agents(company_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;

CREATE TABLE interviews (
  id               uuid PRIMARY KEY,
  company_id       uuid NOT NULL REFERENCES companies(id),
  candidate_id     uuid NOT NULL REFERENCES candidates(id),
  agent_id         uuid NOT NULL REFERENCES agents(id),
  job_id           uuid REFERENCES jobs(id),
  status           text NOT NULL,
  scheduled_at     timestamptz NOT NULL,
  -- the UTC offset written in scheduledAt, in seconds, when the client gave one other than Z
  schedule_offset  int,
  duration_minutes int NOT NULL,
  finished_at      timestamptz,
  metadata         jsonb NOT NULL DEFAULT '{}',
  is_test          boolean NOT NULL DEFAULT false,
  transcript       jsonb,
  analysis         jsonb,
  recording_path   text,
  created_by_key   uuid,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX interviews_company_created ON interviews(company_id, created_at DESC, id DESC);
CREATE INDEX interviews_company_status ON interviews(company_id, status);
CREATE INDEX interviews_candidate ON interviews(candidate_id);
CREATE INDEX interviews_agent ON interviews(agent_id);

-- Call attempts; the SCHEDULED ones are the processing queue the dispatcher claims from.
CREATE TABLE call_attempts (
  id           uuid PRIMARY KEY,
  interview_id uuid NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
  company_id   uuid NOT NULL REFERENCES companies(id),
  status       text NOT NULL,
  reason_code  text,
  notes        text,
  retry_number int  NOT NULL DEFAULT 0,
  direction    text NOT NULL DEFAULT 'OUTBOUND',
  scheduled_at timestamptz NOT NULL,
  called_at    timestamptz,
  ended_at     timestamptz,
  duration     int,
  recording_url text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX call_attempts_interview ON call_attempts(interview_id, scheduled_at);
CREATE INDEX call_attempts_due ON call_attempts(scheduled_at) WHERE status = 'SCHEDULED';

-- Live calls: one row per call holding a concurrency slot. Not tied to the interview by a foreign
-- key: a call whose interview was deleted stays here, flagged, until it ends and frees its slot.
CREATE TABLE live_calls (
  call_id           uuid PRIMARY KEY,
  attempt_id        uuid NOT NULL,
  interview_id      uuid NOT NULL,
  company_id        uuid NOT NULL REFERENCES companies(id),
  node_id           text,
  provider          text NOT NULL,
  started_at        timestamptz NOT NULL DEFAULT now(),
  lease_expires_at  timestamptz NOT NULL,
  post_call_skipped boolean NOT NULL DEFAULT false
);
CREATE INDEX live_calls_interview ON live_calls(interview_id);
CREATE INDEX live_calls_lease ON live_calls(lease_expires_at);

-- One row per deleted interview, and no personal data.
CREATE TABLE interview_deletions (
  id               bigserial PRIMARY KEY,
  interview_id     uuid NOT NULL,
  company_id       uuid NOT NULL,
  api_key_id       uuid,
  status_at_delete text NOT NULL,
  deleted_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX interview_deletions_interview ON interview_deletions(interview_id);

-- Work to do after a commit: webhook events and removal of stored files.
CREATE TABLE outbox (
  id           bigserial PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('webhook', 'file_removal')),
  company_id   uuid,
  interview_id uuid,
  event_type   text,
  payload      jsonb NOT NULL DEFAULT '{}',
  attempts     int NOT NULL DEFAULT 0,
  available_at timestamptz NOT NULL DEFAULT now(),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_available ON outbox(available_at);
CREATE INDEX outbox_interview ON outbox(interview_id) WHERE interview_id IS NOT NULL;

-- Idempotent creates: the same key and body within 24 hours return the first result.
CREATE TABLE idempotency_keys (
  company_id   uuid NOT NULL,
  key          text NOT NULL,
  request_hash text NOT NULL,
  response     jsonb NOT NULL,
  interview_id uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (company_id, key)
);

-- The API shapes, built where the data is so that a read is one query and the JSON text goes
-- out as PostgreSQL wrote it.
CREATE FUNCTION call_attempt_json(a call_attempts) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN json_build_object(
    'id', a.id, 'direction', a.direction, 'status', a.status, 'reasonCode', a.reason_code,
    'notes', a.notes, 'retryNumber', a.retry_number, 'recordingUrl', a.recording_url,
    'duration', a.duration, 'scheduledAt', api_ts(a.scheduled_at), 'calledAt', api_ts(a.called_at));

CREATE FUNCTION interview_json(i interviews) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN json_build_object(
    'id', i.id, 'companyId', i.company_id, 'candidateId', i.candidate_id, 'agentId', i.agent_id,
    'jobId', i.job_id, 'status', i.status, 'scheduledAt', api_ts(i.scheduled_at),
    'durationMinutes', i.duration_minutes, 'finishedDate', api_ts(i.finished_at),
    'metadata', i.metadata, 'isTest', i.is_test,
    'callAttempts', COALESCE((SELECT json_agg(call_attempt_json(a) ORDER BY a.scheduled_at, a.id)
                              FROM call_attempts a WHERE a.interview_id = i.id), '[]'::json),
    'analysis', i.analysis, 'transcript', i.transcript,
    'createdAt', api_ts(i.created_at), 'updatedAt', api_ts(i.updated_at));

CREATE FUNCTION candidate_json(c candidates) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN json_build_object(
    'id', c.id, 'companyId', c.company_id, 'jobId', c.job_id, 'firstName', c.first_name,
    'lastName', c.last_name, 'email', c.email, 'phoneNumber', c.phone_number,
    'gdprExpiryDate', to_char(c.gdpr_expiry_date, 'YYYY-MM-DD'), 'metadata', c.metadata,
    'createdAt', api_ts(c.created_at), 'updatedAt', api_ts(c.updated_at));

CREATE FUNCTION agent_json(a agents) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN json_build_object(
    'id', a.id, 'companyId', a.company_id, 'name', a.name, 'type', a.type, 'focus', a.focus,
    'language', a.language, 'duration', a.duration, 'questions', a.questions,
    'instructions', a.instructions, 'voiceId', a.voice_id, 'cefrLevel', a.cefr_level,
    'companyPhoneNumberId', a.company_phone_number_id, 'metadata', a.metadata,
    'createdAt', api_ts(a.created_at), 'updatedAt', api_ts(a.updated_at));

CREATE FUNCTION company_json(c companies) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN json_build_object(
    'id', c.id, 'name', c.name, 'partnerId', c.partner_id, 'timezone', c.timezone,
    'callWindow', c.call_window, 'maxConcurrentCalls', c.max_concurrent_calls,
    'metadata', c.metadata, 'createdAt', api_ts(c.created_at), 'updatedAt', api_ts(c.updated_at));
