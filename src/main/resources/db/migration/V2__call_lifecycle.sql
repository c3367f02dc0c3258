-- The call lifecycle: calling windows, fair claims, post-call jobs.

-- The time zone of the candidate's phone number, found when the interview is created; the calling
-- window uses it unless scheduledAt carried an explicit offset (schedule_offset).
ALTER TABLE interviews ADD COLUMN call_zone text;

-- When a call was last claimed for the company: claims go to the company waiting longest.
ALTER TABLE companies ADD COLUMN last_claim_at timestamptz;

-- Post-call work (recording, transcript, analysis) is durable work of its own.
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN ('webhook', 'file_removal', 'post_call'));
CREATE INDEX outbox_kind_available ON outbox(kind, available_at);

-- Whether a local time of day falls in a calling window 'HH:MM-HH:MM' ('00:00-24:00' is all day;
-- a window whose end is before its start runs over midnight).
CREATE FUNCTION in_call_window(local_time time, call_window text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE
    WHEN split_part(call_window, '-', 1)::time <= split_part(call_window, '-', 2)::time
      THEN local_time >= split_part(call_window, '-', 1)::time AND local_time < split_part(call_window, '-', 2)::time
    ELSE local_time >= split_part(call_window, '-', 1)::time OR local_time < split_part(call_window, '-', 2)::time
  END;

-- The local time of day, for a call, at a moment: explicit offset, else phone zone, else company zone.
CREATE FUNCTION call_local_time(at timestamptz, schedule_offset int, call_zone text, company_zone text) RETURNS time
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN CASE
    WHEN schedule_offset IS NOT NULL THEN (at AT TIME ZONE make_interval(secs => schedule_offset))::time
    ELSE (at AT TIME ZONE COALESCE(call_zone, company_zone))::time
  END;
