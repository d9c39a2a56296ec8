// Goldmine's web client: a lobby, a game page, a leaderboard and profiles,
// on the SDK. Plain DOM, no build step. Player-made text (names, chat) only
// ever goes through textContent, never through HTML. Every string shown is
// in the catalogues (lang-en.js, lang-zh.js), looked up with t().
(function () {
  "use strict";

  var G = window.Goldmine;
  var LANGS = window.GoldmineLang;
  var app = document.getElementById("app");
  var banner = document.getElementById("banner");
  var STORE = "goldmine.player";
  var LANG_KEY = "goldmine.lang";
  var SOUND_KEY = "goldmine.sound";
  // BASE is the path the server is mounted under ("" or, say, "/game"):
  // every URL of the client starts with it.
  var BASE = meta("goldmine-base");
  // With a host site's login (docs/embedding.md), the host signs players
  // in: the page may carry the player's token, and has no name form.
  var HOST_LOGIN = meta("goldmine-identity") === "host";
  var PAGE_TOKEN = meta("goldmine-token");
  // Room ids are 4 to 32 letters and digits: the 6-letter public codes,
  // and longer private ids.
  var ROOM_ID = /^[A-Za-z0-9]{4,32}$/;
  var client = new G.Client({ baseURL: location.origin + BASE });
  var lang = pickLang();
  var room = null;        // the Room on the game page
  var lobbyTimer = null;  // the room list's refresh
  var tick = null;        // the countdown
  var fairness = {};      // game id -> true/false once checked
  var play = null;        // what the game page knows beyond room.state (see gamePage)
  var matched = null;     // the Room a quick match joined, for the game page to take over
  var matchCtl = null;    // aborts the quick match in progress
  var changes = {};       // game id -> player id -> rating_change, for the game-over panel

  window.goldmine = { client: client, get room() { return room; }, t: t, get lang() { return lang; } }; // for the console and tests

  // --- Language ------------------------------------------------------------

  // pickLang: the remembered switch, else what the server read from
  // Accept-Language, else English.
  function pickLang() {
    var s = null;
    try { s = localStorage.getItem(LANG_KEY); } catch (e) { /* private mode */ }
    if (s && LANGS[s]) return s;
    var m = meta("goldmine-lang");
    return LANGS[m] ? m : "en";
  }

  function setLang(l) {
    lang = l;
    try { localStorage.setItem(LANG_KEY, l); } catch (e) { /* private mode */ }
    document.documentElement.lang = l === "zh" ? "zh-CN" : "en";
    route();
  }

  // t returns the string of key in the page's language, with {name}s
  // filled from vars.
  function t(key, vars) {
    var s = LANGS[lang][key];
    if (s === undefined) s = LANGS.en[key];
    if (s === undefined) s = key;
    if (vars) s = s.replace(/\{(\w+)\}/g, function (all, k) { return vars[k] !== undefined && vars[k] !== null ? String(vars[k]) : all; });
    return s;
  }

  // errText says what went wrong, by the error's code, in the page's
  // language; the server's English message only fills in details.
  function errText(e) {
    if (!e) return "";
    var key = "err." + e.code;
    if (LANGS[lang][key] !== undefined) return t(key, { message: e.message });
    return t("err.other", { code: e.code });
  }

  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t("brand");

  // --- DOM -----------------------------------------------------------------

  // h builds an element: h("button", {class: "x", onclick: f}, "text", child).
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) continue;
        if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
        else if (k === "class") el.className = v;
        else if (k === "text") el.textContent = v;
        // Through the CSSOM: the page's CSP refuses style attributes.
        else if (k === "style") el.style.cssText = v;
        else el.setAttribute(k, v === true ? "" : v);
      }
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) c.forEach(function (x) { if (x) el.appendChild(typeof x === "string" ? document.createTextNode(x) : x); });
      else el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return el;
  }

  function show(node) {
    app.replaceChildren(node);
  }

  function setBanner(text, bad) {
    banner.hidden = !text;
    banner.textContent = text || "";
    banner.classList.toggle("bad", !!bad);
  }

  function meta(name) {
    return (document.querySelector('meta[name="' + name + '"]') || {}).content || "";
  }

  function saved() {
    try { return JSON.parse(localStorage.getItem(STORE) || "null"); } catch (e) { return null; }
  }

  function remember(p) {
    localStorage.setItem(STORE, JSON.stringify({ token: p.token, player_id: p.player_id, name: p.name }));
  }

  function soundOn() {
    try { return localStorage.getItem(SOUND_KEY) === "on"; } catch (e) { return false; }
  }

  function link(path, text, cls) {
    return h("a", { class: cls, href: BASE + path, onclick: function (e) { e.preventDefault(); go(BASE + path); } }, text);
  }

  function header() {
    var me = saved();
    var tools = h("span", { class: "tools" },
      h("button", { class: "small sound", type: "button", "aria-pressed": soundOn() ? "true" : "false", title: t("header.sound_label"),
        onclick: function () {
          try { localStorage.setItem(SOUND_KEY, soundOn() ? "off" : "on"); } catch (e) { /* private mode */ }
          this.textContent = soundOn() ? t("header.sound_on") : t("header.sound_off");
          this.setAttribute("aria-pressed", soundOn() ? "true" : "false");
          if (soundOn()) beep();
        } }, soundOn() ? t("header.sound_on") : t("header.sound_off")),
      h("button", { class: "small lang", type: "button", lang: lang === "zh" ? "en" : "zh-CN", "aria-label": t("lang.switch_label"),
        onclick: function () { setLang(lang === "zh" ? "en" : "zh"); } }, t("lang.switch")));
    var who = null;
    if (me) {
      who = h("span", { class: "me" }, t("header.playing_as") + " ", h("b", { class: "myname", text: me.name }),
        HOST_LOGIN ? null : h("span", { class: "me-actions" },
          h("button", { class: "linkish rename", type: "button", onclick: function () { renameForm(who, me); } }, t("header.rename")),
          h("button", { class: "linkish sign-out", type: "button", onclick: function () { signOutConfirm(who, me); } }, t("header.sign_out"))));
    }
    return h("header", { class: "top" },
      h("a", { class: "brand", href: BASE + "/", onclick: function (e) { e.preventDefault(); go(BASE + "/"); } }, "◆ " + t("brand")),
      me ? h("nav", { class: "nav" }, link("/leaderboard", t("header.leaderboard")), link("/p/" + me.player_id, t("header.profile"))) : null,
      who, tools);
  }

  // renameForm turns the header's name into a form: the same player, a
  // new name (PATCH /api/players/me).
  function renameForm(who, me) {
    var input = h("input", { name: "rename", maxlength: "24", value: me.name, "aria-label": t("rename.title"), size: "14" });
    var err = h("span", { class: "error", role: "alert" });
    var form = h("form", { class: "rename-form", onsubmit: function (e) {
      e.preventDefault();
      client.rename(input.value).then(function (p) {
        me.name = p.name;
        localStorage.setItem(STORE, JSON.stringify(me));
        setBanner(t("rename.done", { name: p.name }));
        setTimeout(function () { setBanner(""); }, 3000);
        refreshHeader();
      }, function (e2) { err.textContent = errText(e2); });
    } }, input, h("button", { type: "submit", class: "small primary" }, t("rename.save")),
      h("button", { type: "button", class: "small", onclick: refreshHeader }, t("rename.cancel")), err);
    who.replaceChildren(form);
    input.focus();
    input.select();
  }

  // signOutConfirm asks once more, in the page, before forgetting the
  // player: a token is the only way back to a player.
  function signOutConfirm(who, me) {
    who.replaceChildren(h("span", { class: "confirm" }, h("span", { text: t("header.sign_out_confirm", { name: me.name }) }), " ",
      h("button", { type: "button", class: "small danger confirm-sign-out", onclick: function () {
        localStorage.removeItem(STORE);
        client.token = null;
        go(BASE + "/");
      } }, t("header.sign_out")),
      h("button", { type: "button", class: "small", onclick: refreshHeader }, t("rename.cancel"))));
  }

  function refreshHeader() {
    var old = app.querySelector("header.top");
    if (old) old.replaceWith(header());
  }

  // beep is the sound of your turn: a short tone, made here (no file).
  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      var ctx = beep.ctx || (beep.ctx = new Ctx());
      var o = ctx.createOscillator(), g = ctx.createGain();
      o.frequency.value = 880;
      g.gain.setValueAtTime(0.08, ctx.currentTime);
      g.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.25);
      o.connect(g); g.connect(ctx.destination);
      o.start(); o.stop(ctx.currentTime + 0.26);
      beep.count = (beep.count || 0) + 1; // for tests
    } catch (e) { /* no sound, no matter */ }
  }
  window.goldmine.beeps = function () { return beep.count || 0; };

  // --- Routing -------------------------------------------------------------

  function go(path) {
    history.pushState(null, "", path);
    route();
  }

  window.addEventListener("popstate", route);

  function route() {
    if (room) { var r = room; room = null; r.close(); }
    if (lobbyTimer) { clearInterval(lobbyTimer); lobbyTimer = null; }
    if (tick) { clearInterval(tick); tick = null; }
    // Leaving the lobby while searching leaves the queue.
    if (matchCtl) { matchCtl.abort(); matchCtl = null; }
    setBanner("");
    document.title = t("brand");
    var me = saved();
    if (PAGE_TOKEN && (!me || me.token !== PAGE_TOKEN)) { adoptPageToken(); return; }
    if (!me) { namePage(); return; }
    client.token = me.token;
    var path = location.pathname.slice(BASE.length);
    var m = path.match(/^\/r\/([^/]+)$/);
    var p = path.match(/^\/p\/([^/]+)$/);
    if (m && ROOM_ID.test(m[1])) gamePage(m[1], new URLSearchParams(location.search).get("watch") === "1");
    else if (path === "/leaderboard") leaderboardPage();
    else if (p) profilePage(decodeURIComponent(p[1]));
    else lobbyPage();
  }

  // --- Name ----------------------------------------------------------------

  // adoptPageToken signs in the player the host put on the page.
  function adoptPageToken() {
    client.token = PAGE_TOKEN;
    client.me().then(function (p) {
      remember({ token: PAGE_TOKEN, player_id: p.player_id, name: p.name });
      route();
    }, function (e) {
      PAGE_TOKEN = "";
      setBanner(t("name.signin_failed", { message: errText(e) }), true);
    });
  }

  function namePage() {
    if (HOST_LOGIN) {
      show(h("div", {}, header(), h("div", { class: "card" }, h("h1", {}, t("name.welcome")), h("p", {}, t("name.host")))));
      return;
    }
    var input = h("input", { name: "name", maxlength: "24", required: true, autocomplete: "nickname", placeholder: t("name.placeholder") });
    var err = h("p", { class: "error", role: "alert" });
    var form = h("form", {
      class: "card", onsubmit: function (e) {
        e.preventDefault();
        client.createPlayer(input.value).then(function (p) { remember(p); route(); }, function (e2) { err.textContent = errText(e2); });
      }
    }, h("h1", {}, t("name.welcome")),
      h("p", { class: "muted" }, t("name.intro")),
      h("div", { class: "row" }, h("label", {}, t("name.label") + " ", input), h("button", { class: "primary", type: "submit" }, t("name.play"))), err);
    show(h("div", {}, header(), form));
    input.focus();
  }

  // --- Lobby ---------------------------------------------------------------

  function presetName(p) {
    var k = "preset." + p;
    return LANGS.en[k] !== undefined ? t(k) : p;
  }

  function lobbyPage() {
    var list = h("ul", { class: "rooms", "aria-label": t("lobby.rooms") }, h("li", { class: "muted" }, t("loading")));
    var err = h("p", { class: "error", role: "alert" });
    var code = h("input", { name: "code", maxlength: "32", placeholder: "K7M2QX", autocapitalize: "characters", "aria-label": t("lobby.code_label"), size: "8" });
    var preset = h("select", { name: "preset", "aria-label": t("lobby.preset_label") },
      h("option", { value: "classic" }, t("lobby.preset_classic")),
      h("option", { value: "flags" }, t("lobby.preset_flags")),
      h("option", { value: "party" }, t("lobby.preset_party")),
      h("option", { value: "custom" }, t("lobby.preset_custom")));
    // Presets the host added, after the built-in ones.
    client.presets().then(function (ps) {
      ps.forEach(function (r) {
        if (r.preset === "classic" || r.preset === "flags" || r.preset === "party") return;
        preset.insertBefore(h("option", { value: r.preset }, t("lobby.preset_other", { preset: r.preset, rows: r.rows, cols: r.cols, gold: r.gold, players: r.max_players })),
          preset.lastChild);
      });
    }, function () {});
    var fields = {
      rows: h("input", { name: "rows", type: "number", min: "5", max: "30", value: "9" }),
      cols: h("input", { name: "cols", type: "number", min: "5", max: "30", value: "9" }),
      gold: h("input", { name: "gold", type: "number", min: "1", max: "899", value: "10" }),
      max_players: h("input", { name: "max_players", type: "number", min: "2", max: "8", value: "2" }),
      turn_seconds: h("input", { name: "turn_seconds", type: "number", min: "0", max: "3600", value: "30" })
    };
    var extra = h("input", { type: "checkbox", name: "extra_turn_on_gold" });
    var decided = h("input", { type: "checkbox", name: "end_when_decided" });
    var custom = h("fieldset", { class: "custom", hidden: true },
      h("label", {}, t("lobby.rows"), fields.rows), h("label", {}, t("lobby.cols"), fields.cols), h("label", {}, t("lobby.gold"), fields.gold),
      h("label", {}, t("lobby.players"), fields.max_players), h("label", {}, t("lobby.turn_seconds"), fields.turn_seconds),
      h("label", { class: "check" }, extra, t("lobby.extra_turn")), h("label", { class: "check" }, decided, t("lobby.end_decided")));
    // The fields are disabled while hidden, so that no value typed there
    // can be taken for the preset's.
    function syncCustom() {
      custom.hidden = preset.value !== "custom";
      custom.disabled = custom.hidden;
    }
    syncCustom();
    preset.addEventListener("change", syncCustom);
    var priv = h("input", { type: "checkbox", name: "private" });
    var substitute = h("input", { type: "checkbox", name: "bot_substitute" });
    var name = h("input", { name: "room_name", maxlength: "40", placeholder: t("lobby.room_name"), "aria-label": t("lobby.room_name") });

    var create = h("form", {
      class: "card create", onsubmit: function (e) {
        e.preventDefault();
        err.textContent = "";
        var opts = { private: priv.checked };
        if (substitute.checked) opts.bot_substitute = "normal";
        // Named in the page's language (the server's default is English).
        opts.name = name.value.trim() ? name.value : t("lobby.default_room", { name: (saved() || {}).name || "" });
        if (preset.value === "custom") {
          for (var k in fields) opts[k] = Number(fields[k].value);
          opts.extra_turn_on_gold = extra.checked;
          opts.end_when_decided = decided.checked;
        } else {
          opts.preset = preset.value;
        }
        client.createRoom(opts).then(function (snap) { go(BASE + "/r/" + snap.id); }, function (e2) { err.textContent = errText(e2); });
      }
    }, h("h2", {}, t("lobby.new_room")), h("div", { class: "row" }, preset, name), custom,
      h("div", { class: "row" }, h("label", { class: "check" }, priv, t("lobby.private"))),
      h("div", { class: "row" }, h("label", { class: "check" }, substitute, t("lobby.substitute"))),
      h("div", { class: "row" }, h("button", { class: "primary", type: "submit" }, t("lobby.create"))), err);

    // Playing alone: a classic room with a bot in the other seat.
    var level = h("select", { name: "level", "aria-label": t("lobby.bot_level") },
      h("option", { value: "easy" }, t("lobby.bot_easy")), h("option", { value: "normal", selected: true }, t("lobby.bot_normal")), h("option", { value: "hard" }, t("lobby.bot_hard")));
    var solo = h("form", {
      class: "card solo", onsubmit: function (e) {
        e.preventDefault();
        var lv = level.options[level.selectedIndex].textContent;
        client.createRoom({ preset: "classic", name: t("lobby.vs_bot", { level: lv }), private: true }).then(function (snap) {
          return client.addBot(snap.id, level.value).then(function () { go(BASE + "/r/" + snap.id); });
        }).catch(function (e2) { err.textContent = errText(e2); });
      }
    }, h("h2", {}, t("lobby.play_bot")), h("div", { class: "row" }, level, h("button", { class: "primary", type: "submit" }, t("name.play"))));

    var join = h("form", {
      class: "card join", onsubmit: function (e) {
        e.preventDefault();
        // Ids are case-blind (docs/protocol.md): people type them as they like.
        var id = code.value.trim().toUpperCase();
        if (ROOM_ID.test(id)) go(BASE + "/r/" + id); else err.textContent = t("lobby.bad_code");
      }
    }, h("h2", {}, t("lobby.join_code")), h("div", { class: "row" }, code, h("button", { type: "submit" }, t("lobby.join"))));

    show(h("div", {}, header(), quickCard(), h("div", { class: "grid2" }, create, h("div", {}, solo, join)),
      h("section", { class: "lobby-rooms" }, h("h2", {}, t("lobby.rooms")), list)));
    function refresh() {
      // occupied: only rooms someone is in; abandoned ones wait out their
      // idle timeout unlisted.
      client.listRooms({ occupied: true }).then(function (rooms) {
        var items = rooms.filter(function (r) { return r.status !== "finished"; }).map(function (r) {
          var open = r.status === "waiting" && r.players < r.max_players;
          return h("li", {},
            h("span", { class: "name", text: r.name }),
            h("code", { class: "room-id", text: r.id }),
            h("span", { class: "meta", text: t("lobby.room_meta", { preset: presetName(r.rules.preset), rows: r.rules.rows, cols: r.rules.cols, players: r.players, max: r.max_players, status: t("status." + r.status) }) }),
            h("span", { class: "actions" },
              open ? h("button", { class: "primary", onclick: function () { go(BASE + "/r/" + r.id); } }, t("lobby.join")) : null,
              h("button", { onclick: function () { go(BASE + "/r/" + r.id + "?watch=1"); } }, t("lobby.watch"))));
        });
        list.replaceChildren.apply(list, items.length ? items : [h("li", { class: "muted" }, t("lobby.no_rooms"))]);
      }, function () { /* the next refresh will tell */ });
    }
    refresh();
    lobbyTimer = setInterval(refresh, 3000);
  }

  // --- Quick match ---------------------------------------------------------

  // quickCard is the lobby's first action: pick a preset, press one button,
  // and play someone of your rating (or a bot of it after --match-bot-after).
  // While it searches it shows the time waited and a cancel button; then it
  // goes straight into the game, seated already.
  function quickCard() {
    var preset = h("select", { name: "quick-preset", "aria-label": t("quick.preset_label") },
      h("option", { value: "classic" }, t("lobby.preset_classic")));
    // Every preset quick match takes: those of GET /api/presets.
    client.presets().then(function (ps) {
      var keep = preset.value;
      preset.replaceChildren.apply(preset, ps.map(function (r) {
        var builtIn = r.preset === "classic" || r.preset === "flags" || r.preset === "party";
        return h("option", { value: r.preset, selected: r.preset === keep },
          builtIn ? t("lobby.preset_" + r.preset) : t("lobby.preset_other", { preset: r.preset, rows: r.rows, cols: r.cols, gold: r.gold, players: r.max_players }));
      }));
    }, function () {});
    var status = h("p", { class: "quick-status", role: "status" });
    var rating = h("p", { class: "muted rating" });
    client.me().then(function (p) {
      if (typeof p.rating === "number") rating.textContent = t("quick.rating", { rating: Math.round(p.rating), rd: Math.round(p.rd), games: p.rated_games });
    }, function () {});
    var cancel = h("button", { class: "big cancel", type: "button", hidden: true, onclick: function () { if (matchCtl) matchCtl.abort(); } }, t("quick.cancel"));
    var btn = h("button", { class: "primary big go", type: "button", onclick: start }, t("quick.button"));
    function start() {
      var ctl = new AbortController();
      matchCtl = ctl;
      var t0 = Date.now();
      btn.hidden = true; cancel.hidden = false; preset.disabled = true;
      card.classList.add("searching");
      function elapsed() { status.textContent = t("quick.searching", { s: Math.floor((Date.now() - t0) / 1000) }); }
      elapsed();
      var timer = setInterval(elapsed, 500);
      client.quickMatch({ preset: preset.value, signal: ctl.signal }).then(function (r) {
        clearInterval(timer);
        if (matchCtl === ctl) matchCtl = null;
        matched = r;
        go(BASE + "/r/" + r.id);
      }, function (e) {
        clearInterval(timer);
        if (matchCtl === ctl) matchCtl = null;
        btn.hidden = false; cancel.hidden = true; preset.disabled = false;
        card.classList.remove("searching");
        status.textContent = e.code === "aborted" ? "" : t("quick.failed", { message: errText(e) });
      });
    }
    var card = h("section", { class: "card quick", "aria-label": t("quick.title") },
      h("h2", {}, t("quick.title")),
      h("p", { class: "muted" }, t("quick.intro")),
      h("div", { class: "row" }, preset, btn, cancel), status, rating);
    return card;
  }

  // signed formats a rating delta with its sign.
  function signed(d) {
    d = Math.round(d);
    return (d > 0 ? "+" : d < 0 ? "−" : "±") + Math.abs(d);
  }

  // ratingsKey changes when a rating change of the game arrives, so that
  // the game-over panel is drawn again.
  function ratingsKey(gameID) {
    var byPlayer = changes[gameID] || {};
    return Object.keys(byPlayer).filter(function (k) { return byPlayer[k]; }).length;
  }

  // ratingNote is a ranking line's rating change in a rated game. The
  // game_over frame does not carry it; the player's history does (stored
  // with the game, before game_over is sent), so it is read from there.
  function ratingNote(gameID, pid, p) {
    if (!pid || (p && p.bot)) return null; // a bot's rating never changes
    var byPlayer = changes[gameID] || (changes[gameID] = {});
    if (!(pid in byPlayer)) {
      byPlayer[pid] = null;
      client.http("GET", "/api/players/" + encodeURIComponent(pid) + "/games?limit=5").then(function (r) {
        r.games.forEach(function (g) { if (g.id === gameID && g.rating_change) byPlayer[pid] = g.rating_change; });
        if (room && byPlayer[pid]) render();
      }, function () {});
    }
    var c = byPlayer[pid];
    if (!c) return null;
    return h("span", { class: "rating-change" + (c.delta > 0 ? " up" : c.delta < 0 ? " down" : ""),
      text: t("over.rating", { before: Math.round(c.before), after: Math.round(c.after), delta: signed(c.delta) }) });
  }

  // --- Leaderboard and profiles -------------------------------------------

  function leaderboardPage() {
    var q = new URLSearchParams(location.search);
    var period = q.get("by") === "rating" ? "by_rating" : q.get("period") === "week" ? "week" : "all";
    var body = h("div", {}, h("p", { class: "loading" }, t("loading")));
    var query = { all: "", week: "?period=week", by_rating: "?by=rating" };
    var tabs = h("div", { class: "row tabs", role: "tablist" },
      ["all", "week", "by_rating"].map(function (p) {
        return h("a", { role: "tab", "aria-selected": p === period ? "true" : "false", class: "tab" + (p === period ? " on" : ""), href: BASE + "/leaderboard" + query[p],
          onclick: function (e) { e.preventDefault(); go(BASE + "/leaderboard" + query[p]); } }, t("board." + p));
      }));
    show(h("div", {}, header(), h("div", { class: "card" }, h("h1", {}, t("board.title")), tabs, body)));
    if (period === "by_rating") { ratingBoard(body); return; }
    client.leaderboard(period).then(function (players) {
      if (!players.length) { body.replaceChildren(h("p", { class: "muted" }, t("board.empty"))); return; }
      body.replaceChildren(h("table", { class: "leaderboard" },
        h("thead", {}, h("tr", {}, ["rank", "name", "wins", "games", "gold"].map(function (k) { return h("th", { scope: "col", class: k }, t("board." + k)); }))),
        h("tbody", {}, players.map(function (p) {
          return h("tr", {}, h("td", { class: "rank", text: String(p.rank) }),
            h("td", { class: "name" }, link("/p/" + encodeURIComponent(p.player_id), p.name)),
            h("td", { text: String(p.wins) }), h("td", { text: String(p.games) }), h("td", { text: String(p.gold) }));
        }))));
    }, function (e) { body.replaceChildren(h("p", { class: "error" }, errText(e))); });
  }

  // ratingBoard fills the leaderboard by rating (GET /api/leaderboard?by=rating).
  function ratingBoard(body) {
    client.http("GET", "/api/leaderboard?by=rating&limit=50").then(function (r) {
      if (!r.players.length) { body.replaceChildren(h("p", { class: "muted" }, t("board.rating_empty", { n: r.min_rated_games }))); return; }
      body.replaceChildren(h("table", { class: "leaderboard by-rating" },
        h("thead", {}, h("tr", {}, ["rank", "name", "rating", "rated_games"].map(function (k) { return h("th", { scope: "col", class: k }, t("board." + k)); }))),
        h("tbody", {}, r.players.map(function (p) {
          return h("tr", {}, h("td", { class: "rank", text: String(p.rank) }),
            h("td", { class: "name" }, link("/p/" + encodeURIComponent(p.player_id), p.name)),
            h("td", { class: "rating", text: Math.round(p.rating) + " ± " + Math.round(p.rd) }), h("td", { text: String(p.rated_games) }));
        }))));
    }, function (e) { body.replaceChildren(h("p", { class: "error" }, errText(e))); });
  }

  function profilePage(id) {
    var head = h("div", {}, h("p", { class: "loading" }, t("loading")));
    var games = h("ul", { class: "history" });
    var more = h("button", { type: "button", hidden: true }, t("profile.more"));
    show(h("div", {}, header(), h("div", { class: "card profile" }, head, h("h2", {}, t("profile.history")), games, more)));
    client.getPlayer(id).then(function (p) {
      head.replaceChildren(h("h1", { class: "pname", text: t("profile.title", { name: p.name }) }),
        h("p", { class: "stats" }, t("profile.stats", { games: p.games, wins: p.wins, gold: p.gold })),
        typeof p.rating === "number" && !p.bot ? h("p", { class: "stats rating" }, t("profile.rating", { rating: Math.round(p.rating), rd: Math.round(p.rd), games: p.rated_games })) : null);
    }, function (e) { head.replaceChildren(h("p", { class: "error" }, errText(e))); });
    var before = null;
    function page() {
      // The player's own history has each game's rating change.
      client.http("GET", "/api/players/" + encodeURIComponent(id) + "/games?limit=20" + (before !== null ? "&before=" + before : "")).then(function (r) {
        if (!r.games.length && before === null) games.appendChild(h("li", { class: "muted" }, t("profile.none")));
        r.games.forEach(function (g) {
          var mine = g.players.filter(function (x) { return x.player_id === id; })[0] || {};
          var others = g.players.filter(function (x) { return x.player_id !== id; }).map(function (x) { return x.name; }).join(", ");
          var date = new Date(g.ended_at).toLocaleDateString(lang === "zh" ? "zh-CN" : "en");
          games.appendChild(h("li", { class: mine.winner ? "won" : "" },
            h("span", { class: "when", text: t("profile.game_line", { date: date, preset: presetName(g.rules.preset), rows: g.rules.rows, cols: g.rules.cols, who: others }) }),
            h("span", { class: "result", text: (mine.winner ? t("profile.won") + " · " : t("profile.rank", { rank: mine.rank }) + " · ") + t("profile.score", { n: mine.score }) +
              (g.rating_change ? " · " + t("profile.rating_change", { delta: signed(g.rating_change.delta) }) : "") })));
        });
        before = r.next_before;
        more.hidden = before === null || before === undefined;
      }, function (e) { games.appendChild(h("li", { class: "error" }, errText(e))); });
    }
    more.addEventListener("click", page);
    page();
  }

  // --- Game ----------------------------------------------------------------

  function gamePage(id, watch) {
    var view = h("div", {}, header(), h("p", { class: "loading" }, t("game.joining", { id: id })));
    show(view);
    // A quick match hands over the room it joined already.
    room = matched && matched.id === id && !watch ? matched : client.join(id, { as: watch ? "spectator" : "player" });
    matched = null;
    var r = room;
    // play: what the page shows beyond the room's state. last: each seat's
    // last dig; fresh: the cells the last dig revealed, to animate once;
    // notice: a skipped turn, explained; ended: a final close code.
    play = { last: {}, fresh: null, notice: null, ended: null, dropped: null, wasMyTurn: false };
    r.on("state", function () { if (r === room) render(); });
    r.on("status", function (s) {
      if (r !== room) return;
      if (s === "open") { play.dropped = null; setBanner(""); }
      render();
    });
    r.on("dropped", function (ev) {
      if (r !== room || FINAL[ev.code]) return;
      play.dropped = ev.code || 1006;
      setBanner(LANGS.en["close." + play.dropped] !== undefined ? t("close." + play.dropped) : t("close.other", { code: play.dropped }), true);
    });
    r.on("reconnecting", function (ev) {
      if (r === room && !play.dropped) setBanner(t("conn.attempt", { n: ev.attempt }), true);
    });
    r.on("gave_up", function () { setBanner(t("conn.gave_up"), true); });
    r.on("seat_lost", function () { setBanner(t("game.seat_lost")); });
    r.on("closed", function (ev) {
      if (r !== room || !FINAL[ev.code] || ev.code === 1000) return;
      play.ended = ev.code;
      setBanner(t("close." + ev.code), true);
      render();
    });
    r.on("game_started", function () { play.last = {}; play.notice = null; });
    r.on("dug", function (f) {
      play.last[f.seat] = f.row + "," + f.col;
      play.fresh = { row: f.row, col: f.col, cells: {} };
      f.cells.forEach(function (c) { play.fresh.cells[c.row + "," + c.col] = Math.max(Math.abs(c.row - f.row), Math.abs(c.col - f.col)); });
      play.notice = null;
    });
    r.on("turn_skipped", function (f) {
      var mine = r.you && r.you.role === "player" && r.you.seat === f.seat;
      var p = r.state && r.state.players[f.seat];
      play.notice = mine ? t("game.skip_you_" + (f.reason === "absent" || f.reason === "admin" ? f.reason : "timeout"))
        : t("game.skip_other", { name: seatName(p) });
    });
    r.on("error", function (e) {
      if (r !== room) return;
      if (e.code === "unknown_room") {
        show(h("div", {}, header(), h("div", { class: "card" }, h("h1", {}, t("game.no_room", { id: id })), h("p", {}, t("game.no_room_text")),
          h("button", { onclick: function () { go(BASE + "/"); } }, t("game.back")))));
      } else if (e.code === "banned") {
        play.ended = 4003;
        setBanner(t("close.4003"), true);
        render();
      } else if (e.code === "unauthorized") { localStorage.removeItem(STORE); route(); }
      else if (e.code === "chat_limited" || e.code === "rate_limited") {
        setBanner(errText(e));
        setTimeout(function () { if (r === room && !play.dropped) setBanner(""); }, 2500);
      }
    });
    tick = setInterval(function () { if (r === room) countdown(); }, 250);
    if (r.state) render();
  }

  // FINAL are the close codes after which the SDK does not reconnect.
  var FINAL = { 1000: true, 4000: true, 4001: true, 4002: true, 4003: true };

  function seatColor(seat) { return "s" + (seat % 8); }

  // seatName is a seat's name with a bot's level in the page's language:
  // the server names bots in English, "Carat (normal bot)", and the seat
  // says its level (bot_level), so the part in brackets is the catalogue's.
  function seatName(p) {
    if (!p) return t("game.someone");
    var lv = p.bot && p.bot_level;
    var tail = lv ? " (" + lv + " bot)" : "";
    if (!tail || LANGS.en["game.level_" + lv] === undefined || p.name.slice(-tail.length) !== tail) return p.name;
    return t("game.bot_name", { name: p.name.slice(0, -tail.length), level: t("game.level_" + lv) });
  }

  function countdown() {
    var el = document.getElementById("countdown");
    if (!el || !room || !room.state) return;
    var d = room.state.deadline;
    el.textContent = d ? Math.max(0, Math.ceil((d - Date.now()) / 1000)) + " s" : "";
  }

  // gameView is the game page's frame, built once per page: the board's
  // cells and the chat's form stay the same elements from frame to frame,
  // so that a tap or a half-typed line is never lost to a redraw (a chat
  // line or a spectator coming in redraws only what it changed). Parts
  // that come and go sit in slots.
  function gameView() {
    var v = play.view;
    if (v && app.contains(v.root)) return v;
    v = play.view = { slots: {}, sigs: {}, cells: [], rows: 0, cols: 0 };
    v.board = h("div", { class: "board", role: "grid", "aria-label": t("game.board") });
    // One handler for every cell, on the board: it reads the cell from the
    // event, so it holds whatever the cell shows when the tap lands.
    v.board.addEventListener("click", function (e) {
      var b = e.target && e.target.closest ? e.target.closest("button.cell") : null;
      if (!b || !v.board.contains(b) || b.disabled || !b.classList.contains("undug")) return;
      dig(Number(b.dataset.row), Number(b.dataset.col));
    });
    v.board.addEventListener("keydown", arrowKeys);
    v.name = h("span");
    v.id = h("code", { class: "room-id" });
    v.chatList = h("ul");
    v.chatInput = h("input", { maxlength: "200", placeholder: t("game.chat_placeholder"), "aria-label": t("game.chat"), name: "chat" });
    v.chatSend = h("button", { type: "submit" }, t("game.send"));
    var chat = h("form", { class: "card chat", onsubmit: function (e) {
      e.preventDefault();
      if (room && v.chatInput.value.trim()) { room.chat(v.chatInput.value); v.chatInput.value = ""; }
    } }, h("h2", {}, t("game.chat")), v.chatList, h("div", { class: "row" }, v.chatInput, v.chatSend));
    v.shareInput = h("input", { readonly: true, "aria-label": t("game.share") });
    var share = h("div", { class: "share" }, v.shareInput, h("button", { onclick: function () {
      v.shareInput.select();
      if (navigator.clipboard) navigator.clipboard.writeText(v.shareInput.value);
    } }, t("game.copy")));
    function slot(name) { return (v.slots[name] = document.createComment(name)); }
    v.root = h("div", {}, header(),
      h("h1", { class: "room-title" }, v.name, " ", v.id),
      h("div", { class: "game" },
        h("section", { class: "play" }, slot("turn"), slot("notice"), h("div", { class: "board-wrap" }, v.board), slot("over")),
        h("aside", {}, slot("players"), slot("counts"), slot("actions"), share, chat)));
    show(v.root);
    return v;
  }

  // put fills a slot of the view, unless what it shows is unchanged (sig):
  // buttons in it stay under the finger.
  function put(v, name, sig, make) {
    if (sig !== null && v.sigs[name] === sig) return;
    v.sigs[name] = sig;
    var node = make() || document.createComment(name);
    v.slots[name].replaceWith(node);
    v.slots[name] = node;
  }

  function render() {
    if (!room || !room.state) return;
    var s = room.state;
    var live = room.status === "open" && !play.ended;
    var mySeat = room.you && room.you.seat !== null && room.you.seat !== undefined && room.you.role === "player" ? room.you.seat : null;
    var myTurn = live && s.status === "playing" && s.turn === mySeat;
    if (myTurn && !play.wasMyTurn && soundOn()) beep();
    play.wasMyTurn = myTurn;
    var v = gameView();
    v.name.textContent = s.name;
    v.id.textContent = s.id;
    drawBoard(v, s, live, myTurn);

    put(v, "players", null, function () {
      return h("ul", { class: "players", "aria-label": t("game.players") }, s.players.map(function (p) {
        // Away from the server, nobody's connection is known: grey, not green.
        var dot = !live ? "dot unknown" : "dot" + (p.connected ? " on" : "");
        var dotTitle = !live ? t("game.unknown_connection") : (p.connected ? t("game.connected") : t("game.disconnected"));
        return h("li", { class: (p.seat === s.turn && s.status === "playing" ? "turn " : "") + (p.left ? "left" : "") },
          h("span", { class: "sw " + seatColor(p.seat) }), h("span", { class: dot, title: dotTitle, "aria-label": dotTitle, role: "img" }),
          h("span", { class: "pname", text: seatName(p) + (p.seat === mySeat ? t("game.you") : "") }),
          p.seat === s.turn && s.status === "playing" ? h("span", { id: "countdown", class: "muted" }) : null,
          h("span", { class: "score", text: String(p.score) }));
      }));
    });
    put(v, "counts", null, function () {
      return h("p", { class: "muted counts" }, t("game.gold_left", { n: s.gold_left }) + " · ", h("span", { class: "watching" }, t("game.watching", { n: s.spectators || 0 })));
    });

    var turnLine, turnSig;
    if (play.ended) { turnSig = "ended" + play.ended; turnLine = function () { return h("p", { class: "turnline ended", role: "alert" }, t("close.final_hint") + t("close." + play.ended)); }; }
    else if (s.status === "waiting") { turnSig = "waiting" + s.players.length; turnLine = function () { return h("p", { class: "turnline" }, t("game.waiting", { n: s.players.length, max: s.rules.max_players })); }; }
    else if (s.status === "playing") {
      var digger = s.players[s.turn];
      turnSig = "playing" + myTurn + (digger ? digger.name : "");
      turnLine = function () { return h("p", { class: "turnline" + (myTurn ? " mine" : "") }, myTurn ? t("game.your_turn") : (digger ? t("game.digging", { name: seatName(digger) }) : "")); };
    }
    else if (s.status === "finished") { turnSig = "finished"; turnLine = function () { return h("p", { class: "turnline" }, t("game.over")); }; }
    else { turnSig = "closed"; turnLine = function () { return h("p", { class: "turnline" }, t("game.closed")); }; }
    put(v, "turn", turnSig, turnLine);
    var showNotice = play.notice && !play.ended && s.status === "playing";
    put(v, "notice", showNotice ? "n" + play.notice : "", function () { return showNotice ? h("p", { class: "notice", role: "status" }, play.notice) : null; });
    var res = s.result;
    put(v, "over", res ? [res.game_id, s.status, mySeat, fairness[String(res.game_id)], ratingsKey(res.game_id)].join("/") : "", function () { return overPanel(s, mySeat); });

    var me = mySeat !== null ? s.players[mySeat] || {} : {};
    var mine = (saved() || {}).player_id === s.created_by;
    put(v, "actions", [live, s.status, mySeat, s.players.length, !!me.rematch, mine, play.ended].join("/"), function () {
      return h("div", { class: "row actions" },
        live && s.status === "waiting" && mySeat !== null && s.players.length >= 2 ? h("button", { class: "primary start", onclick: function () { room.start().catch(function (e) { setBanner(errText(e), true); }); } }, t("game.start")) : null,
        live && s.status === "waiting" && mine && s.players.length < s.rules.max_players ? addBotControl(s.id) : null,
        live && s.status === "finished" && mySeat !== null && !me.rematch ? h("button", { class: "primary rematch", onclick: function () { room.rematch(); } }, t("game.rematch")) : null,
        live && s.status === "finished" && mySeat !== null && me.rematch ? h("span", { class: "muted" }, t("game.rematch_wait")) : null,
        live && mySeat !== null && s.status !== "closed" ? h("button", { class: "leave", onclick: function () {
          if (room.state.status !== "playing" || confirm(t("game.leave_confirm"))) { room.leave(); go(BASE + "/"); }
        } }, t("game.leave")) : null,
        mySeat === null && !play.ended ? h("span", { class: "muted" }, t("game.spectating")) : null,
        play.ended ? h("button", { onclick: function () { go(BASE + "/"); } }, t("game.back")) : null);
    });

    v.shareInput.value = location.origin + BASE + "/r/" + s.id;
    v.chatInput.disabled = !live;
    v.chatSend.disabled = !live;
    var msgs = room.messages.slice(-50);
    var last = msgs[msgs.length - 1];
    var chatSig = room.messages.length + "/" + (last ? last.name + ":" + last.text : "");
    if (v.sigs.chat !== chatSig) {
      v.sigs.chat = chatSig;
      v.chatList.replaceChildren.apply(v.chatList, msgs.map(function (m) { return h("li", {}, h("b", { text: m.name + ": " }), h("span", { text: m.text })); }));
      v.chatList.scrollTop = v.chatList.scrollHeight;
    }
    countdown();
  }

  // drawBoard brings the board's cells up to the state, in place: the
  // cells are made once for the board's size, then only changed.
  function drawBoard(v, s, live, myTurn) {
    var rows = s.rules.rows, cols = s.rules.cols;
    var b = v.board;
    if (v.rows !== rows || v.cols !== cols) {
      v.rows = rows; v.cols = cols; v.cells = [];
      var all = [];
      for (var i = 0; i < rows; i++) {
        v.cells.push([]);
        for (var j = 0; j < cols; j++) {
          var el = h("button", { class: "cell undug", type: "button", "data-row": i, "data-col": j });
          el.gm = { content: "", fresh: false };
          v.cells[i].push(el);
          all.push(el);
        }
      }
      b.replaceChildren.apply(b, all);
      b.style.setProperty("--cols", String(cols));
    }
    b.className = "board" + (live ? "" : " off");
    if (myTurn) b.removeAttribute("aria-disabled"); else b.setAttribute("aria-disabled", "true");
    var finders = {};
    (s.gold_found || []).forEach(function (g) { finders[g.row + "," + g.col] = g.seat; });
    var lastBy = {};
    for (var seatKey in play.last) lastBy[play.last[seatKey]] = Number(seatKey);
    var fresh = play.fresh;
    play.fresh = null; // animate once: a fresh cell stays so until the next dig
    for (var r = 0; r < rows; r++) {
      for (var c = 0; c < cols; c++) {
        var cell = v.cells[r][c], st = cell.gm;
        var val = s.board[r][c];
        var key = r + "," + c;
        var pos = { row: r + 1, col: c + 1 };
        var cls, label, title = null, content, disabled = true;
        if (val === null) {
          cls = "cell undug"; label = t("game.cell_undug", pos); content = ""; disabled = !myTurn;
        } else if (val === -1) {
          var seat = finders[key];
          pos.name = seatName(seat !== undefined ? s.players[seat] : null);
          cls = "cell gold " + seatColor(seat === undefined ? 0 : seat);
          label = title = t("game.cell_gold", pos); content = "gold";
        } else {
          pos.n = val;
          cls = "cell dug n" + val; label = t("game.cell_number", pos); content = val > 0 ? String(val) : "";
        }
        if (lastBy[key] !== undefined) {
          var by = s.players[lastBy[key]];
          cls += " last by-" + seatColor(lastBy[key]);
          label += " · " + t("game.cell_last", { name: seatName(by) });
        }
        if (fresh) {
          st.fresh = fresh.cells[key] !== undefined && val !== null;
          if (st.fresh) cell.style.setProperty("--d", Math.min(fresh.cells[key], 12) * 35 + "ms");
        }
        if (val === null) st.fresh = false;
        if (st.fresh) cls += " fresh";
        if (cell.className !== cls) cell.className = cls;
        if (cell.disabled !== disabled) cell.disabled = disabled;
        if (cell.getAttribute("aria-label") !== label) cell.setAttribute("aria-label", label);
        if (title === null) cell.removeAttribute("title"); else if (cell.title !== title) cell.title = title;
        if (st.content !== content) {
          st.content = content;
          if (content === "gold") cell.replaceChildren(h("span", { class: "nugget", "aria-hidden": "true" }, "◆"));
          else cell.textContent = content;
        }
      }
    }
  }

  // addBotControl lets a room's creator fill a seat with a bot.
  function addBotControl(id) {
    var level = h("select", { "aria-label": t("lobby.bot_level") },
      h("option", { value: "easy" }, t("game.bot_easy")), h("option", { value: "normal", selected: true }, t("game.bot_normal")), h("option", { value: "hard" }, t("game.bot_hard")));
    return h("span", { class: "row add-bot" }, level, h("button", {
      onclick: function () { client.addBot(id, level.value).catch(function (e) { setBanner(t("game.no_bot", { message: errText(e) })); }); }
    }, t("game.add_bot")));
  }

  function dig(r, c) {
    if (!room) return;
    room.dig(r, c).catch(function (e) {
      if (e.code === "closed") return;
      setBanner(t("game.not_dug", { message: errText(e) }));
      setTimeout(function () { setBanner(""); }, 2000);
    });
  }

  // Arrow keys move between cells; Enter or Space digs (buttons do that).
  function arrowKeys(e) {
    var d = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[e.key];
    var s = room && room.state;
    if (!d || !s || !e.target.dataset || e.target.dataset.row === undefined) return;
    var r = Math.min(s.rules.rows - 1, Math.max(0, Number(e.target.dataset.row) + d[0]));
    var c = Math.min(s.rules.cols - 1, Math.max(0, Number(e.target.dataset.col) + d[1]));
    var next = app.querySelector('.board [data-row="' + r + '"][data-col="' + c + '"]');
    if (next) { e.preventDefault(); next.removeAttribute("disabled"); next.focus(); if (next.classList.contains("undug") && !isMyTurn()) next.setAttribute("disabled", ""); }
  }

  function isMyTurn() {
    var s = room && room.state;
    return !!s && room.status === "open" && !play.ended && s.status === "playing" && room.you && room.you.seat === s.turn && room.you.role === "player";
  }

  function overPanel(s, mySeat) {
    // A game an admin ended (reason closed) counts for nobody: it shows the
    // board and the scores, with no result, even after room_closed.
    var res = s.result;
    if (!res || !(s.status === "finished" || (s.status === "closed" && res.reason === "closed"))) return null;
    var void_ = res.reason === "closed";
    var won = !void_ && mySeat !== null && res.winners.indexOf(mySeat) >= 0;
    var fair = h("p", { class: "fair" }, t("over.checking"));
    var key = String(res.game_id);
    if (fairness[key] === undefined) {
      G.verifyFairness(res).then(function (ok) { fairness[key] = ok; if (room) render(); }, function () { fairness[key] = null; if (room) render(); });
    } else if (fairness[key] === null) {
      fair = h("p", { class: "fair" }, t("over.no_crypto"));
    } else {
      fair = fairness[key] ? h("p", { class: "fair ok" }, t("over.fair")) : h("p", { class: "fair bad" }, t("over.unfair"));
    }
    return h("div", { class: "card over", role: "region", "aria-label": t("over.result") },
      h("h2", {}, void_ ? t("over.no_result") : won ? (res.winners.length > 1 ? t("over.shared") : t("over.you_win")) : t("over.title")),
      // Ranks, not list numbers: equal scores share a rank.
      h("ol", { class: "ranking" }, res.ranking.map(function (st) {
        var pl = s.players[st.seat] && s.players[st.seat].player_id === st.player_id ? s.players[st.seat] : {};
        return h("li", {}, void_ ? null : st.rank + ". ", h("span", { class: "sw " + seatColor(st.seat) }), " ", h("b", { text: seatName({ name: st.name, bot: pl.bot, bot_level: pl.bot_level }) }), " · " + t("over.gold", { n: st.score }) + (st.forfeited ? t("over.left") : "") + (st.rank === 1 && !void_ ? " ★" : ""),
          s.rated && !void_ ? ratingNote(res.game_id, st.player_id, pl) : null);
      })),
      h("p", { class: "muted reason" }, LANGS.en["reason." + res.reason] !== undefined ? t("reason." + res.reason) : res.reason),
      void_ ? h("p", { class: "muted no-result" }, t("over.no_result_text")) : null, fair);
  }

  route();
})();
