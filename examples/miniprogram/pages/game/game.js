const app = getApp();
const Goldmine = require("../../utils/goldmine.js");
const { sha256Hex } = require("../../utils/sha256.js");

// What each final close code means, in the game's words: after these the
// SDK does not reconnect, and the board stays still.
const CLOSED = {
  4000: "房间已关闭 · The room was closed",
  4001: "这局在另一台设备上打开了 · This game is open on another device",
  4002: "你被移出了房间 · You were removed from the room",
  4003: "你已被封禁 · You are banned"
};

// The board as the page draws it: one entry per cell.
// result is what the result card shows. A game an admin ended (reason
// closed) counts for nobody: no result, and no ranks, only the scores.
function result(res) {
  const none = res.reason === "closed";
  return {
    title: none ? "无结果 No result" : "结果 Result",
    note: none ? "管理员结束了这局，不计胜负 · An admin ended this game: it counts for nobody" : "",
    none,
    ranking: res.ranking.map((st) => ({ seat: st.seat, line: (none ? "" : st.rank + ". ") + st.name + " · " + st.score }))
  };
}

function cells(s, last) {
  const finders = {};
  (s.gold_found || []).forEach((g) => { finders[g.row + "," + g.col] = g.seat; });
  const marks = {};
  Object.keys(last || {}).forEach((seat) => { marks[last[seat]] = seat; });
  const out = [];
  for (let r = 0; r < s.rules.rows; r++) {
    for (let c = 0; c < s.rules.cols; c++) {
      const v = s.board[r][c];
      const seat = finders[r + "," + c];
      const mark = marks[r + "," + c];
      out.push({ key: r + "_" + c, row: r, col: c,
        cls: (v === null ? "undug" : v === -1 ? "gold s" + (seat % 8) : "dug n" + v) + (mark !== undefined ? " last by-s" + (mark % 8) : ""),
        text: v === null || v === 0 ? "" : v === -1 ? "◆" : String(v) });
    }
  }
  return out;
}

Page({
  data: {
    id: "", status: "", left: 0, cells: [], cols: 9, players: [], turnText: "", banner: "", result: null, fair: "",
    mine: false, canRematch: false, isPlayer: false, ended: false, needName: false, name: "", error: "",
    messages: [], chatText: "", watching: 0
  },

  onLoad(query) {
    this.id = String(query.id || "");
    // A quick match hands over the room it joined already.
    this.matched = (query.matched && app.globalData.matched) || null;
    app.globalData.matched = null;
    this.setData({ id: this.id });
    // A share opened on a fresh install: no player yet. Ask for a name
    // (or a WeChat login) here, then join the shared room.
    if (!app.globalData.client.token) {
      this.setData({ needName: true });
      return;
    }
    this.open();
  },

  onName(e) { this.setData({ name: e.detail.value }); },

  saveName() {
    app.globalData.client.createPlayer(this.data.name).then((p) => this.named(p), (e) => this.setData({ error: "名字不能用 · " + e.message }));
  },

  loginWeChat() {
    const client = app.globalData.client;
    wx.login({
      success: (res) => client.loginWeChat(res.code, this.data.name).then((p) => this.named(p), (e) => this.setData({ error: e.message })),
      fail: (e) => this.setData({ error: e.errMsg })
    });
  },

  named(p) {
    wx.setStorageSync("goldmine.player", { token: p.token, player_id: p.player_id, name: p.name });
    this.setData({ needName: false, error: "" });
    this.open();
  },

  open() {
    const room = this.matched || app.globalData.client.join(this.id);
    this.matched = null;
    app.globalData.room = room;
    this.room = room;
    this.last = {};
    this.setData({ id: room.id });
    room.on("state", () => this.draw());
    room.on("game_started", () => { this.last = {}; });
    room.on("dug", (f) => { this.last[f.seat] = f.row + "," + f.col; });
    room.on("turn_skipped", (f) => {
      const you = this.room.you || {};
      if (you.role === "player" && you.seat === f.seat) wx.showToast({ title: "你超时了 · Your turn timed out", icon: "none" });
    });
    room.on("reconnecting", (e) => this.setData({ banner: "重新连接中… Reconnecting (" + e.attempt + ")" }));
    room.on("reconnected", () => this.setData({ banner: "" }));
    room.on("seat_lost", () => this.setData({ banner: "座位已失去，观战中 · Seat lost: watching" }));
    room.on("gave_up", () => this.setData({ banner: "无法连接服务器 · Cannot reach the server" }));
    room.on("closed", (e) => {
      if (!CLOSED[e.code]) return;
      this.setData({ banner: CLOSED[e.code], ended: true, mine: false });
      this.draw();
    });
    room.on("error", (e) => {
      if (e.code === "unknown_room") this.setData({ banner: "没有这个房间 · No such room" });
      else if (e.code === "banned") {
        // The close (4003) follows, but the board stops now.
        this.setData({ banner: CLOSED[4003], ended: true, mine: false });
        this.draw();
      }
    });
    if (room.state) this.draw();
    this.tick = setInterval(() => this.countdown(), 500);
  },

  onUnload() {
    clearInterval(this.tick);
    if (this.room) this.room.close();
    app.globalData.room = null;
  },

  draw() {
    const s = this.room.state;
    if (!s) return;
    const you = this.room.you || {};
    const seat = you.role === "player" ? you.seat : null;
    const live = !this.data.ended;
    const mine = live && s.status === "playing" && s.turn === seat;
    const data = {
      status: s.status, cols: s.rules.cols, cells: cells(s, this.last), mine, isPlayer: seat !== null && seat !== undefined,
      watching: s.spectators || 0,
      players: s.players.map((p) => ({ seat: p.seat, name: p.name, score: p.score, on: p.connected, turn: s.status === "playing" && s.turn === p.seat, cls: "s" + (p.seat % 8) })),
      turnText: !live ? this.data.banner : s.status === "waiting" ? "等待玩家 Waiting for players" : s.status === "playing" ? (mine ? "轮到你 Your turn" : (s.players[s.turn] || {}).name + " 在挖 is digging") : "游戏结束 Game over",
      canRematch: live && s.status === "finished" && seat !== null && !(s.players[seat] || {}).rematch,
      result: s.result ? result(s.result) : null,
      messages: this.room.messages.slice(-50).map((m) => ({ key: m.seq, name: m.name, text: m.text }))
    };
    this.setData(data);
    if (s.result && this.checked !== s.result.game_id) {
      this.checked = s.result.game_id;
      this.setData({ fair: "正在验证公平性… Checking fairness…" });
      // No SubtleCrypto in mini-programs: a SHA-256 in plain JS.
      Goldmine.verifyFairness(s.result, sha256Hex).then((ok) => this.setData({
        fair: ok ? "✓ 公平性已验证 · Fairness verified: SHA-256(salt:layout) = commitment" : "✗ 承诺与棋盘不符 · The commitment does not match the board"
      }));
    }
    if (s.status !== "finished") this.checked = null;
  },

  countdown() {
    const s = this.room && this.room.state;
    if (!s) return;
    const left = s.status === "playing" && s.deadline ? Math.max(0, Math.ceil((s.deadline - Date.now()) / 1000)) : 0;
    if (left !== this.data.left) this.setData({ left });
  },

  dig(e) {
    const { row, col } = e.currentTarget.dataset;
    const s = this.room.state;
    // Taps on dug cells, or out of turn, are not moves: stay quiet.
    if (!this.data.mine || s.board[row][col] !== null) return;
    this.room.dig(Number(row), Number(col)).catch((err) => wx.showToast({ title: err.code, icon: "none" }));
  },

  onChat(e) { this.setData({ chatText: e.detail.value }); },
  sendChat() {
    const text = this.data.chatText.trim();
    if (!text || this.data.ended) return;
    this.room.chat(text);
    this.setData({ chatText: "" });
  },

  start() { this.room.start().catch((e) => wx.showToast({ title: e.code, icon: "none" })); },
  rematch() { this.room.rematch(); },
  leave() { this.room.leave(); wx.navigateBack(); },

  onShareAppMessage() {
    return { title: "来挖金子 · Dig gold with me", path: "/pages/game/game?id=" + this.data.id };
  }
});
