-- Companies show how many of their concurrency slots are held right now.
CREATE OR REPLACE FUNCTION company_json(c companies) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN json_build_object(
    'id', c.id, 'name', c.name, 'partnerId', c.partner_id, 'timezone', c.timezone,
    'callWindow', c.call_window, 'maxConcurrentCalls', c.max_concurrent_calls, 'activeCalls', c.active_calls,
    'metadata', c.metadata, 'createdAt', api_ts(c.created_at), 'updatedAt', api_ts(c.updated_at));
