-- The dial is sent after the claim commits, never inside its transaction (DESIGN invariant 1): a
-- provider's latency holds no pool connection and no row lock. A live call therefore records what
-- became of its dial, so that a dial retried after a timeout or taken over after a crash uses the
-- same callId (the provider's idempotency key), and a delete that lands before the call was
-- answered cancels it at the provider.
ALTER TABLE live_calls
  -- the provider took the call (it answered 2xx to POST /calls)
  ADD COLUMN dialled_at timestamptz,
  -- until then, a lease on the dial: after this moment another node may dial it again
  ADD COLUMN dial_due_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN dial_tries int NOT NULL DEFAULT 0,
  -- call.answered was reported
  ADD COLUMN answered_at timestamptz,
  -- deleted before it was answered: the call is cancelled at the provider, once
  ADD COLUMN cancel_requested_at timestamptz,
  ADD COLUMN cancel_sent_at timestamptz;

-- Calls live before this version were dialled inside their claim.
UPDATE live_calls SET dialled_at = started_at;

CREATE INDEX live_calls_undialled ON live_calls(dial_due_at) WHERE dialled_at IS NULL;
CREATE INDEX live_calls_cancel_pending ON live_calls(cancel_requested_at)
  WHERE cancel_requested_at IS NOT NULL AND cancel_sent_at IS NULL;
