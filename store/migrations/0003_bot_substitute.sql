-- A room may hand the seat of a player whose reconnect grace ran out to a
-- bot of this level ('easy', 'normal' or 'hard') instead of forfeiting it;
-- '' keeps the forfeit. Set when the room is created, like its rules.
ALTER TABLE rooms ADD COLUMN bot_substitute TEXT NOT NULL DEFAULT '';
