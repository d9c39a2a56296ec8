/*!
 * Goldmine SDK: protocol v1 for browsers, WeChat mini-programs and Node 20+.
 * No dependencies, ES2017. Served by every Goldmine server at /sdk/goldmine.js.
 *
 * Browser:      <script src="/sdk/goldmine.js"></script>  -> window.Goldmine
 * Mini-program: const Goldmine = require("./goldmine.js")
 * Node:         const Goldmine = require("./goldmine.js") (Node 22, or 20 with --experimental-websocket)
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.Goldmine = api;
  }
})(typeof globalThis !== "undefined" ? globalThis : this, function () {
  "use strict";

  var VERSION = "0.1.0";

  // Close codes after which reconnecting would be wrong: the member left,
  // the room closed, another connection took the seat, an admin kicked or
  // banned the player.
  var FINAL_CLOSE = { 1000: "left", 4000: "room closed", 4001: "replaced", 4002: "kicked", 4003: "banned" };

  var DEFAULTS = {
    reconnect: true,          // reconnect after an unexpected close
    maxAttempts: 10,          // reconnect attempts before giving up
    backoffBase: 500,         // ms before the first retry
    backoffMax: 30000,        // ms, the longest wait between retries
    heartbeat: 20000,         // ms between pings: WeChat and proxies cut idle sockets
    heartbeatTimeout: 45000,  // ms without any frame before the socket counts as dead
    queueLimit: 100,          // messages kept while disconnected
    digTimeout: 15000         // ms before a dig without an answer is rejected
  };

  function assign(target) {
    for (var i = 1; i < arguments.length; i++) {
      var src = arguments[i];
      if (!src) continue;
      for (var k in src) {
        if (Object.prototype.hasOwnProperty.call(src, k)) target[k] = src[k];
      }
    }
    return target;
  }

  // GoldmineError carries a protocol error code ("not_your_turn", ...).
  function GoldmineError(code, message, extra) {
    var e = new Error(message || code);
    e.name = "GoldmineError";
    e.code = code;
    if (extra) assign(e, extra);
    return e;
  }

  // --- Events -------------------------------------------------------------

  function Emitter() { this._handlers = {}; }
  Emitter.prototype.on = function (event, fn) {
    (this._handlers[event] = this._handlers[event] || []).push(fn);
    var self = this;
    return function off() { self.off(event, fn); };
  };
  Emitter.prototype.off = function (event, fn) {
    var list = this._handlers[event];
    if (!list) return;
    var i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  };
  Emitter.prototype.emit = function (event, payload) {
    var list = (this._handlers[event] || []).slice();
    for (var i = 0; i < list.length; i++) {
      try { list[i](payload); } catch (err) { if (typeof console !== "undefined") console.error(err); }
    }
  };

  // --- Environment ------------------------------------------------------------

  function inWeChat() {
    return typeof wx === "object" && wx !== null && typeof wx.connectSocket === "function";
  }

  function defaultTimers() {
    return {
      setTimeout: function (f, ms) { return setTimeout(f, ms); },
      clearTimeout: function (id) { clearTimeout(id); },
      setInterval: function (f, ms) { return setInterval(f, ms); },
      clearInterval: function (id) { clearInterval(id); },
      now: function () { return Date.now(); }
    };
  }

  // Transports all look like this to the Room:
  //   t = transport(url); t.onopen(); t.onmessage(text); t.onclose({code, reason}); t.onerror(err)
  //   t.send(text); t.close(code, reason)

  // closer returns the transport's close handler, called once at most. An
  // error before the socket opened counts as its close (1006): some
  // WebSocket implementations (Node 20's) never fire close for a refused
  // connection, and the room would wait for it forever.
  function closer(t) {
    var opened = false, closed = false;
    function close(ev) {
      if (closed) return;
      closed = true;
      if (t.onclose) t.onclose(ev);
    }
    return {
      open: function () { opened = true; },
      error: function () { if (!opened) close({ code: 1006, reason: "could not connect" }); },
      close: close
    };
  }

  function browserTransport(url) {
    var ws = new WebSocket(url);
    var t = { onopen: null, onmessage: null, onclose: null, onerror: null };
    var c = closer(t);
    ws.onopen = function () { c.open(); if (t.onopen) t.onopen(); };
    ws.onmessage = function (ev) { if (t.onmessage) t.onmessage(typeof ev.data === "string" ? ev.data : String(ev.data)); };
    ws.onerror = function (ev) { if (t.onerror) t.onerror(ev); c.error(); };
    ws.onclose = function (ev) { c.close({ code: ev.code, reason: ev.reason }); };
    t.send = function (text) { ws.send(text); };
    t.close = function (code, reason) { try { ws.close(code, reason); } catch (e) { ws.close(); } };
    return t;
  }

  // weChatTransport wraps wx.connectSocket's SocketTask: strings only.
  function weChatTransport(url) {
    var t = { onopen: null, onmessage: null, onclose: null, onerror: null };
    var task = wx.connectSocket({ url: url });
    var c = closer(t);
    task.onOpen(function () { c.open(); if (t.onopen) t.onopen(); });
    task.onMessage(function (res) { if (t.onmessage) t.onmessage(typeof res.data === "string" ? res.data : ""); });
    task.onError(function (err) { if (t.onerror) t.onerror(err); c.error(); });
    task.onClose(function (res) { c.close({ code: res && res.code, reason: res && res.reason }); });
    t.send = function (text) { task.send({ data: text }); };
    t.close = function (code, reason) { task.close({ code: code || 1000, reason: reason || "" }); };
    return t;
  }

  function defaultTransport() {
    if (inWeChat()) return weChatTransport;
    if (typeof WebSocket === "function") return browserTransport;
    throw GoldmineError("no_transport", "no WebSocket here: on Node 20, run with --experimental-websocket, or pass a transport");
  }

  // HTTP: fetch in browsers and Node, wx.request in mini-programs.
  function defaultRequest() {
    if (inWeChat() && typeof wx.request === "function") {
      return function (opts) {
        return new Promise(function (resolve, reject) {
          wx.request({
            url: opts.url, method: opts.method, data: opts.body, header: opts.headers,
            dataType: "json",
            success: function (res) { resolve({ status: res.statusCode, body: res.data }); },
            fail: function (err) { reject(GoldmineError("network", (err && err.errMsg) || "request failed")); }
          });
        });
      };
    }
    if (typeof fetch === "function") {
      return function (opts) {
        return fetch(opts.url, { method: opts.method, headers: opts.headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) })
          .then(function (res) {
            return res.text().then(function (text) {
              var body = null;
              try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
              return { status: res.status, body: body };
            });
          }, function (err) { throw GoldmineError("network", err && err.message); });
      };
    }
    throw GoldmineError("no_http", "no fetch or wx.request here: pass options.request");
  }

  // --- Client -------------------------------------------------------------------

  // Client talks to one server. options: baseURL (required outside a page
  // served by Goldmine), token, request, transport, timers, random, and the
  // Room options (see DEFAULTS).
  function Client(options) {
    options = options || {};
    var base = options.baseURL;
    if (!base && typeof location !== "undefined" && location.origin) base = location.origin;
    if (!base) throw GoldmineError("no_base_url", "options.baseURL is required here");
    this.baseURL = String(base).replace(/\/+$/, "");
    this.token = options.token || null;
    this.player = null;
    this.clustered = false; // set once an answer names a cluster node
    this.options = options;
    this._request = options.request || defaultRequest();
  }

  Client.prototype.wsURL = function () {
    return this.baseURL.replace(/^http/, "ws") + "/ws";
  };

  Client.prototype.http = function (method, path, body) {
    var self = this;
    var headers = { "Content-Type": "application/json" };
    if (this.token) headers.Authorization = "Bearer " + this.token;
    return this._request({ method: method, url: this.baseURL + path, headers: headers, body: body }).then(function (res) {
      if (res.status >= 200 && res.status < 300) {
        var b = res.body;
        // A clustered server names the node of each room it answers for.
        if (b && (b.node || (b.rooms && b.rooms[0] && b.rooms[0].node))) self.clustered = true;
        return b;
      }
      var err = res.body && res.body.error;
      throw GoldmineError(err ? err.code : "http_" + res.status, err ? err.message : "HTTP " + res.status, { status: res.status });
    });
  };

  // createPlayer makes a player and keeps its token for what follows.
  Client.prototype.createPlayer = function (name) {
    var self = this;
    return this.http("POST", "/api/players", { name: name }).then(function (p) {
      self.token = p.token;
      self.player = { player_id: p.player_id, name: p.name };
      return p;
    });
  };

  // loginWeChat trades a wx.login code for a player (the server must be
  // configured with the mini-program's appid and secret).
  Client.prototype.loginWeChat = function (code, name) {
    var self = this;
    return this.http("POST", "/api/players/wechat", { code: code, name: name }).then(function (p) {
      self.token = p.token;
      self.player = { player_id: p.player_id, name: p.name };
      return p;
    });
  };

  // listRooms lists the public rooms. Its argument is a status
  // ("waiting", "playing", "finished") or {status, limit, occupied}:
  // occupied: true keeps only the rooms someone is connected to.
  Client.prototype.listRooms = function (opts) {
    if (typeof opts === "string") opts = { status: opts };
    opts = opts || {};
    var q = [];
    if (opts.status) q.push("status=" + encodeURIComponent(opts.status));
    if (opts.limit) q.push("limit=" + encodeURIComponent(opts.limit));
    if (opts.occupied) q.push("occupied=1");
    return this.http("GET", "/api/rooms" + (q.length ? "?" + q.join("&") : "")).then(function (r) { return r.rooms; });
  };

  Client.prototype.getRoom = function (id) {
    return this.http("GET", "/api/rooms/" + encodeURIComponent(id));
  };

  // createRoom: {preset, name, rows, cols, gold, max_players, turn_seconds,
  // extra_turn_on_gold, end_when_decided, private}. Resolves with the room
  // snapshot; join it with join(snapshot.id).
  Client.prototype.createRoom = function (opts) {
    return this.http("POST", "/api/rooms", opts || {});
  };

  // addBot seats a bot ("easy", "normal" or "hard") in a waiting room you
  // created. Resolves with {player_id, name, bot, level}.
  Client.prototype.addBot = function (roomID, level) {
    return this.http("POST", "/api/rooms/" + encodeURIComponent(roomID) + "/bots", { level: level || "normal" });
  };

  // me returns who the client's token signs in: {player_id, name, ...}.
  Client.prototype.me = function () {
    return this.http("GET", "/api/players/me");
  };

  // rename gives the client's player a new name, keeping its id and
  // stats. Resolves with {player_id, name}.
  Client.prototype.rename = function (name) {
    var self = this;
    return this.http("PATCH", "/api/players/me", { name: name }).then(function (p) {
      if (self.player) self.player.name = p.name;
      return p;
    });
  };

  // getPlayer returns a player's public profile: {player_id, name, games,
  // wins, gold, bot, created_at}. (Not "player": client.player is the
  // signed-in player, {player_id, name}, since the first SDK.)
  Client.prototype.getPlayer = function (id) {
    return this.http("GET", "/api/players/" + encodeURIComponent(id));
  };

  // games lists finished games, newest first: {player, limit, before}.
  // Resolves with {games, next_before}; pass next_before as before for
  // the next page (null: there is none).
  Client.prototype.games = function (opts) {
    opts = opts || {};
    var q = [];
    if (opts.player) q.push("player=" + encodeURIComponent(opts.player));
    if (opts.limit) q.push("limit=" + encodeURIComponent(opts.limit));
    if (opts.before !== undefined && opts.before !== null) q.push("before=" + encodeURIComponent(opts.before));
    return this.http("GET", "/api/games" + (q.length ? "?" + q.join("&") : ""));
  };

  // game returns one finished game with its moves, layout and salt.
  Client.prototype.game = function (id) {
    return this.http("GET", "/api/games/" + encodeURIComponent(id));
  };

  // presets lists the presets rooms can be created from.
  Client.prototype.presets = function () {
    return this.http("GET", "/api/presets").then(function (r) { return r.presets; });
  };

  Client.prototype.leaderboard = function (period) {
    return this.http("GET", "/api/leaderboard" + (period ? "?period=" + period : "")).then(function (r) { return r.players; });
  };

  // quickMatch queues for a game against someone of your rating (POST
  // /api/match, long polls, called again after each "waiting") and
  // resolves with the joined Room (after its welcome) once matched; the
  // Room's `match` is the server's answer ({players, bot, ...}). Options:
  // preset (default "classic"), signal (an AbortSignal: aborting leaves the
  // queue with DELETE /api/match and rejects with code "aborted"), wait_s
  // (each poll's wait, default 25), onWaiting(waited_ms), and Room options.
  // A bot of your strength takes the other seat if nobody comes in time.
  Client.prototype.quickMatch = function (opts) {
    opts = opts || {};
    var self = this;
    var signal = opts.signal;
    var body = { preset: opts.preset || "classic" };
    if (opts.wait_s !== undefined) body.wait_s = opts.wait_s;
    var roomOpts = assign({}, opts, { as: "player" });
    delete roomOpts.signal; delete roomOpts.preset; delete roomOpts.wait_s; delete roomOpts.onWaiting;
    return new Promise(function (resolve, reject) {
      var done = false;
      var room = null;
      function finish(err, value) {
        if (done) return;
        done = true;
        if (signal && signal.removeEventListener) signal.removeEventListener("abort", onAbort);
        if (err) reject(err); else resolve(value);
      }
      function onAbort() {
        if (done) return;
        if (room) room.close();
        // The server answers the poll in flight with "cancelled".
        self.http("DELETE", "/api/match").catch(function () {});
        finish(GoldmineError("aborted", "quick match cancelled"));
      }
      if (signal) {
        if (signal.aborted) return onAbort();
        signal.addEventListener("abort", onAbort);
      }
      function poll() {
        if (done) return;
        self.http("POST", "/api/match", body).then(function (r) {
          if (done) return;
          if (r.status === "waiting") {
            if (opts.onWaiting) { try { opts.onWaiting(r.waited_ms); } catch (e) { if (typeof console !== "undefined") console.error(e); } }
            return poll();
          }
          if (r.status !== "matched") return finish(GoldmineError("cancelled", "left the queue"));
          room = new Room(self, r.room.id, assign({}, self.options, roomOpts));
          room.match = r;
          // In a cluster the room may be on another node: its ws_url.
          if (r.room.node && r.room.ws_url) room._wsURL = r.room.ws_url;
          var offWelcome = room.on("welcome", function () { offWelcome(); offClosed(); finish(null, room); });
          var offClosed = room.on("closed", function (ev) {
            offWelcome(); offClosed();
            finish(GoldmineError("closed", "the matched room closed before the welcome", { event: ev }));
          });
          room.connect();
        }, function (err) { finish(err); });
      }
      poll();
    });
  };

  // join opens a Room: {as: "player" | "spectator"} and Room options.
  Client.prototype.join = function (roomID, options) {
    if (!this.token) throw GoldmineError("no_token", "create a player (or set a token) before joining");
    var room = new Room(this, roomID, assign({}, this.options, options || {}));
    room.connect();
    return room;
  };

  // --- Room ---------------------------------------------------------------------

  // Room is one room, kept in sync: room.state is the public snapshot of
  // protocol v1, updated by every event. Events: "welcome", "state" (after
  // any change), each protocol event by its type ("dug", "game_over", ...),
  // "error", "status" (connecting | open | reconnecting | paused | closed),
  // "reconnecting" ({attempt, delay}), "reconnected", "gave_up", "closed",
  // "seat_lost", "redirect" ({node, ws_url}: a cluster sent the room's hello
  // to the node that owns it). Option locate: false skips asking the room
  // API where the room is before each reconnect.
  function Room(client, id, options) {
    Emitter.call(this);
    this.client = client;
    this.id = String(id).toUpperCase();
    this.options = assign({}, DEFAULTS, options);
    this.role = this.options.as || "player";
    this.timers = this.options.timers || defaultTimers();
    this.random = this.options.random || Math.random;
    this.makeTransport = this.options.transport || defaultTransport();
    this.state = null;
    this.you = null;
    this.status = "idle";
    this.messages = []; // the last chat lines
    this._t = null;
    this._queue = [];
    this._pending = {};
    // Dig ids must never repeat for a seat within a game, across
    // reconnections and page reloads alike: a new Room (a reloaded page)
    // gets a new prefix.
    this._idPrefix = Math.floor(this.random() * 2176782336).toString(36) + Math.floor(this.timers.now()).toString(36).slice(-4) + "-";
    this._nextID = 1;
    this._attempt = 0;
    this._retryTimer = null;
    // _wsURL is the room's node, once the server said (wrong_node, or the
    // room API in a cluster); null means the client's base URL.
    this._wsURL = null;
    this._redirects = 0;
    this._beat = null;
    this._lastFrame = 0;
    this._welcomed = false;
    this._everOpen = false;
    this._stopped = false;
    this._paused = false;
  }
  Room.prototype = Object.create(Emitter.prototype);
  Room.prototype.constructor = Room;

  Room.prototype._setStatus = function (s) {
    if (this.status === s) return;
    this.status = s;
    this.emit("status", s);
  };

  Room.prototype.connect = function () {
    var self = this;
    if (this._stopped || this._paused) return;
    this._setStatus(this._everOpen ? "reconnecting" : "connecting");
    var t;
    try {
      t = this.makeTransport(this._wsURL || this.client.wsURL());
    } catch (err) {
      this.emit("error", err);
      this._retry();
      return;
    }
    this._t = t;
    this._welcomed = false;
    t.onopen = function () {
      if (self._t !== t) return;
      self._lastFrame = self.timers.now();
      t.send(JSON.stringify({ type: "hello", token: self.client.token, room: self.id, as: self.role }));
      self._startHeartbeat();
    };
    t.onmessage = function (text) {
      if (self._t !== t) return;
      self._lastFrame = self.timers.now();
      var f;
      try { f = JSON.parse(text); } catch (e) { return; }
      self._frame(f);
    };
    t.onerror = function (err) {
      if (self._t !== t) return;
      self.emit("transport_error", err);
    };
    t.onclose = function (ev) {
      if (self._t !== t) return;
      self._dropped(ev || {});
    };
  };

  // _dropped handles the end of a socket: reconnect, unless the close was
  // final, or asked for.
  Room.prototype._dropped = function (ev) {
    this._t = null;
    this._stopHeartbeat();
    if (this._stopped || this._paused) return;
    // Every unasked-for end of a socket, with its close code, before the
    // reconnect or the final "closed": what a page says while it waits.
    this.emit("dropped", { code: ev.code, reason: ev.reason || FINAL_CLOSE[ev.code] || "" });
    if (FINAL_CLOSE[ev.code]) {
      this._stopped = true;
      this._rejectAll("closed");
      this._setStatus("closed");
      this.emit("closed", { code: ev.code, reason: ev.reason || FINAL_CLOSE[ev.code] });
      return;
    }
    if (!this.options.reconnect) {
      this._stopped = true;
      this._setStatus("closed");
      this.emit("closed", ev);
      return;
    }
    this._retry();
  };

  // _retry waits base·2^attempt, at most backoffMax, with full jitter over
  // its upper half, and connects again; after maxAttempts it gives up.
  Room.prototype._retry = function () {
    var self = this;
    if (this._attempt >= this.options.maxAttempts) {
      this._stopped = true;
      this._rejectAll("gave_up");
      this._setStatus("closed");
      this.emit("gave_up", { attempts: this._attempt });
      return;
    }
    var delay = this.backoff(this._attempt);
    this._attempt++;
    this._setStatus("reconnecting");
    this.emit("reconnecting", { attempt: this._attempt, delay: delay });
    this._retryTimer = this.timers.setTimeout(function () {
      self._retryTimer = null;
      self._locate(function () { self.connect(); });
    }, delay);
  };

  // _locate asks the room API where the room lives before a reconnect: in
  // a cluster, the node it was on may have died and another adopted it
  // (the API of any live node adopts it on the spot). The room's ws_url is
  // used only from a clustered server (one that names its node); a single
  // server's is its own base URL, and a room never sent elsewhere on a
  // server not known to be clustered reconnects without asking. Whatever
  // the answer, cb runs.
  Room.prototype._locate = function (cb) {
    var self = this;
    if (this.options.locate === false || (this._wsURL === null && !this.client.clustered)) return cb();
    this.client.http("GET", "/api/rooms/" + encodeURIComponent(this.id)).then(function (snap) {
      if (snap && snap.node && snap.ws_url) self._wsURL = snap.ws_url;
    }, function () {
      // The API is down too, or the room is gone: the hello will tell.
    }).then(function () {
      if (!self._stopped && !self._paused && self._t === null && self._retryTimer === null) cb();
    });
  };

  // backoff is the wait before retry number attempt (from 0).
  Room.prototype.backoff = function (attempt) {
    var ceiling = Math.min(this.options.backoffMax, this.options.backoffBase * Math.pow(2, attempt));
    return Math.round(ceiling / 2 + this.random() * ceiling / 2);
  };

  Room.prototype._startHeartbeat = function () {
    var self = this;
    this._stopHeartbeat();
    if (!this.options.heartbeat) return;
    this._beat = this.timers.setInterval(function () {
      if (!self._t) return;
      if (self.timers.now() - self._lastFrame > self.options.heartbeatTimeout) {
        // Nothing came back for too long: the socket is dead even if it
        // does not know it yet (a phone that changed networks).
        self.emit("heartbeat_lost", {});
        var t = self._t;
        self._t = null;
        try { t.close(4005, "heartbeat lost"); } catch (e) { /* already gone */ }
        self._dropped({ code: 1006, reason: "heartbeat lost" });
        return;
      }
      self._send({ type: "ping", t: self.timers.now() }, true);
    }, this.options.heartbeat);
  };

  Room.prototype._stopHeartbeat = function () {
    if (this._beat !== null) this.timers.clearInterval(this._beat);
    this._beat = null;
  };

  // _send writes a message now if the room is open, or queues it, in
  // order, to be flushed when it opens again. direct messages (pings) are
  // never queued.
  Room.prototype._send = function (msg, direct) {
    if (this._t && (this._welcomed || direct || msg.type === "hello")) {
      this._t.send(JSON.stringify(msg));
      return true;
    }
    if (direct) return false;
    if (this._queue.length >= this.options.queueLimit) {
      this.emit("error", GoldmineError("queue_full", "too many messages while disconnected; dropped " + msg.type));
      return false;
    }
    this._queue.push(msg);
    return true;
  };

  Room.prototype._flush = function () {
    var q = this._queue;
    this._queue = [];
    for (var i = 0; i < q.length; i++) {
      this._t.send(JSON.stringify(q[i]));
      if (q[i].type === "dig" && this._pending[q[i].id]) this._pending[q[i].id].sent = true;
    }
  };

  Room.prototype._frame = function (f) {
    switch (f.type) {
      case "welcome":
        this._welcomed = true;
        this.you = f.you;
        this.state = f.room;
        if (f.room.chat) this.messages = f.room.chat.slice(); // the room's recent chat (an addition)
        var again = this._everOpen;
        this._everOpen = true;
        this._attempt = 0;
        this._redirects = 0;
        this._setStatus("open");
        this._resendPending();
        this._flush();
        this.emit("welcome", f);
        this.emit("state", this.state);
        if (again) this.emit("reconnected", f);
        return;
      case "snapshot":
        this.state = f.room;
        if (f.room.chat) this.messages = f.room.chat.slice();
        this.emit("snapshot", f);
        this.emit("state", this.state);
        return;
      case "pong":
        this.emit("pong", f);
        return;
      case "spectators":
        // No seq: a count, not an event of the room's log (an addition).
        if (this.state) this.state.spectators = f.count;
        this.emit("spectators", f);
        this.emit("state", this.state);
        return;
      case "error":
        this._error(f);
        return;
    }
    if (typeof f.seq === "number" && this.state) {
      if (f.seq <= this.state.seq) return; // a repeat
      if (f.seq !== this.state.seq + 1) {
        // A gap: an event was lost. Ask for the whole room again and
        // apply nothing until it comes.
        this.emit("gap", { expected: this.state.seq + 1, got: f.seq });
        this._send({ type: "resync" }, true);
        return;
      }
      applyEvent(this.state, f);
      if (f.type === "chat") {
        this.messages.push(f);
        if (this.messages.length > 100) this.messages.shift();
      }
    } else if (f.type === "presence" && this.state && this.state.players[f.seat]) {
      // A presence the server could not store comes without a seq: it
      // is applied, and the seq does not move.
      this.state.players[f.seat].connected = f.connected;
    }
    if (f.type === "dug" && f.id !== null && f.id !== undefined) this._settle(String(f.id), null, f);
    this.emit(f.type, f);
    this.emit("state", this.state);
  };

  Room.prototype._error = function (f) {
    var err = GoldmineError(f.code, f.message);
    if (f.id !== undefined && f.id !== null && this._pending[String(f.id)]) {
      if (f.code === "duplicate_move") {
        // Applied before a reconnect: the snapshot already shows it.
        this._settle(String(f.id), null, { type: "dug", id: f.id, duplicate: true });
      } else {
        this._settle(String(f.id), err, null);
      }
      return;
    }
    // A refused hello as a player: the seat is gone (the game went on
    // without us). Come back as a spectator to keep watching.
    if (!this._welcomed && this.role === "player" && (f.code === "room_full" || f.code === "not_a_player")) {
      this.role = "spectator";
      this.emit("seat_lost", err);
      this._send({ type: "hello", token: this.client.token, room: this.id, as: "spectator" }, true);
      return;
    }
    // The room lives on another node of a cluster: go there. A few
    // redirects in a row are normal while a room moves; more back off.
    if (!this._welcomed && f.code === "wrong_node" && f.ws_url) {
      this._wsURL = f.ws_url;
      this.emit("redirect", { node: f.node, ws_url: f.ws_url });
      var t = this._t;
      this._t = null;
      this._stopHeartbeat();
      if (t) t.close(1000, "wrong node");
      if (++this._redirects <= 3) this.connect();
      else this._retry();
      return;
    }
    if (!this._welcomed && (f.code === "unauthorized" || f.code === "unknown_room")) {
      this._stopped = true;
      this._rejectAll(f.code);
      if (this._t) this._t.close(1000, f.code);
      this._setStatus("closed");
    }
    this.emit("error", err);
  };

  Room.prototype._settle = function (id, err, value) {
    var p = this._pending[id];
    if (!p) return;
    delete this._pending[id];
    if (p.timer !== null) this.timers.clearTimeout(p.timer);
    if (err) p.reject(err); else p.resolve(value);
  };

  Room.prototype._rejectAll = function (code) {
    for (var id in this._pending) {
      if (Object.prototype.hasOwnProperty.call(this._pending, id)) this._settle(id, GoldmineError(code), null);
    }
  };

  // _resendPending sends again, with the same ids, the digs that were in
  // flight when the socket dropped: one that was applied gets
  // duplicate_move, which resolves it.
  Room.prototype._resendPending = function () {
    for (var id in this._pending) {
      if (Object.prototype.hasOwnProperty.call(this._pending, id) && this._pending[id].sent) {
        this._t.send(JSON.stringify(this._pending[id].msg));
      }
    }
  };

  // dig digs (row, col). It resolves with the dug event, or rejects with
  // an error whose code is the protocol's ("not_your_turn", ...).
  Room.prototype.dig = function (row, col) {
    var self = this;
    var id = this._idPrefix + this._nextID++;
    var msg = { type: "dig", row: row, col: col, id: id };
    return new Promise(function (resolve, reject) {
      // sent: handed to a live socket, so to be sent again after a drop.
      var p = { resolve: resolve, reject: reject, msg: msg, sent: false, timer: null };
      self._pending[id] = p;
      p.timer = self.timers.setTimeout(function () {
        p.timer = null;
        var i = self._queue.indexOf(msg);
        if (i >= 0) self._queue.splice(i, 1); // never send a dig its caller gave up on
        self._settle(id, GoldmineError("timeout", "no answer to the dig"), null);
      }, self.options.digTimeout);
      if (self._t && self._welcomed) {
        self._t.send(JSON.stringify(msg));
        p.sent = true;
      } else if (!self._send(msg)) {
        self._settle(id, GoldmineError("queue_full", "too many messages while disconnected"), null);
      }
    });
  };

  // start starts the game. It resolves on game_started, or at once when
  // the game is already running (a room that fills up starts by itself);
  // it rejects with the server's error (not_enough_players, ...) or when
  // the room closes.
  Room.prototype.start = function () {
    var self = this;
    return new Promise(function (resolve, reject) {
      if (self.state && self.state.status === "playing") { resolve(self.state); return; }
      var offs = [];
      function done(fn, v) { offs.forEach(function (off) { off(); }); fn(v); }
      offs.push(self.on("game_started", function () { done(resolve, self.state); }));
      offs.push(self.on("state", function (s) { if (s && s.status === "playing") done(resolve, s); }));
      offs.push(self.on("closed", function () { done(reject, GoldmineError("closed", "the room closed")); }));
      offs.push(self.on("error", function (e) {
        if (e.code === "already_started") {
          if (self.state && self.state.status === "playing") done(resolve, self.state);
          else if (self.state && self.state.status === "finished") done(reject, e); // over: rematch instead
          return; // otherwise the game_started on its way settles it
        }
        if (e.code === "not_enough_players" || e.code === "not_a_player" || e.code === "not_started" || e.code === "unavailable") done(reject, e);
      }));
      self._send({ type: "start" });
    });
  };
  Room.prototype.rematch = function () { this._send({ type: "rematch" }); };
  Room.prototype.chat = function (text) { this._send({ type: "chat", text: text }); };
  Room.prototype.resync = function () { this._send({ type: "resync" }); };

  // leave frees the seat (or forfeits, during a game) and closes.
  Room.prototype.leave = function () {
    this._send({ type: "leave" });
    this._stopped = true;
  };

  // close stops for good: no reconnecting.
  Room.prototype.close = function () {
    this._stopped = true;
    if (this._retryTimer !== null) this.timers.clearTimeout(this._retryTimer);
    this._retryTimer = null;
    this._stopHeartbeat();
    this._rejectAll("closed");
    if (this._t) {
      var t = this._t;
      this._t = null;
      t.close(1000, "bye");
    }
    this._setStatus("closed");
    this.emit("closed", { code: 1000, reason: "closed by the client" });
  };

  // onHide is for a mini-program's App/Page onHide: close the socket
  // cleanly instead of letting WeChat cut it, and do not reconnect in the
  // background. The seat waits for the reconnect grace.
  Room.prototype.onHide = function () {
    if (this._stopped) return;
    this._paused = true;
    if (this._retryTimer !== null) this.timers.clearTimeout(this._retryTimer);
    this._retryTimer = null;
    this._stopHeartbeat();
    if (this._t) {
      var t = this._t;
      this._t = null;
      t.close(1000, "background");
    }
    this._setStatus("paused");
  };

  // onShow is for onShow: reconnect and resync, however long it has been.
  Room.prototype.onShow = function () {
    if (this._stopped || !this._paused) return;
    this._paused = false;
    this._attempt = 0;
    this.connect();
  };

  // --- State ------------------------------------------------------------------

  function emptyBoard(rows, cols) {
    var b = [];
    for (var r = 0; r < rows; r++) {
      var row = [];
      for (var c = 0; c < cols; c++) row.push(null);
      b.push(row);
    }
    return b;
  }

  // applyEvent updates a snapshot with one event, as the server did.
  function applyEvent(s, f) {
    s.seq = f.seq;
    switch (f.type) {
      case "player_joined":
        s.players.splice(f.seat, 0, { seat: f.seat, player_id: f.player_id, name: f.name, score: 0, connected: true, bot: !!f.bot, bot_level: f.bot_level, left: false, rematch: false });
        renumber(s.players);
        break;
      case "player_left":
        if (s.status === "waiting") {
          s.players.splice(f.seat, 1);
          renumber(s.players);
        } else if (s.players[f.seat]) {
          s.players[f.seat].left = true;
          s.players[f.seat].connected = false;
        }
        if ("turn" in f) { s.turn = f.turn; s.deadline = f.deadline; }
        break;
      case "presence":
        if (s.players[f.seat]) s.players[f.seat].connected = f.connected;
        break;
      case "player_replaced":
        if (s.players[f.seat]) {
          var pl = s.players[f.seat];
          pl.player_id = f.player_id;
          pl.name = f.name;
          pl.bot = !!f.bot;
          pl.bot_level = f.bot_level;
          pl.connected = true;
        }
        break;
      case "game_started":
        s.status = "playing";
        s.turn = f.turn;
        s.deadline = f.deadline;
        s.commitment = f.commitment;
        if (f.players) s.players = f.players;
        for (var i = 0; i < s.players.length; i++) { s.players[i].score = 0; s.players[i].rematch = false; }
        s.board = emptyBoard(s.rules.rows, s.rules.cols);
        s.gold_left = s.rules.gold;
        s.gold_found = [];
        s.result = null;
        if (f.game) s.game = f.game;
        break;
      case "dug":
        for (var k = 0; k < f.cells.length; k++) {
          var c = f.cells[k];
          s.board[c.row][c.col] = c.value;
        }
        if (f.gold) (s.gold_found = s.gold_found || []).push({ row: f.row, col: f.col, seat: f.seat });
        for (var p = 0; p < f.scores.length && p < s.players.length; p++) s.players[p].score = f.scores[p];
        s.gold_left = f.gold_left;
        s.turn = f.turn;
        s.deadline = f.deadline;
        break;
      case "turn_skipped":
        s.turn = f.turn;
        s.deadline = f.deadline;
        break;
      case "game_over":
        s.status = "finished";
        s.turn = null;
        s.deadline = null;
        s.result = {
          game_id: f.game_id, reason: f.reason, scores: f.scores, ranking: f.ranking, winners: f.winners,
          board: f.board, layout: f.layout, salt: f.salt, commitment: f.commitment || s.commitment
        };
        break;
      case "rematch":
        if (s.players[f.seat]) s.players[f.seat].rematch = true;
        break;
      case "room_reset":
        s.status = f.status;
        s.players = f.players;
        s.turn = null;
        s.deadline = null;
        s.commitment = null;
        s.result = null;
        s.board = emptyBoard(s.rules.rows, s.rules.cols);
        s.gold_left = s.rules.gold;
        s.gold_found = [];
        break;
      case "room_closed":
        s.status = "closed";
        break;
    }
  }

  function renumber(players) {
    for (var i = 0; i < players.length; i++) players[i].seat = i;
  }

  // verifyFairness checks a finished game's commitment: the lowercase hex
  // SHA-256 of salt + ":" + layout. It needs SubtleCrypto (browsers, Node);
  // pass a sha256Hex(text) function where there is none.
  function verifyFairness(result, sha256Hex) {
    var text = result.salt + ":" + result.layout;
    var hash = sha256Hex ? Promise.resolve(sha256Hex(text)) : subtleHex(text);
    return hash.then(function (hex) { return hex === result.commitment; });
  }

  function subtleHex(text) {
    var c = (typeof crypto !== "undefined" && crypto.subtle) ? crypto : null;
    if (!c) return Promise.reject(GoldmineError("no_crypto", "no SubtleCrypto here: pass a sha256Hex function"));
    var bytes = new TextEncoder().encode(text);
    return c.subtle.digest("SHA-256", bytes).then(function (buf) {
      var out = "";
      var v = new Uint8Array(buf);
      for (var i = 0; i < v.length; i++) out += (v[i] < 16 ? "0" : "") + v[i].toString(16);
      return out;
    });
  }

  return {
    VERSION: VERSION,
    Client: Client,
    Room: Room,
    GoldmineError: GoldmineError,
    applyEvent: applyEvent,
    verifyFairness: verifyFairness,
    transports: { browser: browserTransport, wechat: weChatTransport },
    DEFAULTS: DEFAULTS
  };
});
