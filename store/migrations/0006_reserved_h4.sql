-- Placeholder for h4's 0006 migration, so that 0007 applies on this branch
-- (migrations have no gaps). Drop this file when h4's lands.
SELECT 1;
