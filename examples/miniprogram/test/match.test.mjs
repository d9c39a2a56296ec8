// The example mini-program's quick match, run by `go test ./server`
// (TestSDKQuickMatch) against a real server with quick match, in WeChat's
// runtime as harness.mjs plays it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { fakeWx } from "../../../static/sdk/test/fakewx.mjs";
import * as harness from "./harness.mjs";

const BASE = process.env.GOLDMINE_URL;
const G = createRequire(import.meta.url)("../../../static/sdk/goldmine.js");
const miniProgram = (wx) => harness.miniProgram(wx, BASE);
const until = (cond, what, ms = 10000) => harness.until(cond, what, ms);

async function named(mp, wx, name) {
  const lobby = mp.open("lobby");
  lobby.onShow();
  lobby.onName({ detail: { value: name } });
  lobby.saveName();
  await until(() => lobby.data.named, "the player");
  return lobby;
}

test("the main button: quick match pairs the mini-program's player and opens the game, already seated", async () => {
  const wx = fakeWx();
  globalThis.wx = wx;
  try {
    const mp = miniProgram(wx);
    const lobby = await named(mp, wx, "Mei");
    lobby.quickMatch();
    assert.equal(lobby.data.searching, true);
    const ben = new G.Client({ baseURL: BASE });
    await ben.createPlayer("Ben");
    const rb = await ben.quickMatch({});
    const url = await until(() => wx.navigations[0], "navigation to the game");
    lobby.onHide();
    const q = new URL(url, "wxapp://x").searchParams;
    assert.equal(q.get("id"), rb.id);
    assert.equal(q.get("matched"), "1");
    const game = mp.open("game");
    game.onLoad(Object.fromEntries(q));
    await until(() => game.data.status === "playing" && game.data.players.length === 2, "the game to start");
    game.onUnload();
    rb.close();
    lobby.onUnload();
  } finally {
    delete globalThis.wx;
  }
});

test("cancel leaves the queue and stops searching", async () => {
  const wx = fakeWx();
  globalThis.wx = wx;
  try {
    const mp = miniProgram(wx);
    const lobby = await named(mp, wx, "Lin");
    lobby.quickMatch();
    await new Promise((r) => setTimeout(r, 300));
    lobby.cancelMatch();
    await until(() => !lobby.data.searching, "searching to stop");
    assert.equal(lobby.data.error, "");
    lobby.onUnload();
  } finally {
    delete globalThis.wx;
  }
});
