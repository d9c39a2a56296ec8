// The app holds one Goldmine client for every page. Set SERVER to your
// server's HTTPS address: its domain must be in the mini-program's
// request and socket domain lists (see README.md).
const Goldmine = require("./utils/goldmine.js");

const SERVER = "https://play.example.com";

App({
  globalData: { client: null, room: null },

  onLaunch() {
    const client = new Goldmine.Client({ baseURL: SERVER });
    const saved = wx.getStorageSync("goldmine.player");
    if (saved && saved.token) {
      client.token = saved.token;
      client.player = { player_id: saved.player_id, name: saved.name };
    }
    this.globalData.client = client;
  },

  // WeChat cuts sockets a few seconds after the app goes to the
  // background. Close ours cleanly instead, and reconnect on return: the
  // seat waits on the server (2 minutes by default), and the SDK resyncs
  // from a snapshot whatever happened meanwhile.
  onHide() {
    if (this.globalData.room) this.globalData.room.onHide();
  },
  onShow() {
    if (this.globalData.room) this.globalData.room.onShow();
  }
});
