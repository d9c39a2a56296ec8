-- Glicko-2 ratings: see migrations/0007_ratings.sql.
ALTER TABLE rooms ADD COLUMN rated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE games ADD COLUMN rated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE game_players ADD COLUMN bot_level TEXT NOT NULL DEFAULT '';
CREATE TABLE ratings (
    player_id  TEXT PRIMARY KEY REFERENCES players (id),
    rating     DOUBLE PRECISION NOT NULL,
    rd         DOUBLE PRECISION NOT NULL,
    volatility DOUBLE PRECISION NOT NULL,
    games      INTEGER NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX ratings_rating ON ratings (games, rating);
CREATE TABLE rating_changes (
    game_id   BIGINT NOT NULL REFERENCES games (id),
    player_id TEXT NOT NULL REFERENCES players (id),
    rating_before DOUBLE PRECISION NOT NULL,
    rating_after  DOUBLE PRECISION NOT NULL,
    rd_before DOUBLE PRECISION NOT NULL,
    rd_after  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (game_id, player_id)
);
CREATE INDEX rating_changes_player ON rating_changes (player_id, game_id);
-- Quick match's queue in a cluster (package match): one ticket per player,
-- shared by every node so that players on different nodes meet. One node
-- at a time pairs the open tickets (an advisory lock) and writes where
-- each match was seated. Times are milliseconds of the nodes' clocks.
CREATE TABLE match_tickets (
    player_id TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    preset    TEXT NOT NULL,
    rating    DOUBLE PRECISION NOT NULL,
    since     BIGINT NOT NULL,
    seen      BIGINT NOT NULL,
    placed    TEXT NOT NULL DEFAULT '', -- JSON of match.Placed once matched
    placed_at BIGINT NOT NULL DEFAULT 0
);
