-- The node that owns a live room, for a PostgreSQL cluster (see
-- migrations_pg/0002). A SQLite file has one node, which leaves it ''.
ALTER TABLE rooms ADD COLUMN owner TEXT NOT NULL DEFAULT '';
