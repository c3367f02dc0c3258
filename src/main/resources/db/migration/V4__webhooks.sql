-- Webhook subscriptions and their deliveries (SPEC section 5).

CREATE TABLE webhooks (
  id                   uuid PRIMARY KEY,
  -- whose subscription it is: a company key's company, or an ATS key's partner
  owner_company_id     uuid REFERENCES companies(id),
  partner_id           uuid REFERENCES ats_partners(id),
  -- the company whose events it gets; null: every company the owner reaches
  company_id           uuid REFERENCES companies(id),
  api_key_id           uuid,
  url                  text NOT NULL,
  name                 text,
  description          text,
  events               text[] NOT NULL,
  headers              jsonb NOT NULL DEFAULT '[]',
  signing_secret       text NOT NULL,
  is_active            boolean NOT NULL DEFAULT true,
  consecutive_failures int NOT NULL DEFAULT 0,
  circuit_opened_at    timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CHECK ((owner_company_id IS NULL) <> (partner_id IS NULL))
);
CREATE INDEX webhooks_owner_company ON webhooks(owner_company_id);
CREATE INDEX webhooks_partner ON webhooks(partner_id);

-- One row per event and subscription; the delivery log.
CREATE TABLE webhook_deliveries (
  id              uuid PRIMARY KEY,
  seq             bigserial UNIQUE,
  webhook_id      uuid NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  company_id      uuid,
  interview_id    uuid,
  event_type      text NOT NULL,
  body            text NOT NULL,
  status          text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
  attempts        int NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_status     int,
  last_error      text,
  log             jsonb NOT NULL DEFAULT '[]',
  created_at      timestamptz NOT NULL DEFAULT now(),
  delivered_at    timestamptz
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, seq DESC);
CREATE INDEX webhook_deliveries_interview ON webhook_deliveries(interview_id, webhook_id, seq) WHERE interview_id IS NOT NULL;

CREATE FUNCTION webhook_json(w webhooks) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN json_build_object(
    'id', w.id, 'apiKeyId', w.api_key_id, 'companyId', w.company_id, 'url', w.url, 'name', w.name,
    'description', w.description, 'events', to_json(w.events),
    -- custom header values are never shown again
    'headers', COALESCE((SELECT json_agg(json_build_object('name', h->>'name', 'isMasked', true))
                           FROM jsonb_array_elements(w.headers) h), '[]'::json),
    'isActive', w.is_active, 'consecutiveFailures', w.consecutive_failures,
    'circuitOpenedAt', api_ts(w.circuit_opened_at), 'createdAt', api_ts(w.created_at), 'updatedAt', api_ts(w.updated_at));

CREATE FUNCTION webhook_delivery_json(d webhook_deliveries) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN json_build_object(
    'id', d.id, 'webhookId', d.webhook_id, 'event', d.event_type, 'interviewId', d.interview_id,
    'status', d.status, 'attempts', d.attempts, 'lastStatusCode', d.last_status, 'lastError', d.last_error,
    'nextAttemptAt', CASE WHEN d.status = 'PENDING' THEN api_ts(d.next_attempt_at) END,
    'log', d.log, 'createdAt', api_ts(d.created_at), 'deliveredAt', api_ts(d.delivered_at));
