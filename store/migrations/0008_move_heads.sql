-- A game's moves stay numbered once each, more cheaply. The unique index of
-- 0005 on (room_id, game_no, n) groups each game's moves together, so with
-- many rooms playing every group commit dirtied one index page per room
-- in it, and every prune as many again: at 1,000 rooms, 45 pages written
-- per commit where the journal's own appends take 4 (docs/benchmarks.md).
-- move_heads keeps one row per room, its last stored (game_no, n), and a
-- move is stored only if it comes after it: the same guarantee (a number
-- is never stored twice) and a stronger one (never out of order), over a
-- table of a few pages that every commit keeps hot. The journal goes back
-- to its rising id alone.
CREATE TABLE move_heads (
    room_id TEXT PRIMARY KEY,
    game_no INTEGER NOT NULL,
    n       INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO move_heads (room_id, game_no, n)
SELECT room_id, game_no, max(n) FROM moves m
WHERE game_no = (SELECT max(game_no) FROM moves WHERE room_id = m.room_id)
GROUP BY room_id, game_no;

DROP INDEX moves_number;
