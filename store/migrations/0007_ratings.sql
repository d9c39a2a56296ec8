-- Glicko-2 ratings (package rating). A room is rated when created with
-- "rated": true or by quick match; a game is rated when its room was and
-- the game counts (not closed by an admin, at least 2 seats dug). The
-- ratings table is derived: `goldmine ratings rebuild` replays the rated
-- games in id order and gets it back exactly.
ALTER TABLE rooms ADD COLUMN rated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE games ADD COLUMN rated INTEGER NOT NULL DEFAULT 0;
-- The level of a bot's seat, which fixes its rating (set for rated games).
ALTER TABLE game_players ADD COLUMN bot_level TEXT NOT NULL DEFAULT '';
CREATE TABLE ratings (
    player_id  TEXT PRIMARY KEY REFERENCES players (id),
    rating     REAL NOT NULL,
    rd         REAL NOT NULL,
    volatility REAL NOT NULL,
    games      INTEGER NOT NULL, -- rated games played
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
-- For the leaderboard by rating, players with enough rated games.
CREATE INDEX ratings_rating ON ratings (games, rating);
-- Each rated player's rating before and after each rated game.
CREATE TABLE rating_changes (
    game_id   INTEGER NOT NULL REFERENCES games (id),
    player_id TEXT NOT NULL REFERENCES players (id),
    rating_before REAL NOT NULL,
    rating_after  REAL NOT NULL,
    rd_before REAL NOT NULL,
    rd_after  REAL NOT NULL,
    PRIMARY KEY (game_id, player_id)
) WITHOUT ROWID;
CREATE INDEX rating_changes_player ON rating_changes (player_id, game_id);
