-- A game's moves are numbered once each (see the SQLite migration 0005):
-- duplicates keep the first row written, then the constraint holds.
DELETE FROM moves WHERE id NOT IN (SELECT min(id) FROM moves GROUP BY room_id, game_no, n);
ALTER TABLE moves ADD CONSTRAINT moves_number UNIQUE (room_id, game_no, n);
