SET client_min_messages = warning;
-- The tables of the minimal write floors (bench/compare.sh, "write floors"): the interview's four
-- tables and the audit table with the same columns, defaults and indexes as Parley's (primary
-- keys, the list indexes, the attempts' queue indexes), and nothing else: no foreign keys, no
-- triggers, no stored-document render, no counters. What PostgreSQL must do at the least to keep
-- an interview that a GET can serve and a dispatcher can find, and to delete it with its audit row.
-- psql variables: none. Run in the bench database after Parley's migrations.
DROP TABLE IF EXISTS floor_candidates, floor_agents, floor_interviews, floor_call_attempts, floor_deletions;
CREATE TABLE floor_candidates    (LIKE candidates          INCLUDING DEFAULTS INCLUDING INDEXES);
CREATE TABLE floor_agents        (LIKE agents              INCLUDING DEFAULTS INCLUDING INDEXES);
CREATE TABLE floor_interviews    (LIKE interviews          INCLUDING DEFAULTS INCLUDING INDEXES);
CREATE TABLE floor_call_attempts (LIKE call_attempts       INCLUDING DEFAULTS INCLUDING INDEXES);
CREATE TABLE floor_deletions     (LIKE interview_deletions INCLUDING DEFAULTS INCLUDING INDEXES);
