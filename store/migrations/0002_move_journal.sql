-- Moves become an append-only journal keyed by a rising id. The first
-- schema keyed them by (room_id, game_no, n): with many rooms playing, every
-- group commit then dirtied a page per room in it. Appends to a rising key
-- dirty one page or two per commit, whatever the number of rooms.
--
-- A journal row carries the seq of its event, so a dig or a skip no longer
-- rewrites its room's row. A finished game keeps its moves in its games row;
-- the journal is only for games in play and is pruned below the oldest of
-- them. rooms.log_from is the journal id where a room's current game starts.

CREATE TABLE move_log (
    id      INTEGER PRIMARY KEY,
    room_id TEXT NOT NULL,
    game_no INTEGER NOT NULL,
    n       INTEGER NOT NULL,
    seq     INTEGER NOT NULL,
    seat    INTEGER NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('dig', 'skip', 'forfeit')),
    row     INTEGER NOT NULL,
    col     INTEGER NOT NULL,
    move_id TEXT NOT NULL DEFAULT '',
    at      INTEGER NOT NULL
);

ALTER TABLE games ADD COLUMN moves TEXT NOT NULL DEFAULT '[]';

-- Finished games take their moves with them: [kind, seat, row, col, at, move_id].
UPDATE games SET moves = coalesce((
    SELECT json_group_array(json_array(m.kind, m.seat, m.row, m.col, m.at, m.move_id))
    FROM (SELECT * FROM moves WHERE room_id = games.room_id AND game_no = games.game_no ORDER BY n) AS m
), '[]');

ALTER TABLE rooms ADD COLUMN log_from INTEGER NOT NULL DEFAULT 0;

-- Games in play move to the journal, in order.
INSERT INTO move_log (room_id, game_no, n, seq, seat, kind, row, col, move_id, at)
SELECT m.room_id, m.game_no, m.n, r.seq, m.seat, m.kind, m.row, m.col, m.move_id, m.at
FROM moves m JOIN rooms r ON r.id = m.room_id AND r.game_no = m.game_no
WHERE r.status = 'playing'
ORDER BY m.room_id, m.n;

UPDATE rooms SET log_from = coalesce(
    (SELECT min(l.id) FROM move_log l WHERE l.room_id = rooms.id AND l.game_no = rooms.game_no), 0);

DROP TABLE moves;
ALTER TABLE move_log RENAME TO moves;
