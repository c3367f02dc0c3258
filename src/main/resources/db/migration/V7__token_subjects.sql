-- Deletes made with a JWT instead of an API key: the audit row names the token's subject (its
-- "sub" claim). Exactly one of api_key_id and token_subject is set on rows written from now on.
ALTER TABLE interview_deletions ADD COLUMN token_subject text;
