-- The delete of SPEC section 3 as one statement: a DELETE reaches PostgreSQL once, in autocommit,
-- instead of BEGIN, ten statements and COMMIT, each a round trip.
--
-- It cannot be one SQL statement of CTEs: under READ COMMITTED every part of a statement shares
-- the snapshot taken before the row lock is granted, so a change committed by the transaction we
-- waited for (say the dispatcher's claim, which makes the interview IN_PROGRESS and its call
-- live) would be invisible to the rest. In plpgsql each statement after the lock takes a fresh
-- snapshot and sees it.
--
-- Outcome: 'deleted' with the status the interview had, 'not_found', or 'other_company' (the
-- caller answers 403 without learning anything else; the row is left as it was).
CREATE FUNCTION delete_interview(p_id uuid, p_company uuid, p_key uuid, p_subject text,
                                 OUT outcome text, OUT status_at_delete text)
  LANGUAGE plpgsql AS $$
DECLARE
  v_company uuid;
BEGIN
  -- The row lock serialises the delete with the dispatcher's claim: a SCHEDULED interview is
  -- either claimed before (and is IN_PROGRESS here) or never dialled.
  SELECT company_id, status INTO v_company, status_at_delete FROM interviews WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    outcome := 'not_found';
    RETURN;
  END IF;
  IF v_company <> p_company THEN
    outcome := 'other_company';
    status_at_delete := NULL;
    RETURN;
  END IF;

  INSERT INTO interview_deletions (interview_id, company_id, api_key_id, token_subject, status_at_delete)
  VALUES (p_id, v_company, p_key, p_subject, status_at_delete);
  IF status_at_delete = 'IN_PROGRESS' THEN
    -- The call goes on but produces nothing; one not answered yet (claimed, dialling or ringing)
    -- is also cancelled at the provider, by the call-session verticle after commit.
    UPDATE live_calls SET post_call_skipped = true,
           cancel_requested_at = CASE WHEN answered_at IS NULL THEN coalesce(cancel_requested_at, now()) END
     WHERE interview_id = p_id;
  END IF;
  -- Pending deliveries are never sent, and the log of sent ones goes too (invariants 4 and 6).
  DELETE FROM outbox WHERE interview_id = p_id AND kind IN ('webhook', 'post_call');
  DELETE FROM idempotency_keys WHERE interview_id = p_id;
  DELETE FROM webhook_deliveries WHERE interview_id = p_id;
  -- Its call attempts and its recording go with the row (ON DELETE CASCADE).
  DELETE FROM interviews WHERE id = p_id;
  outcome := 'deleted';
END $$;
