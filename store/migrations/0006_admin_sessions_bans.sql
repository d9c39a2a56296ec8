-- Admin sessions and one-time links live in the database, so that a restart
-- keeps admins signed in and `goldmine admin` (a second process) can revoke
-- a session or mint a link that the running server honours. Only SHA-256
-- hashes of the secrets are stored.
CREATE TABLE admin_sessions (
    id         TEXT PRIMARY KEY,          -- hex SHA-256 of the cookie's token
    csrf       TEXT NOT NULL,
    via        TEXT NOT NULL DEFAULT '',  -- password, login link, setup link
    ip         TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL,
    expires_at INTEGER NOT NULL           -- pushed back as the admin works
);
CREATE INDEX admin_sessions_expiry ON admin_sessions (expires_at);

CREATE TABLE admin_tokens (
    hash       TEXT PRIMARY KEY,          -- hex SHA-256 of the link's token
    kind       TEXT NOT NULL CHECK (kind IN ('setup', 'login')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL           -- 0: until used, or a password is set
);

-- A ban covers a player (players.banned_at) and what they come back with:
-- their WeChat openid, the browsers they played from, and, if the admin
-- chose, their address for a while. expires_at 0 is for ever.
CREATE TABLE bans (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('openid', 'device', 'address')),
    value      TEXT NOT NULL,
    player_id  TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX bans_value ON bans (kind, value);
CREATE INDEX bans_player ON bans (player_id);

-- The browsers (a random HttpOnly cookie, stored hashed) a player was
-- created from, and the address they last came from.
CREATE TABLE player_devices (
    player_id TEXT NOT NULL,
    device    TEXT NOT NULL,
    seen_at   INTEGER NOT NULL,
    PRIMARY KEY (player_id, device)
) WITHOUT ROWID;
CREATE INDEX player_devices_device ON player_devices (device);
ALTER TABLE players ADD COLUMN last_addr TEXT NOT NULL DEFAULT '';
