-- Goldmine's first schema. Times are unix milliseconds (UTC).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE players (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    bot           INTEGER NOT NULL DEFAULT 0,
    wechat_openid TEXT UNIQUE,
    banned_at     INTEGER,
    -- Totals over finished games, kept in step with game_players by the
    -- transaction that stores each game, so the leaderboard is an index scan.
    games         INTEGER NOT NULL DEFAULT 0,
    wins          INTEGER NOT NULL DEFAULT 0,
    gold          INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
CREATE INDEX players_leaderboard ON players (wins DESC, gold DESC, id) WHERE bot = 0;
CREATE INDEX players_name ON players (name COLLATE NOCASE);

CREATE TABLE rooms (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    private      INTEGER NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    rules        TEXT NOT NULL,               -- JSON, as in protocol v1
    status       TEXT NOT NULL CHECK (status IN ('waiting', 'playing', 'finished', 'closed')),
    seq          INTEGER NOT NULL,
    seats        TEXT NOT NULL,               -- JSON array of seats
    game_no      INTEGER NOT NULL,
    seed         INTEGER NOT NULL,            -- uint64 bits in an int64
    salt         TEXT NOT NULL,
    first_seat   INTEGER NOT NULL,
    started_at   INTEGER NOT NULL,
    last_game_id INTEGER,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX rooms_live ON rooms (status) WHERE status <> 'closed';

CREATE TABLE moves (
    room_id TEXT NOT NULL REFERENCES rooms (id),
    game_no INTEGER NOT NULL,
    n       INTEGER NOT NULL,
    seat    INTEGER NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('dig', 'skip', 'forfeit')),
    row     INTEGER NOT NULL,
    col     INTEGER NOT NULL,
    move_id TEXT NOT NULL DEFAULT '',     -- the client's id, as raw JSON
    at      INTEGER NOT NULL,
    PRIMARY KEY (room_id, game_no, n)
) WITHOUT ROWID;

CREATE TABLE games (
    id           INTEGER PRIMARY KEY,
    room_id      TEXT NOT NULL REFERENCES rooms (id),
    game_no      INTEGER NOT NULL,
    rules        TEXT NOT NULL,
    seed         INTEGER NOT NULL,
    first_seat   INTEGER NOT NULL,
    layout       TEXT NOT NULL,
    salt         TEXT NOT NULL,
    commitment   TEXT NOT NULL,
    ended_reason TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    ended_at     INTEGER NOT NULL,
    UNIQUE (room_id, game_no)
);
CREATE INDEX games_ended ON games (ended_at);

CREATE TABLE game_players (
    game_id   INTEGER NOT NULL REFERENCES games (id),
    seat      INTEGER NOT NULL,
    player_id TEXT NOT NULL REFERENCES players (id),
    name      TEXT NOT NULL,
    bot       INTEGER NOT NULL,
    score     INTEGER NOT NULL,
    rank      INTEGER NOT NULL,
    winner    INTEGER NOT NULL,
    forfeited INTEGER NOT NULL,
    PRIMARY KEY (game_id, seat)
) WITHOUT ROWID;
CREATE INDEX game_players_player ON game_players (player_id, game_id);

CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    admin  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
