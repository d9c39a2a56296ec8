// Tests of the example mini-program, run by `go test ./server` (TestSDK)
// against a real server, in WeChat's runtime as harness.mjs plays it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fakeWx } from "../../../static/sdk/test/fakewx.mjs";
import * as harness from "./harness.mjs";

const ROOT = harness.ROOT;
const BASE = process.env.GOLDMINE_URL;
const G = createRequire(import.meta.url)("../../../static/sdk/goldmine.js");
const miniProgram = (wx) => harness.miniProgram(wx, BASE);
const until = (cond, what, ms = 5000) => harness.until(cond, what, ms);

const tap = (dataset) => ({ currentTarget: { dataset } });

function undug(cells) { return cells.find((c) => c.cls === "undug"); }

test("every handler a page's WXML binds exists in its script", () => {
  globalThis.wx = fakeWx();
  try {
    const mp = miniProgram(globalThis.wx);
    for (const name of ["lobby", "game"]) {
      const page = mp.open(name);
      const wxml = readFileSync(path.join(ROOT, `pages/${name}/${name}.wxml`), "utf8");
      const handlers = [...wxml.matchAll(/\b(?:bind|catch)\w+="([^"]+)"/g)].map((m) => m[1]);
      assert.ok(handlers.length > 0, name + " binds no handler");
      for (const h of handlers) assert.equal(typeof page[h], "function", `${name}.wxml binds ${h}, which ${name}.js lacks`);
    }
    const appJSON = JSON.parse(readFileSync(path.join(ROOT, "app.json"), "utf8"));
    assert.deepEqual(appJSON.pages, ["pages/lobby/lobby", "pages/game/game"]);
  } finally {
    delete globalThis.wx;
  }
});

test("the lobby refuses a bad room code, and shows why WeChat login is not available", async () => {
  const wx = fakeWx();
  globalThis.wx = wx;
  try {
    const lobby = miniProgram(wx).open("lobby");
    lobby.onShow();
    lobby.onCode({ detail: { value: "bad" } });
    lobby.join(tap({}));
    assert.match(lobby.data.error, /6/);
    assert.equal(wx.navigations.length, 0);
    lobby.loginWeChat(); // this server has no --wechat-appid
    await until(() => lobby.data.error.includes("not configured"), "the not_configured message");
    assert.equal(lobby.data.named, false);
    lobby.onUnload();
  } finally {
    delete globalThis.wx;
  }
});

test("the lobby takes a private room's long code, and the game page joins it", async () => {
  const wx = fakeWx();
  globalThis.wx = wx;
  try {
    const mp = miniProgram(wx);
    const lobby = mp.open("lobby");
    lobby.onShow();
    lobby.onName({ detail: { value: "Lin" } });
    lobby.saveName();
    await until(() => lobby.data.named, "the player");
    const snap = await mp.app.globalData.client.createRoom({ preset: "classic", private: true });
    assert.match(snap.id, /^[23456789A-HJ-NP-Z]{16}$/, "a private room has a 16-symbol id");
    lobby.onCode({ detail: { value: snap.id.toLowerCase() } });
    lobby.join(tap({}));
    assert.equal(lobby.data.error, "");
    const url = await until(() => wx.navigations[0], "navigation to the game");
    lobby.onUnload();
    const id = new URL(url, "wxapp://x").searchParams.get("id");
    assert.equal(id, snap.id);
    const game = mp.open("game");
    game.onLoad({ id });
    await until(() => game.data.status === "waiting" && game.data.players.length === 1, "Lin seated");
    game.onUnload();
  } finally {
    delete globalThis.wx;
  }
});

test("the example plays a classic game to its end, through the background and back", async () => {
  const wx = fakeWx();
  globalThis.wx = wx;
  try {
    const mp = miniProgram(wx);
    const lobby = mp.open("lobby");
    lobby.onShow();
    lobby.onName({ detail: { value: "Mei" } });
    lobby.saveName();
    await until(() => lobby.data.named, "the player");
    assert.ok(wx.getStorageSync("goldmine.player").token, "the token is stored for the next launch");
    lobby.create();
    const url = await until(() => wx.navigations[0], "navigation to the game");
    lobby.onHide();
    const id = new URL(url, "wxapp://x").searchParams.get("id");
    assert.match(id, /^[23456789A-HJ-NP-Z]{6}$/);

    const game = mp.open("game");
    game.onLoad({ id });
    await until(() => game.data.status === "waiting" && game.data.players.length === 1, "Mei seated");

    const ben = new G.Client({ baseURL: BASE });
    await ben.createPlayer("Ben");
    const rb = ben.join(id);
    await until(() => game.data.status === "playing" && rb.state && rb.state.status === "playing", "the game to start");

    let moves = 0;
    let hidden = false;
    // A dug with no turn is the game's last move: its game_over may still
    // be on the way, and a dig sent meanwhile would be refused.
    while (game.room.state.status === "playing" && game.room.state.turn !== null) {
      const seq = rb.state.seq;
      if (game.data.mine) {
        const c = undug(game.data.cells);
        game.dig(tap({ row: c.row, col: c.col }));
      } else {
        if (moves >= 4 && !hidden) {
          // WeChat sends the app to the background while Ben moves.
          mp.app.onHide();
          assert.equal(game.room.status, "paused");
          hidden = true;
          const c = undug(game.data.cells);
          await rb.dig(c.row, c.col);
          await until(() => rb.state.players[0].connected === false || rb.state.seq > seq + 1, "the server to see Mei gone");
          mp.app.onShow();
          await until(() => game.room.status === "open" && game.room.state.seq === rb.state.seq, "Mei back, in sync");
          moves++;
          continue;
        }
        const s = rb.state;
        let cell = null;
        for (let r = 0; r < s.rules.rows && !cell; r++) for (let c = 0; c < s.rules.cols && !cell; c++) if (s.board[r][c] === null) cell = [r, c];
        await rb.dig(cell[0], cell[1]);
      }
      await until(() => rb.state.seq > seq && game.room.state.seq === rb.state.seq, "the move on both sides");
      moves++;
    }
    assert.ok(hidden, "the game lasted long enough to go to the background");
    await until(() => game.data.result, "the result");
    assert.equal(game.data.status, "finished");
    assert.equal(game.data.result.ranking.length, 2);
    await until(() => game.data.fair.startsWith("✓"), "the fairness check");
    assert.match(game.data.fair, /^✓ 公平性已验证/);
    const golds = game.data.cells.filter((c) => c.cls.startsWith("gold"));
    assert.equal(golds.length, 10, "all ten gold dug");
    for (const g of golds) assert.match(g.cls, /^gold s[01]( last by-s[01])?$/, "each gold marked with its finder's colour");
    assert.ok(game.data.cells.some((c) => / last by-s0$/.test(c.cls)) && game.data.cells.some((c) => / last by-s1$/.test(c.cls)), "each player's last dig is marked");

    assert.equal(game.data.canRematch, true);
    game.rematch();
    rb.rematch();
    await until(() => game.data.status === "playing", "the rematch");
    assert.equal(game.data.canRematch, false);
    game.leave();
    assert.deepEqual(wx.navigations.slice(-1), ["back"]);
    game.onUnload();
    rb.close();
  } finally {
    delete globalThis.wx;
  }
});

// drop cuts a player's sockets with a close code, through the test's control server.
async function drop(playerID, code) {
  const res = await fetch(process.env.GOLDMINE_CONTROL + "/drop?player=" + playerID + "&code=" + code, { method: "POST" });
  assert.equal(res.status, 200, await res.text());
}

test("a share opened on a fresh install asks for a name, then joins the shared room", async () => {
  const ben = new G.Client({ baseURL: BASE });
  await ben.createPlayer("Ben");
  const snap = await ben.createRoom({ preset: "classic" });
  const rb = ben.join(snap.id);
  await until(() => rb.state, "Ben in");
  const wx = fakeWx(); // nothing stored: a fresh install
  globalThis.wx = wx;
  try {
    const game = miniProgram(wx).open("game");
    game.onLoad({ id: snap.id }); // must not throw no_token
    assert.equal(game.data.needName, true);
    assert.equal(game.room, undefined);
    game.onName({ detail: { value: "\u200b" } });
    game.saveName();
    await until(() => game.data.error, "the refused name");
    game.onName({ detail: { value: "Nia" } });
    game.saveName();
    await until(() => game.data.status === "playing" && game.data.isPlayer, "Nia seated in the shared room");
    assert.equal(game.data.needName, false);
    assert.ok(wx.getStorageSync("goldmine.player").token);
    game.onUnload();
  } finally {
    delete globalThis.wx;
    rb.close();
  }
});

test("chat both ways, the watching count, and Start and Leave hidden from spectators", async () => {
  const ben = new G.Client({ baseURL: BASE });
  await ben.createPlayer("Ben");
  const cat = new G.Client({ baseURL: BASE });
  await cat.createPlayer("Cat");
  const snap = await ben.createRoom({ preset: "classic" });
  const rb = ben.join(snap.id);
  await until(() => rb.state, "Ben in");
  rb.chat("before you came");
  const rc = cat.join(snap.id);
  await until(() => rb.state.status === "playing", "the game");
  const wx = fakeWx();
  globalThis.wx = wx;
  try {
    const mp = miniProgram(wx);
    const mei = new G.Client({ baseURL: BASE });
    const p = await mei.createPlayer("Mei");
    wx.setStorageSync("goldmine.player", { token: p.token, player_id: p.player_id, name: p.name });
    mp.app.globalData.client.token = p.token;
    const game = mp.open("game");
    game.onLoad({ id: snap.id }); // full: she watches
    await until(() => game.data.status === "playing" && game.room.you && game.room.you.role === "spectator", "Mei watching");
    assert.equal(game.data.isPlayer, false, "no Start or Leave for a spectator");
    const wxml = readFileSync(path.join(ROOT, "pages/game/game.wxml"), "utf8");
    assert.match(wxml, /wx:if="\{\{isPlayer[^"]*\}\}" bindtap="start"/);
    assert.match(wxml, /wx:if="\{\{isPlayer[^"]*\}\}" bindtap="leave"/);
    await until(() => game.data.messages.some((m) => m.text === "before you came"), "the chat from before");
    await until(() => rb.state.spectators === 1, "Ben sees one watching");
    assert.equal(game.data.watching, 1);
    game.onChat({ detail: { value: "hi from the stands" } });
    game.sendChat();
    await until(() => rb.messages.some((m) => m.text === "hi from the stands"), "Ben reads Mei");
    game.onUnload();
  } finally {
    delete globalThis.wx;
    rb.close();
    rc.close();
  }
});

// meiToMove signs Mei up in the mini-program's lobby (on wx), opens a
// classic room on its game page, and seats ben, a signed-up client of the
// SDK made before wx was installed, in it: it returns when the game has
// started and Mei is to move.
async function meiToMove(ben, wx) {
  const mp = miniProgram(wx);
  const lobby = mp.open("lobby");
  lobby.onShow();
  lobby.onName({ detail: { value: "Mei" } });
  lobby.saveName();
  await until(() => lobby.data.named, "the player");
  lobby.onHide();
  const snap = await mp.app.globalData.client.createRoom({ preset: "classic" });
  const game = mp.open("game");
  game.onLoad({ id: snap.id });
  await until(() => game.data.isPlayer, "Mei seated first");
  const rb = ben.join(snap.id);
  await until(() => game.data.status === "playing" && game.data.mine, "Mei to move");
  return { mp, snap, game, rb };
}

test("a game an admin ends shows no result, no ranks", async () => {
  const ben = new G.Client({ baseURL: BASE });
  await ben.createPlayer("Ben");
  const wx = fakeWx();
  globalThis.wx = wx;
  try {
    const { snap, game, rb } = await meiToMove(ben, wx);
    const res = await fetch(process.env.GOLDMINE_CONTROL + "/close?room=" + snap.id, { method: "POST" });
    assert.equal(res.status, 200, await res.text());
    await until(() => game.data.result && game.data.ended, "the result and the close");
    assert.match(game.data.result.title, /^无结果 No result/);
    assert.match(game.data.result.note, /不计胜负/);
    assert.equal(game.data.result.ranking.length, 2);
    for (const r of game.data.result.ranking) assert.doesNotMatch(r.line, /^\d+\. /, "no ranks in a game that counts for nobody");
    game.onUnload();
    rb.close();
  } finally {
    delete globalThis.wx;
  }
});

// The server sends the error "banned" before it closes with 4003: the page
// must stop the board at the error, not only at the close, which can come
// a moment later. The error is delivered alone here, so the test does not
// depend on when the close arrives.
test("the error banned stops the board before the close arrives", async () => {
  const ben = new G.Client({ baseURL: BASE });
  await ben.createPlayer("Ben");
  const wx = fakeWx();
  globalThis.wx = wx;
  try {
    const { game, rb } = await meiToMove(ben, wx);
    game.room.emit("error", { code: "banned", message: "banned" });
    assert.equal(game.data.ended, true);
    assert.equal(game.data.mine, false);
    assert.match(game.data.banner, /封禁/);
    assert.equal(game.data.turnText, game.data.banner, "the turn line says banned, not 'Your turn'");
    game.onUnload();
    rb.close();
  } finally {
    delete globalThis.wx;
  }
});

for (const code of [4001, 4002, 4003]) {
  test(`after close ${code} the page says so and the board is still`, async () => {
    const ben = new G.Client({ baseURL: BASE });
    await ben.createPlayer("Ben");
    const wx = fakeWx();
    globalThis.wx = wx;
    try {
      const { mp, game, rb } = await meiToMove(ben, wx);
      await drop(mp.app.globalData.client.player ? mp.app.globalData.client.player.player_id : wx.getStorageSync("goldmine.player").player_id, code);
      await until(() => game.data.ended, "the page to know");
      assert.match(game.data.banner, code === 4001 ? /另一台设备/ : code === 4002 ? /移出/ : /封禁/);
      assert.equal(game.data.mine, false);
      assert.equal(game.data.turnText, game.data.banner);
      const before = game.room.state.seq;
      game.dig(tap({ row: 0, col: 0 }));
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(game.room.state.seq, before, "no dig after the close");
      game.onUnload();
      rb.close();
    } finally {
      delete globalThis.wx;
    }
  });
}
