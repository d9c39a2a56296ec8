// The mini-program's test harness, shared by miniprogram.test.mjs and
// match.test.mjs. WeChat's runtime exists only inside WeChat, so App,
// Page, getApp and wx are played here: pages are loaded from their files,
// their handlers are called as taps would, and setData merges into data.
// wx's sockets and requests are real (see fakewx.mjs).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

// ROOT is the mini-program's folder.
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// load runs one of the mini-program's scripts with WeChat's globals.
export function load(rel, env) {
  const file = path.join(ROOT, rel);
  const module = { exports: {} };
  const run = new Function("require", "module", "exports", "App", "Page", "getApp", "wx", readFileSync(file, "utf8"));
  run(createRequire(file), module, module.exports, env.App, env.Page, env.getApp, env.wx);
}

// miniProgram launches the app against the server at base, and opens its
// pages.
export function miniProgram(wx, base) {
  let app = null;
  let def = null;
  const env = { wx, App: (o) => { app = o; }, Page: (o) => { def = o; }, getApp: () => app };
  load("app.js", env);
  app.onLaunch();
  app.globalData.client.baseURL = base; // app.js names a placeholder server
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

// until polls cond every 10 ms until it holds, for at most ms.
export function until(cond, what, ms) {
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
