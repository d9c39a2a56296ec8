// Tests of the SDK, run by `go test ./server` (TestSDK in sdk_test.go) against a real
// server. GOLDMINE_URL is the server; GOLDMINE_CONTROL offers /drop (cut a
// player's sockets with a close code) and /advance (move the rooms' clock).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { fakeWx } from "./fakewx.mjs";

const require = createRequire(import.meta.url);
const G = require("../goldmine.js");
const BASE = process.env.GOLDMINE_URL;
const CONTROL = process.env.GOLDMINE_CONTROL;

// next resolves with the next `event` of an emitter.
function next(emitter, event, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error("no " + event + " within " + ms + " ms")); }, ms);
    const off = emitter.on(event, (v) => { clearTimeout(timer); off(); resolve(v); });
  });
}

// until resolves when cond(room.state) holds.
function until(room, cond, ms = 5000) {
  if (room.state && cond(room.state)) return Promise.resolve(room.state);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`not within ${ms} ms: ${cond} (room ${room.id}, status ${room.status}, seq ${room.state && room.state.seq}, players ${JSON.stringify(room.state && room.state.players)})`));
    }, ms);
    const off = room.on("state", (s) => { if (cond(s)) { clearTimeout(timer); off(); resolve(s); } });
  });
}

// inStep resolves when two rooms have seen the same events.
function inStep(a, b, ms = 5000) {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    (function poll() {
      if (a.state && b.state && a.state.seq === b.state.seq) return resolve();
      if (Date.now() > end) return reject(new Error(`not in step within ${ms} ms: seq ${a.state && a.state.seq} (${a.status}) and ${b.state && b.state.seq} (${b.status})`));
      setTimeout(poll, 10);
    })();
  });
}

async function player(name, opts) {
  const c = new G.Client(Object.assign({ baseURL: BASE }, opts));
  await c.createPlayer(name);
  return c;
}

async function control(path) {
  const res = await fetch(CONTROL + path, { method: "POST" });
  assert.equal(res.status, 200, await res.text());
}

// firstUndug returns a cell not yet dug.
function firstUndug(s) {
  for (let r = 0; r < s.rules.rows; r++) for (let c = 0; c < s.rules.cols; c++) if (s.board[r][c] === null) return [r, c];
  return null;
}

async function gameOfTwo(a, b, opts) {
  const snap = await a.createRoom(Object.assign({ preset: "classic", turn_seconds: 0 }, opts));
  const ra = a.join(snap.id);
  await next(ra, "welcome");
  const rb = b.join(snap.id);
  await until(ra, (s) => s.status === "playing");
  await until(rb, (s) => s.status === "playing");
  return [ra, rb];
}

test("the browser transport plays: digs resolve with their dug, refusals reject with the code", async () => {
  const a = await player("Ann");
  const b = await player("Ben");
  const [ra, rb] = await gameOfTwo(a, b);
  const [row, col] = firstUndug(ra.state);
  const dug = await ra.dig(row, col);
  assert.equal(dug.type, "dug");
  assert.equal(dug.row, row);
  await inStep(ra, rb);
  assert.deepEqual(rb.state.board, ra.state.board);
  // Ann moved; if the turn passed, she cannot move again.
  if (ra.state.turn !== ra.you.seat) {
    const cell = firstUndug(ra.state);
    await assert.rejects(ra.dig(cell[0], cell[1]), (e) => e.code === "not_your_turn");
  }
  await assert.rejects(ra.dig(99, 99), (e) => ["out_of_bounds", "not_your_turn"].includes(e.code));
  ra.close();
  rb.close();
});

test("a private room's long id works throughout: getRoom, join, dig, reconnect", async () => {
  const a = await player("Ann", { backoffBase: 50 });
  const b = await player("Ben");
  const [ra, rb] = await gameOfTwo(a, b, { private: true });
  assert.match(ra.id, /^[23456789A-HJ-NP-Z]{16}$/, "a private room has a 16-symbol id");
  const snap = await b.getRoom(ra.id.toLowerCase());
  assert.equal(snap.id, ra.id);
  const mover = ra.state.turn === ra.you.seat ? ra : rb;
  const [row, col] = firstUndug(mover.state);
  await mover.dig(row, col);
  await inStep(ra, rb);
  const reconnected = next(ra, "reconnected");
  await control("/drop?player=" + a.player.player_id + "&code=4004");
  await reconnected;
  await inStep(ra, rb);
  ra.close();
  rb.close();
});

test("messages sent before the room opens are queued and flushed in order", async () => {
  const a = await player("Ann");
  const snap = await a.createRoom({ preset: "party" });
  const room = a.join(snap.id);
  const got = [];
  room.on("chat", (f) => got.push(f.text));
  room.chat("one");
  room.chat("two");
  room.chat("three");
  const notStarted = room.dig(0, 0);
  assert.equal(room.status, "connecting");
  await assert.rejects(notStarted, (e) => e.code === "not_started");
  await until(room, () => got.length === 3);
  assert.deepEqual(got, ["one", "two", "three"]);
  room.close();
});

test("it reconnects after the server cuts the socket, into the same seat", async () => {
  const a = await player("Ann", { backoffBase: 50 });
  const b = await player("Ben");
  const [ra, rb] = await gameOfTwo(a, b);
  const seat = ra.you.seat;
  const reconnecting = next(ra, "reconnecting");
  const reconnected = next(ra, "reconnected");
  await control("/drop?player=" + a.player.player_id + "&code=4004");
  await reconnecting;
  await reconnected;
  assert.equal(ra.status, "open");
  assert.equal(ra.you.seat, seat);
  await until(rb, (s) => s.players[seat].connected === true);
  // Still playing, in step.
  const mover = ra.state.turn === seat ? ra : rb;
  const [row, col] = firstUndug(mover.state);
  await mover.dig(row, col);
  await inStep(ra, rb);
  ra.close();
  rb.close();
});

test("a new Room for the same seat, as after a page reload, never reuses a dig id", async () => {
  const a = await player("Ann");
  const b = await player("Ben");
  const [ra, rb] = await gameOfTwo(a, b);
  const digOnce = (room) => { const [r, c] = firstUndug(room.state); return room.dig(r, c); };
  const annsTurn = async (ann) => {
    while (ann.state.turn !== ann.you.seat) { await digOnce(rb); await inStep(ann, rb); }
  };
  await annsTurn(ra);
  const first = await digOnce(ra);
  assert.equal(first.duplicate, undefined);
  ra.close();
  const reloaded = a.join(ra.id);
  await next(reloaded, "welcome");
  await annsTurn(reloaded);
  const seq = reloaded.state.seq;
  const second = await digOnce(reloaded);
  assert.equal(second.duplicate, undefined, "the new page's first dig was taken for the old page's");
  assert.equal(second.seq, seq + 1);
  assert.notEqual(second.id, first.id);
  reloaded.close();
  rb.close();
});

// fakeTimers is an injected clock: nothing runs until advance().
function fakeTimers() {
  let now = 0, seq = 0;
  const timers = new Map();
  const ft = {
    delays: [],
    setTimeout(f, ms) { ft.delays.push(ms); const id = ++seq; timers.set(id, { at: now + ms, f }); return id; },
    clearTimeout(id) { timers.delete(id); },
    setInterval(f, ms) { const id = ++seq; timers.set(id, { at: now + ms, f, every: ms }); return id; },
    clearInterval(id) { timers.delete(id); },
    now() { return now; },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        let first = null;
        for (const [id, t] of timers) if (t.at <= end && (!first || t.at < first[1].at)) first = [id, t];
        if (!first) break;
        const [id, t] = first;
        now = t.at;
        if (t.every) t.at += t.every; else timers.delete(id);
        t.f();
      }
      now = end;
    }
  };
  return ft;
}

// fakeSocket is an injected transport the test drives by hand.
function fakeSocketFactory(onCreate) {
  return (url) => {
    const t = { sent: [], closed: null, send(x) { t.sent.push(JSON.parse(x)); }, close(code, reason) { t.closed = { code, reason }; } };
    onCreate(t);
    return t;
  };
}

const fakeClient = { wsURL: () => "ws://fake/ws", token: "tok" };

test("backoff doubles from the base, jittered over its upper half, capped at the maximum", () => {
  for (const [rnd, factor] of [[0, 0.5], [0.5, 0.75], [1, 1]]) {
    const room = new G.Room(fakeClient, "ROOM22", { random: () => rnd, backoffBase: 500, backoffMax: 30000, transport: () => ({}) });
    const got = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => room.backoff(n));
    const want = [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000].map((c) => Math.round(c * factor));
    assert.deepEqual(got, want, "random " + rnd);
  }
});

test("it gives up after the attempt limit, waiting the backoff between attempts", () => {
  const ft = fakeTimers();
  const sockets = [];
  const room = new G.Room(fakeClient, "ROOM22", {
    timers: ft, random: () => 0.5, maxAttempts: 3, backoffBase: 100,
    transport: fakeSocketFactory((t) => sockets.push(t))
  });
  const events = [];
  room.on("reconnecting", (e) => events.push(["reconnecting", e.delay]));
  room.on("gave_up", (e) => events.push(["gave_up", e.attempts]));
  room.connect();
  // Every socket fails at once; each retry waits base * 2^n * 0.75.
  const refuse = (i) => sockets[i].onclose({ code: 1006, reason: "refused" });
  refuse(0);
  ft.advance(74);
  assert.equal(sockets.length, 1, "no retry before the backoff");
  ft.advance(1);
  refuse(1);
  ft.advance(150);
  refuse(2);
  ft.advance(300);
  refuse(3);
  assert.equal(sockets.length, 4);
  assert.deepEqual(events, [["reconnecting", 75], ["reconnecting", 150], ["reconnecting", 300], ["gave_up", 3]]);
  assert.equal(room.status, "closed");
  ft.advance(60000);
  assert.equal(sockets.length, 4, "no attempt after giving up");
});

test("a silent socket is detected by the heartbeat and replaced", () => {
  const ft = fakeTimers();
  const sockets = [];
  const room = new G.Room(fakeClient, "ROOM22", {
    timers: ft, random: () => 0, heartbeat: 1000, heartbeatTimeout: 2500, backoffBase: 100,
    transport: fakeSocketFactory((t) => sockets.push(t))
  });
  let lost = 0;
  room.on("heartbeat_lost", () => lost++);
  room.connect();
  sockets[0].onopen();
  assert.equal(sockets[0].sent[0].type, "hello");
  sockets[0].onmessage(JSON.stringify({ type: "welcome", you: { seat: 0, role: "player" }, room: { seq: 3, status: "waiting", players: [], rules: { rows: 5, cols: 5 } } }));
  ft.advance(1000);
  assert.equal(sockets[0].sent.at(-1).type, "ping");
  ft.advance(2000); // 3 s without a frame: past the 2.5 s timeout
  assert.equal(lost, 1);
  assert.equal(sockets[0].closed.code, 4005);
  ft.advance(50);   // the first retry, after base/2 with random 0
  assert.equal(sockets.length, 2, "a new socket after the loss");
});

test("a gap in seq asks for a resync and waits for the snapshot", () => {
  const sockets = [];
  const room = new G.Room(fakeClient, "ROOM22", { timers: fakeTimers(), transport: fakeSocketFactory((t) => sockets.push(t)) });
  const gaps = [];
  room.on("gap", (g) => gaps.push(g));
  room.connect();
  const t = sockets[0];
  t.onopen();
  const board = [[null, null], [null, null]];
  t.onmessage(JSON.stringify({ type: "welcome", you: { seat: 0, role: "player" }, room: { seq: 5, status: "playing", turn: 0, players: [{ seat: 0, score: 0 }], rules: { rows: 2, cols: 2, gold: 1 }, board, gold_found: [] } }));
  t.onmessage(JSON.stringify({ type: "presence", seq: 6, seat: 0, connected: true }));
  assert.equal(room.state.seq, 6);
  t.onmessage(JSON.stringify({ type: "dug", seq: 8, seat: 0, row: 0, col: 0, id: null, gold: false, cells: [{ row: 0, col: 0, value: 1 }], scores: [0], gold_left: 1, turn: 0, deadline: null }));
  assert.deepEqual(gaps, [{ expected: 7, got: 8 }]);
  assert.equal(t.sent.at(-1).type, "resync");
  assert.equal(room.state.seq, 6, "nothing applied past the gap");
  t.onmessage(JSON.stringify({ type: "snapshot", room: { seq: 9, status: "playing", turn: 0, players: [{ seat: 0, score: 0 }], rules: { rows: 2, cols: 2, gold: 1 }, board: [[1, null], [2, null]], gold_found: [] } }));
  assert.equal(room.state.seq, 9);
  assert.equal(room.state.board[1][0], 2);
  // A repeat of an older event changes nothing.
  t.onmessage(JSON.stringify({ type: "presence", seq: 9, seat: 0, connected: false }));
  assert.equal(room.state.seq, 9);
  // A presence without a seq (the server could not store it) is applied,
  // and it is no gap.
  t.onmessage(JSON.stringify({ type: "presence", seat: 0, connected: false }));
  assert.equal(room.state.seq, 9);
  assert.equal(room.state.players[0].connected, false);
  assert.deepEqual(gaps, [{ expected: 7, got: 8 }]);
});

test("in a mini-program: wx sockets, onHide closes cleanly, onShow comes back, even after 5 minutes away", async () => {
  const wxA = fakeWx();
  globalThis.wx = wxA;
  try {
    const a = await player("微信玩家", { backoffBase: 50 });
    delete globalThis.wx; // Ben is a browser
    const b = await player("Ben");
    globalThis.wx = wxA;
    const snap = await a.createRoom({ preset: "classic", turn_seconds: 0 });
    const ra = a.join(snap.id);
    await next(ra, "welcome");
    assert.equal(wxA.tasks.length, 1, "the room uses wx.connectSocket");
    delete globalThis.wx;
    const rb = b.join(snap.id);
    globalThis.wx = wxA;
    await until(ra, (s) => s.status === "playing");
    const seat = ra.you.seat;

    // Into the background and back.
    ra.onHide();
    assert.equal(ra.status, "paused");
    await until(rb, (s) => s.players[seat].connected === false);
    ra.onShow();
    await next(ra, "welcome");
    assert.equal(wxA.tasks.length, 2, "back through wx.connectSocket");
    assert.equal(ra.you.seat, seat);
    await until(rb, (s) => s.players[seat].connected === true);

    // Five minutes in the background: the reconnect grace (120 s) runs
    // out and the seat forfeits. Back in front, the SDK reconnects and
    // resyncs on its own: as a spectator, since the seat is gone.
    ra.onHide();
    await until(rb, (s) => s.players[seat].connected === false);
    await control("/advance?d=5m");
    await until(rb, (s) => s.status === "finished");
    const lost = next(ra, "seat_lost");
    ra.onShow();
    await lost;
    await inStep(ra, rb);
    assert.equal(ra.state.status, "finished");
    assert.equal(ra.state.result.reason, "forfeit");
    assert.equal(ra.you.role, "spectator");
    ra.close();
    rb.close();
  } finally {
    delete globalThis.wx;
  }
});

test("close() stops for good", async () => {
  const a = await player("Ann");
  const snap = await a.createRoom({ preset: "party" });
  const room = a.join(snap.id);
  await next(room, "welcome");
  room.close();
  assert.equal(room.status, "closed");
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(room.status, "closed", "no reconnect after close()");
});

test("fairness of a finished game verifies with SubtleCrypto", async () => {
  const layout = "0000010010100000000000000";
  const salt = "7fc0d9d421db381218950fbaf7af6e22";
  const commitment = "7a7b00bff5691c5813f8b5c9cc71831f4c61971acd5189d796a135e19d025f1a";
  assert.equal(await G.verifyFairness({ layout, salt, commitment }), true);
  assert.equal(await G.verifyFairness({ layout: layout.replace("1", "0"), salt, commitment }), false);
});

test("start() resolves on game_started, and at once when the game already runs", async () => {
  const a = await player("Sia");
  const b = await player("Teo");
  const snap = await a.createRoom({ preset: "party", turn_seconds: 0 });
  const ra = a.join(snap.id);
  await next(ra, "welcome");
  const rb = b.join(snap.id);
  await until(ra, (s) => s.players.length === 2);
  const s = await ra.start();
  assert.equal(s.status, "playing");
  // Started already: resolves, no already_started error.
  const errors = [];
  rb.on("error", (e) => errors.push(e.code));
  await until(rb, (st) => st.status === "playing");
  const again = await rb.start();
  assert.equal(again.status, "playing");
  assert.deepEqual(errors, []);
  // A room that starts by itself as it fills: start() sent meanwhile resolves too.
  const c2 = await player("Uli");
  const d2 = await player("Vic");
  const snap2 = await c2.createRoom({ preset: "classic", turn_seconds: 0 });
  const rc = c2.join(snap2.id);
  await next(rc, "welcome");
  const rd = d2.join(snap2.id);
  const started = await rd.start();
  assert.equal(started.status, "playing");
  for (const r of [ra, rb, rc, rd]) r.close();
});

test("games(), getPlayer(), rename() and listRooms({occupied})", async () => {
  const a = await player("Wes");
  const b = await player("Xan");
  const [ra, rb] = await gameOfTwo(a, b);
  for (let i = 0; ra.state.status === "playing" && i < 200; i++) {
    const r = ra.state.turn === ra.you.seat ? ra : rb;
    const [row, col] = firstUndug(r.state);
    await r.dig(row, col);
    await inStep(ra, rb);
  }
  await until(ra, (s) => s.status === "finished");
  const page = await a.games({ player: a.player.player_id, limit: 5 });
  assert.equal(page.games.length, 1);
  assert.equal(page.games[0].players.length, 2);
  const prof = await b.getPlayer(a.player.player_id);
  assert.equal(prof.games, 1);
  const renamed = await a.rename("Wesley");
  assert.equal(renamed.name, "Wesley");
  assert.equal((await a.me()).player_id, a.player.player_id);
  const occupied = await a.listRooms({ occupied: true });
  assert.ok(occupied.some((r) => r.id === ra.id));
  const empty = await a.createRoom({ preset: "classic" });
  assert.ok(!(await a.listRooms({ occupied: true })).some((r) => r.id === empty.id));
  assert.ok((await a.listRooms()).some((r) => r.id === empty.id));
  ra.close();
  rb.close();
});

test("spectators and chat history: the count follows who watches, and a late welcome carries the chat", async () => {
  const a = await player("Yan");
  const w = await player("Zed");
  const snap = await a.createRoom({ preset: "classic" });
  const ra = a.join(snap.id);
  await next(ra, "welcome");
  ra.chat("hello, late ones");
  await next(ra, "chat");
  const rw = w.join(snap.id, { as: "spectator" });
  await next(rw, "welcome");
  assert.deepEqual(rw.messages.map((m) => m.text), ["hello, late ones"]);
  await until(ra, (s) => s.spectators === 1);
  rw.close();
  await until(ra, (s) => s.spectators === 0);
  ra.close();
});
