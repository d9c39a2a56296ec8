// Tests of the SDK's quickMatch, run by `go test ./server` (TestSDKQuickMatch
// in match_sdk_test.go) against a real server with quick match, whose bots
// come after 3 s (--match-bot-after 3s, for these tests only).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const G = require("../goldmine.js");
const BASE = process.env.GOLDMINE_URL;

async function player(name) {
  const c = new G.Client({ baseURL: BASE });
  await c.createPlayer(name);
  return c;
}

test("two players meet: quickMatch resolves with the same joined room, and the game starts", async () => {
  const [a, b] = await Promise.all([player("Ann"), player("Bob")]);
  const [ra, rb] = await Promise.all([a.quickMatch({ preset: "classic" }), b.quickMatch({ preset: "classic" })]);
  try {
    assert.equal(ra.id, rb.id);
    assert.equal(ra.match.bot, false);
    assert.equal(ra.match.players.length, 2);
    assert.ok(ra.you && ra.you.seat !== null, "seated");
    assert.equal(ra.state.rated, true);
  } finally {
    ra.close(); rb.close();
  }
});

test("aborting leaves the queue: the promise rejects with aborted, and nobody is matched with the one who left", async () => {
  const a = await player("Cat");
  const ctl = new AbortController();
  const p = a.quickMatch({ signal: ctl.signal, wait_s: 1 });
  setTimeout(() => ctl.abort(), 300);
  await assert.rejects(p, (e) => e.code === "aborted");
  const b = await player("Dan");
  const r = await b.http("POST", "/api/match", { wait_s: 1 });
  assert.equal(r.status, "waiting");
  await b.http("DELETE", "/api/match");
});

test("nobody comes: a bot of the player's strength takes the other seat", async () => {
  const a = await player("Eve");
  let waits = 0;
  const room = await a.quickMatch({ wait_s: 1, onWaiting: () => { waits++; } });
  try {
    assert.equal(room.match.bot, true);
    assert.ok(waits >= 2, "called again after each waiting: " + waits);
    assert.ok(room.match.players.some((p) => p.bot && p.rating === 1500));
  } finally {
    room.close();
  }
});
