-- Placeholder for h3's PostgreSQL 0003 migration, so that 0005 applies on
-- this branch (migrations have no gaps). Drop this file when h3's lands.
SELECT 1;
