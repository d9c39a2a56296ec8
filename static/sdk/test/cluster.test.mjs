// The SDK in a cluster, run by `go test ./e2e` (TestClusterSDK in
// e2e/cluster_test.go) against two nodes sharing one PostgreSQL database.
// GOLDMINE_NODES is "base,other": the clients' base URL, and the node the
// room is made on. GOLDMINE_CONTROL's /kill kills the other node with
// SIGKILL.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const G = require("../goldmine.js");
const [BASE, OTHER] = process.env.GOLDMINE_NODES.split(",");
const CONTROL = process.env.GOLDMINE_CONTROL;

function next(emitter, event, ms = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error("no " + event + " within " + ms + " ms")); }, ms);
    const off = emitter.on(event, (v) => { clearTimeout(timer); off(); resolve(v); });
  });
}

function until(room, cond, ms = 10000) {
  if (room.state && cond(room.state)) return Promise.resolve(room.state);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`not within ${ms} ms: ${cond} (status ${room.status})`)); }, ms);
    const off = room.on("state", (s) => { if (cond(s)) { clearTimeout(timer); off(); resolve(s); } });
  });
}

function firstUndug(s) {
  for (let r = 0; r < s.rules.rows; r++) for (let c = 0; c < s.rules.cols; c++) if (s.board[r][c] === null) return [r, c];
  return null;
}

// digOnce has whoever holds the turn dig (both joined at once, so either
// may hold seat 0), and waits for both to see it.
async function digOnce(rooms) {
  const turn = rooms[0].state.turn;
  const mover = rooms.find((r) => r.you.seat === turn);
  const other = rooms.find((r) => r !== mover);
  const [row, col] = firstUndug(mover.state);
  const dug = await mover.dig(row, col);
  await until(other, (t) => t.seq >= dug.seq);
  return dug;
}

test("a hello at the wrong node follows wrong_node; when the owner dies, the game goes on where the room API says", async () => {
  const players = [];
  for (const name of ["Ann", "Ben"]) {
    const c = new G.Client({ baseURL: BASE, backoffBase: 200, backoffMax: 1000, maxAttempts: 30 });
    await c.createPlayer(name);
    players.push(c);
  }
  // The room is made on the other node, by Ann's token (good on every node).
  const maker = new G.Client({ baseURL: OTHER, token: players[0].token });
  const snap = await maker.createRoom({ preset: "classic", turn_seconds: 0 });
  assert.ok(snap.node && snap.ws_url, "a clustered node names the room's node and ws_url");

  const rooms = players.map((c) => c.join(snap.id));
  const gaps = [];
  for (const r of rooms) r.on("gap", (g) => gaps.push(g));
  const redirects = await Promise.all(rooms.map((r) => next(r, "redirect")));
  for (const r of redirects) assert.equal(r.ws_url, snap.ws_url);
  await Promise.all(rooms.map((r) => until(r, (s) => s.status === "playing")));
  for (let i = 0; i < 4; i++) await digOnce(rooms);
  const seq = rooms[0].state.seq;
  const board = JSON.stringify(rooms[0].state.board);

  const reconnected = rooms.map((r) => next(r, "reconnected", 20000));
  const res = await fetch(CONTROL + "/kill", { method: "POST" });
  assert.equal(res.status, 200);
  const welcomes = await Promise.all(reconnected);
  // The same game, its seq going on where it was (each player's return is
  // announced to the other, one event each): nothing acknowledged was
  // lost, and no client saw a gap.
  for (const w of welcomes) {
    assert.ok(w.room.seq >= seq && w.room.seq <= seq + 2, `welcome seq ${w.room.seq} after ${seq}`);
    assert.equal(JSON.stringify(w.room.board), board);
  }
  assert.deepEqual(gaps, []);
  const moved = await players[0].http("GET", "/api/rooms/" + snap.id);
  assert.notEqual(moved.node, snap.node, "another node adopted the room");

  const over = next(rooms[0], "game_over", 20000);
  // The last dug has no turn; game_over follows it.
  while (rooms[0].state.status === "playing" && rooms[0].state.turn !== null) await digOnce(rooms);
  const g = await over;
  assert.equal(g.reason, "all_gold");
  for (const r of rooms) r.close();
});
