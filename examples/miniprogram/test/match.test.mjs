// The example mini-program's quick match, run by `go test ./server`
// (TestSDKQuickMatch) against a real server with quick match. The loader
// is the one of miniprogram.test.mjs: pages from their files, handlers
// called as taps would, wx's requests and sockets real.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fakeWx } from "../../../static/sdk/test/fakewx.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BASE = process.env.GOLDMINE_URL;
const G = createRequire(import.meta.url)("../../../static/sdk/goldmine.js");

function load(rel, env) {
  const file = path.join(ROOT, rel);
  const module = { exports: {} };
  const run = new Function("require", "module", "exports", "App", "Page", "getApp", "wx", readFileSync(file, "utf8"));
  run(createRequire(file), module, module.exports, env.App, env.Page, env.getApp, env.wx);
}

function miniProgram(wx) {
  let app = null;
  let def = null;
  const env = { wx, App: (o) => { app = o; }, Page: (o) => { def = o; }, getApp: () => app };
  load("app.js", env);
  app.onLaunch();
  app.globalData.client.baseURL = BASE;
  return {
    app,
    open(name) {
      load(`pages/${name}/${name}.js`, env);
      const page = Object.create(def);
      page.data = structuredClone(def.data);
      page.setData = (d) => { Object.assign(page.data, d); };
      return page;
    }
  };
}

function until(cond, what, ms = 10000) {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    (function poll() {
      let v;
      try { v = cond(); } catch (e) { v = false; }
      if (v) return resolve(v);
      if (Date.now() > end) return reject(new Error("timed out waiting for " + what));
      setTimeout(poll, 10);
    })();
  });
}

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
