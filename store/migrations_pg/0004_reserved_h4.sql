-- Placeholder for h4's PostgreSQL 0004 migration, so that 0005 applies on
-- this branch (migrations have no gaps). Drop this file when h4's lands.
SELECT 1;
