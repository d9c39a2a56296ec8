// fakeWx plays the part of WeChat's `wx` object, which exists only inside
// WeChat: connectSocket returns a SocketTask that wraps a real WebSocket,
// and request wraps fetch, so that everything behind them is real. It also
// keeps storage in memory, and records navigation and toasts.
export function fakeWx() {
  const storage = new Map();
  const wx = {
    tasks: [],
    navigations: [],
    toasts: [],
    loginCode: "wx-login-code",
    connectSocket({ url }) {
      const ws = new WebSocket(url);
      const task = {
        onOpen(f) { ws.addEventListener("open", () => f({})); },
        onMessage(f) { ws.addEventListener("message", (e) => f({ data: e.data })); },
        onError(f) { ws.addEventListener("error", () => f({ errMsg: "error" })); },
        onClose(f) { ws.addEventListener("close", (e) => f({ code: e.code, reason: e.reason })); },
        send({ data }) { if (typeof data !== "string") throw new Error("wx sockets here send strings"); ws.send(data); },
        close({ code, reason }) { ws.close(code, reason); }
      };
      wx.tasks.push(task);
      return task;
    },
    request({ url, method, data, header, success, fail }) {
      fetch(url, { method, headers: header, body: data === undefined ? undefined : JSON.stringify(data) })
        .then(async (res) => {
          // As wx.request with dataType json: a body that is not JSON (a
          // 204's empty one) comes as the raw string.
          const text = await res.text();
          let body = text;
          try { body = JSON.parse(text); } catch (e) { /* kept raw */ }
          success({ statusCode: res.status, data: body });
        }, (e) => fail({ errMsg: String(e) }));
    },
    login({ success }) { setTimeout(() => success({ code: wx.loginCode }), 0); },
    getStorageSync(key) { return storage.has(key) ? storage.get(key) : ""; },
    setStorageSync(key, value) { storage.set(key, JSON.parse(JSON.stringify(value))); },
    navigateTo({ url }) { wx.navigations.push(url); },
    navigateBack() { wx.navigations.push("back"); },
    showToast(opts) { wx.toasts.push(opts); }
  };
  return wx;
}
