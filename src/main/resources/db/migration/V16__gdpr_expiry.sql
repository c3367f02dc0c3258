-- A candidate's gdprExpiryDate is acted on: once it has passed, the candidate and their interviews
-- are erased (docs/api.md, "Candidates' expiry"). The sweep finds them by this index, one probe
-- when none has expired.
CREATE INDEX candidates_gdpr_expiry ON candidates(gdpr_expiry_date) WHERE gdpr_expiry_date IS NOT NULL;
