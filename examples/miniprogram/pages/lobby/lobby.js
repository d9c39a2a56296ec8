const app = getApp();

Page({
  data: {
    named: false,
    name: "",
    code: "",
    presets: ["classic", "flags", "party"],
    presetLabels: ["经典 Classic 9×9", "Flags 16×16", "派对 Party 14×14"],
    preset: 0,
    rooms: [],
    error: "",
    searching: false,
    elapsed: 0
  },

  onShow() {
    const client = app.globalData.client;
    this.setData({ named: !!client.token, name: client.player ? client.player.name : "" });
    if (client.token) this.refresh();
    this.timer = setInterval(() => { if (app.globalData.client.token) this.refresh(); }, 3000);
  },

  onHide() { clearInterval(this.timer); },
  onUnload() { clearInterval(this.timer); this.cancelMatch(); },

  // Quick match: the main button. The SDK long-polls the queue and
  // resolves with the joined room, against a person of the player's rating
  // or, after 20 s, a bot of it. Mini-programs may lack AbortController:
  // the SDK only needs a signal with aborted and addEventListener.
  quickMatch() {
    const preset = this.data.presets[this.data.preset];
    const signal = { aborted: false, fns: [], addEventListener(_, fn) { this.fns.push(fn); }, removeEventListener() {} };
    this.signal = signal;
    const started = Date.now();
    this.setData({ searching: true, elapsed: 0, error: "" });
    this.clock = setInterval(() => this.setData({ elapsed: Math.floor((Date.now() - started) / 1000) }), 1000);
    app.globalData.client.quickMatch({ preset, signal }).then((room) => {
      clearInterval(this.clock);
      this.setData({ searching: false });
      app.globalData.matched = room;
      wx.navigateTo({ url: "/pages/game/game?id=" + room.id + "&matched=1" });
    }, (e) => {
      clearInterval(this.clock);
      this.setData({ searching: false, error: e.code === "aborted" ? "" : e.message });
    });
  },

  cancelMatch() {
    const signal = this.signal;
    if (!signal || signal.aborted) return;
    signal.aborted = true;
    signal.fns.forEach((fn) => fn());
  },

  onName(e) { this.setData({ name: e.detail.value }); },
  onCode(e) { this.setData({ code: e.detail.value.trim().toUpperCase() }); },
  onPreset(e) { this.setData({ preset: Number(e.detail.value) }); },

  // Play with a name, or with the WeChat account (needs --wechat-appid and
  // --wechat-secret on the server).
  saveName() {
    const client = app.globalData.client;
    client.createPlayer(this.data.name).then((p) => this.remember(p), (e) => this.setData({ error: e.message }));
  },

  loginWeChat() {
    const client = app.globalData.client;
    wx.login({
      success: (res) => client.loginWeChat(res.code, this.data.name).then((p) => this.remember(p), (e) => this.setData({ error: e.message })),
      fail: (e) => this.setData({ error: e.errMsg })
    });
  },

  remember(p) {
    wx.setStorageSync("goldmine.player", { token: p.token, player_id: p.player_id, name: p.name });
    this.setData({ named: true, name: p.name, error: "" });
    this.refresh();
  },

  refresh() {
    // Only rooms someone is in: abandoned ones wait out their idle timeout unlisted.
    app.globalData.client.listRooms({ status: "waiting", occupied: true }).then(
      (rooms) => this.setData({ rooms: rooms.filter((r) => r.players < r.max_players) }),
      () => {}
    );
  },

  create() {
    const preset = this.data.presets[this.data.preset];
    app.globalData.client.createRoom({ preset }).then(
      (snap) => wx.navigateTo({ url: "/pages/game/game?id=" + snap.id }),
      (e) => this.setData({ error: e.message })
    );
  },

  join(e) {
    const id = e.currentTarget.dataset.id || this.data.code;
    if (!/^([23456789A-HJ-NP-Z]{6}|[23456789A-HJ-NP-Z]{16})$/.test(id)) {
      this.setData({ error: "房间号是6位（私人房间16位）字母和数字 · A room code has 6 letters and digits (16 for a private room)" });
      return;
    }
    wx.navigateTo({ url: "/pages/game/game?id=" + id });
  }
});
