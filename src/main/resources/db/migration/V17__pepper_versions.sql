-- The server's secrets leave the database (docs/operations.md#secrets). Each API key records the
-- version of the pepper its hash was made under, so that an operator rotating the pepper can see
-- when no key needs the old one any more (`admin secrets status`). Keys made before this version
-- were hashed under the pepper kept in server_secrets, which a node moves into its secrets under
-- the version 'stored'; server_secrets itself is emptied by the first node that holds its values.
ALTER TABLE api_keys ADD COLUMN pepper_version text NOT NULL DEFAULT 'stored';
ALTER TABLE api_keys ALTER COLUMN pepper_version DROP DEFAULT;
