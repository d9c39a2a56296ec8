-- Several nodes on one database (docs/scaling.md). Each live room has one
-- owner node, the only one that plays it and writes it; each node holds a
-- lease, renewed every few seconds. When a node's lease runs out, any other
-- node may adopt its rooms, by a conditional update of rooms.owner. Times
-- are unix milliseconds on the database server's clock, so the nodes'
-- clocks never disagree about a lease.
CREATE TABLE nodes (
    id          TEXT PRIMARY KEY,
    url         TEXT NOT NULL DEFAULT '',  -- its --advertise-url, or ''
    started_at  BIGINT NOT NULL,
    lease_until BIGINT NOT NULL,
    counts      TEXT NOT NULL DEFAULT '{}' -- connected members per room, as of the last renewal
);

-- '' is no node: a room from before this migration, free to adopt.
ALTER TABLE rooms ADD COLUMN owner TEXT NOT NULL DEFAULT '';
CREATE INDEX rooms_owner ON rooms (owner) WHERE status <> 'closed';
