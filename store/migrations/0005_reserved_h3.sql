-- Placeholder for h3's 0005 migration, so that 0007 applies on this branch
-- (migrations have no gaps). Drop this file when h3's lands.
SELECT 1;
