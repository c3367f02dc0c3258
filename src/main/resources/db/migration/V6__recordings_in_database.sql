-- Recordings move from the local disk of one node into PostgreSQL.
--
-- A recording used to be a file (PARLEY_RECORDINGS_DIR/<company>/<interview>.wav) on the node that
-- ran the post-call work: another node of a cluster could not serve it, and a node's disk is not
-- durable. Kept as a row, any node serves any recording, and a recording is stored in the same
-- transaction that completes its interview (after checking the interview still exists) and goes
-- in the delete's own transaction (ON DELETE CASCADE): no file can outlive its interview, so the
-- file_removal outbox work is gone too.
--
-- Files written before this migration are not imported (SQL cannot read a node's disk); their
-- interviews answer 404 for the recording, and the old directory can be removed.

CREATE TABLE recordings (
  interview_id uuid PRIMARY KEY REFERENCES interviews(id) ON DELETE CASCADE,
  company_id   uuid NOT NULL REFERENCES companies(id),
  content_type text NOT NULL,
  audio        bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
-- Audio hardly compresses: keep it out of line without trying to.
ALTER TABLE recordings ALTER COLUMN audio SET STORAGE EXTERNAL;

-- The attempts of interviews whose file is not imported no longer point at a recording.
UPDATE call_attempts SET recording_url = NULL
 WHERE recording_url IS NOT NULL
   AND interview_id IN (SELECT id FROM interviews WHERE recording_path IS NOT NULL);

ALTER TABLE interviews DROP COLUMN recording_path;

DELETE FROM outbox WHERE kind = 'file_removal';
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN ('webhook', 'post_call'));
