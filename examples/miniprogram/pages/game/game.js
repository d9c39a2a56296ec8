const app = getApp();

// The board as the page draws it: one entry per cell.
function cells(s) {
  const finders = {};
  (s.gold_found || []).forEach((g) => { finders[g.row + "," + g.col] = g.seat; });
  const out = [];
  for (let r = 0; r < s.rules.rows; r++) {
    for (let c = 0; c < s.rules.cols; c++) {
      const v = s.board[r][c];
      const seat = finders[r + "," + c];
      out.push({ key: r + "_" + c, row: r, col: c,
        cls: v === null ? "undug" : v === -1 ? "gold s" + (seat % 8) : "dug n" + v,
        text: v === null || v === 0 ? "" : v === -1 ? "◆" : String(v) });
    }
  }
  return out;
}

Page({
  data: { id: "", status: "", left: 0, cells: [], cols: 9, players: [], turnText: "", banner: "", result: null, fair: "", mine: false, canRematch: false },

  onLoad(query) {
    const room = app.globalData.client.join(query.id);
    app.globalData.room = room;
    this.room = room;
    this.setData({ id: room.id });
    room.on("state", () => this.draw());
    room.on("reconnecting", (e) => this.setData({ banner: "重新连接中… Reconnecting (" + e.attempt + ")" }));
    room.on("reconnected", () => this.setData({ banner: "" }));
    room.on("seat_lost", () => this.setData({ banner: "座位已失去，观战中 · Seat lost: watching" }));
    room.on("gave_up", () => this.setData({ banner: "无法连接服务器 · Cannot reach the server" }));
    room.on("closed", (e) => { if (e.code === 4000) this.setData({ banner: "房间已关闭 · The room was closed" }); });
    room.on("error", (e) => { if (e.code === "unknown_room") this.setData({ banner: "没有这个房间 · No such room" }); });
    this.tick = setInterval(() => this.countdown(), 500);
  },

  onUnload() {
    clearInterval(this.tick);
    if (this.room) this.room.close();
    app.globalData.room = null;
  },

  draw() {
    const s = this.room.state;
    const you = this.room.you || {};
    const seat = you.role === "player" ? you.seat : null;
    const mine = s.status === "playing" && s.turn === seat;
    const data = {
      status: s.status, cols: s.rules.cols, cells: cells(s), mine,
      players: s.players.map((p) => ({ seat: p.seat, name: p.name, score: p.score, on: p.connected, turn: s.status === "playing" && s.turn === p.seat, cls: "s" + (p.seat % 8) })),
      turnText: s.status === "waiting" ? "等待玩家 Waiting for players" : s.status === "playing" ? (mine ? "轮到你 Your turn" : (s.players[s.turn] || {}).name + " 在挖 is digging") : "游戏结束 Game over",
      canRematch: s.status === "finished" && seat !== null && !(s.players[seat] || {}).rematch,
      result: s.result ? { ranking: s.result.ranking } : null
    };
    this.setData(data);
    if (s.result && !this.checked) {
      this.checked = true;
      // No SubtleCrypto in mini-programs: show the values to check
      // elsewhere (any SHA-256 tool: salt + ":" + layout).
      this.setData({ fair: "commitment " + s.result.commitment.slice(0, 16) + "… · salt " + s.result.salt });
    }
    if (s.status !== "finished") this.checked = false;
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

  start() { this.room.start(); },
  rematch() { this.room.rematch(); },
  leave() { this.room.leave(); wx.navigateBack(); },

  onShareAppMessage() {
    return { title: "来挖金子 · Dig gold with me", path: "/pages/game/game?id=" + this.data.id };
  }
});
