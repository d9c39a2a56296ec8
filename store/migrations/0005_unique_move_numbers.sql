-- A game's moves are numbered once each: (room_id, game_no, n) is unique
-- in the journal. Without it, an ambiguous COMMIT (PostgreSQL's connection
-- broke after the server committed) let a room store a second move with
-- the same n, and recovery then refused the room. Duplicates already
-- stored keep the first row written (the lowest id), which is the order
-- recovery replays them in.
DELETE FROM moves WHERE id NOT IN (SELECT min(id) FROM moves GROUP BY room_id, game_no, n);
CREATE UNIQUE INDEX moves_number ON moves (room_id, game_no, n);
