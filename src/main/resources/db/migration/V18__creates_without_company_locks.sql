-- A create's statements, cheaper for PostgreSQL (issue "PostgreSQL spent as sparingly as physics
-- allows", bench/write-costs.sh).
--
-- 1. The foreign keys from the create's four tables to companies go. Each insert's check took a
--    KEY SHARE lock on the company's row: every create of a company locked the same row, 32
--    concurrent creates made a new multixact of up to 32 members for each lock, and a dispatcher
--    claim holding the row's slots waited for them or they for it. What the keys guarded cannot
--    happen: no code path deletes a company (neither the API nor the admin CLI has such an
--    operation), and the company_id of every row comes from the authenticated caller's company or
--    from the interview the row belongs to. The other tables keep theirs; none is on a hot path.
ALTER TABLE candidates    DROP CONSTRAINT candidates_company_id_fkey;
ALTER TABLE agents        DROP CONSTRAINT agents_company_id_fkey;
ALTER TABLE interviews    DROP CONSTRAINT interviews_company_id_fkey;
ALTER TABLE call_attempts DROP CONSTRAINT call_attempts_company_id_fkey;

-- 2. An attempt's reference to its interview is checked at commit in every transaction, so the
--    create (which inserts the first attempt before its interview, V12) no longer sends a
--    SET CONSTRAINTS statement of its own. Every other writer of attempts inserts them under the
--    interview's lock (repository/Locks), where a check at commit finds what a check at once would.
--    The ON DELETE CASCADE of the delete is not deferred: referential actions never are.
ALTER TABLE call_attempts ALTER CONSTRAINT call_attempts_interview_id_fkey DEFERRABLE INITIALLY DEFERRED;
