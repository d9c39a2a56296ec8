// Goldmine's web client: a lobby and a game page, on the SDK. Plain DOM,
// no build step. Player-made text (names, chat) only ever goes through
// textContent, never through HTML.
(function () {
  "use strict";

  var G = window.Goldmine;
  var app = document.getElementById("app");
  var banner = document.getElementById("banner");
  var STORE = "goldmine.player";
  // BASE is the path the server is mounted under ("" or, say, "/game"):
  // every URL of the client starts with it.
  var BASE = meta("goldmine-base");
  // With a host site's login (docs/embedding.md), the host signs players
  // in: the page may carry the player's token, and has no name form.
  var HOST_LOGIN = meta("goldmine-identity") === "host";
  var PAGE_TOKEN = meta("goldmine-token");
  var client = new G.Client({ baseURL: location.origin + BASE });
  var room = null;        // the Room on the game page
  var lobbyTimer = null;  // the room list's refresh
  var tick = null;        // the countdown
  var fairness = {};      // game id -> true/false once checked

  window.goldmine = { client: client, get room() { return room; } }; // for the console and tests

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

  function header() {
    var me = saved();
    return h("header", { class: "top" },
      h("a", { class: "brand", href: BASE + "/", onclick: function (e) { e.preventDefault(); go(BASE + "/"); } }, "◆ Goldmine"),
      me ? h("span", { class: "me" }, "Playing as ", h("b", { text: me.name }), " · ",
        HOST_LOGIN ? null : h("a", { href: "#", onclick: function (e) { e.preventDefault(); localStorage.removeItem(STORE); client.token = null; route(); } }, "change")) : null);
  }

  // --- Routing -------------------------------------------------------------

  function go(path) {
    history.pushState(null, "", path);
    route();
  }

  window.addEventListener("popstate", route);

  function route() {
    if (room) { room.close(); room = null; }
    if (lobbyTimer) { clearInterval(lobbyTimer); lobbyTimer = null; }
    setBanner("");
    var me = saved();
    if (PAGE_TOKEN && (!me || me.token !== PAGE_TOKEN)) { adoptPageToken(); return; }
    if (!me) { namePage(); return; }
    client.token = me.token;
    var m = location.pathname.slice(BASE.length).match(/^\/r\/([A-Za-z0-9]{6}|[A-Za-z0-9]{16})$/);
    if (m) gamePage(m[1].toUpperCase(), new URLSearchParams(location.search).get("watch") === "1");
    else lobbyPage();
  }

  // --- Name --------------------------------------------------------------------

  // adoptPageToken signs in the player the host put on the page.
  function adoptPageToken() {
    client.token = PAGE_TOKEN;
    client.me().then(function (p) {
      localStorage.setItem(STORE, JSON.stringify({ token: PAGE_TOKEN, player_id: p.player_id, name: p.name }));
      route();
    }, function (e) {
      PAGE_TOKEN = "";
      setBanner("Could not sign you in: " + e.message, true);
    });
  }

  function namePage() {
    if (HOST_LOGIN) {
      show(h("div", {}, header(), h("div", { class: "card" }, h("h1", {}, "Welcome to Goldmine"),
        h("p", {}, "Sign in on the site that hosts this game, then come back to play."))));
      return;
    }
    var input = h("input", { name: "name", maxlength: "24", required: true, autocomplete: "nickname", placeholder: "Your name" });
    var err = h("p", { class: "error", role: "alert" });
    var form = h("form", {
      class: "card", onsubmit: function (e) {
        e.preventDefault();
        client.createPlayer(input.value).then(function (p) {
          localStorage.setItem(STORE, JSON.stringify({ token: p.token, player_id: p.player_id, name: p.name }));
          route();
        }, function (e2) { err.textContent = e2.message; });
      }
    }, h("h1", {}, "Welcome to Goldmine"),
      h("p", { class: "muted" }, "Dig for gold, in turns. Every number tells how many of its 8 neighbours hold gold; the most gold wins."),
      h("div", { class: "row" }, h("label", {}, "Name ", input), h("button", { class: "primary", type: "submit" }, "Play")), err);
    show(h("div", {}, header(), form));
    input.focus();
  }

  // --- Lobby ----------------------------------------------------------------------

  function lobbyPage() {
    var list = h("ul", { class: "rooms", "aria-label": "Rooms" }, h("li", { class: "muted" }, "Loading…"));
    var err = h("p", { class: "error", role: "alert" });
    var code = h("input", { name: "code", maxlength: "6", placeholder: "K7M2QX", autocapitalize: "characters", "aria-label": "Room code", size: "8" });
    var preset = h("select", { name: "preset", "aria-label": "Preset" },
      h("option", { value: "classic" }, "Classic: 9×9, 10 gold, 2 players"),
      h("option", { value: "flags" }, "Flags: 16×16, 51 gold, gold keeps the turn"),
      h("option", { value: "party" }, "Party: 14×14, 40 gold, up to 6 players"),
      h("option", { value: "custom" }, "Custom rules…"));
    // Presets the host added, after the built-in ones.
    client.presets().then(function (list) {
      list.forEach(function (r) {
        if (r.preset === "classic" || r.preset === "flags" || r.preset === "party") return;
        preset.insertBefore(h("option", { value: r.preset }, r.preset + ": " + r.rows + "×" + r.cols + ", " + r.gold + " gold, up to " + r.max_players + " players"),
          preset.lastChild);
      });
    }, function () {});
    var fields = {
      rows: h("input", { type: "number", min: "5", max: "30", value: "9" }),
      cols: h("input", { type: "number", min: "5", max: "30", value: "9" }),
      gold: h("input", { type: "number", min: "1", max: "899", value: "10" }),
      max_players: h("input", { type: "number", min: "2", max: "8", value: "2" }),
      turn_seconds: h("input", { type: "number", min: "0", max: "3600", value: "30" })
    };
    var extra = h("input", { type: "checkbox" });
    var decided = h("input", { type: "checkbox" });
    var custom = h("div", { class: "custom", hidden: true },
      h("label", {}, "Rows", fields.rows), h("label", {}, "Columns", fields.cols), h("label", {}, "Gold", fields.gold),
      h("label", {}, "Players", fields.max_players), h("label", {}, "Seconds a turn (0: none)", fields.turn_seconds),
      h("label", {}, extra, "Gold keeps the turn"), h("label", {}, decided, "End when decided"));
    preset.addEventListener("change", function () { custom.hidden = preset.value !== "custom"; });
    var priv = h("input", { type: "checkbox" });
    var substitute = h("input", { type: "checkbox" });
    var name = h("input", { maxlength: "40", placeholder: "Room name (optional)" });

    var create = h("form", {
      class: "card", onsubmit: function (e) {
        e.preventDefault();
        var opts = { preset: preset.value === "custom" ? "classic" : preset.value, private: priv.checked };
        if (substitute.checked) opts.bot_substitute = "normal";
        if (name.value.trim()) opts.name = name.value;
        if (preset.value === "custom") {
          for (var k in fields) opts[k] = Number(fields[k].value);
          opts.extra_turn_on_gold = extra.checked;
          opts.end_when_decided = decided.checked;
        }
        client.createRoom(opts).then(function (snap) { go(BASE + "/r/" + snap.id); }, function (e2) { err.textContent = e2.message; });
      }
    }, h("h2", {}, "New room"), h("div", { class: "row" }, preset, name), custom,
      h("div", { class: "row" }, h("label", {}, priv, "Private (join by code only)")),
      h("div", { class: "row" }, h("label", {}, substitute, "A bot takes over from a player who leaves for good"),
        h("button", { class: "primary", type: "submit" }, "Create")), err);

    // Playing alone: a classic room with a bot in the other seat.
    var level = h("select", { name: "level", "aria-label": "Bot level" },
      h("option", { value: "easy" }, "Easy"), h("option", { value: "normal", selected: true }, "Normal"), h("option", { value: "hard" }, "Hard"));
    var solo = h("form", {
      class: "card solo", onsubmit: function (e) {
        e.preventDefault();
        client.createRoom({ preset: "classic", name: "vs " + level.value + " bot", private: true }).then(function (snap) {
          return client.addBot(snap.id, level.value).then(function () { go(BASE + "/r/" + snap.id); });
        }).catch(function (e2) { err.textContent = e2.message; });
      }
    }, h("h2", {}, "Play a bot"), h("div", { class: "row" }, level, h("button", { class: "primary", type: "submit" }, "Play")));

    var join = h("form", {
      class: "card", onsubmit: function (e) {
        e.preventDefault();
        var id = code.value.trim().toUpperCase();
        if (/^([23456789A-HJ-NP-Z]{6}|[23456789A-HJ-NP-Z]{16})$/.test(id)) go(BASE + "/r/" + id); else err.textContent = "A room code has 6 letters and digits, without 0, O, 1 or I.";
      }
    }, h("h2", {}, "Join by code"), h("div", { class: "row" }, code, h("button", { type: "submit" }, "Join")));

    show(h("div", {}, header(), h("div", { class: "grid2" }, create, h("div", {}, solo, join)), h("h2", {}, "Rooms"), list));
    function refresh() {
      client.listRooms().then(function (rooms) {
        var items = rooms.filter(function (r) { return r.status !== "finished"; }).map(function (r) {
          var open = r.status === "waiting" && r.players < r.max_players;
          return h("li", {},
            h("span", { class: "name", text: r.name }),
            h("code", { class: "room-id", text: r.id }),
            h("span", { class: "meta", text: r.rules.preset + " " + r.rules.rows + "×" + r.rules.cols + " · " + r.players + "/" + r.max_players + " players · " + r.status }),
            h("span", { class: "actions" },
              open ? h("button", { class: "primary", onclick: function () { go(BASE + "/r/" + r.id); } }, "Join") : null,
              h("button", { onclick: function () { go(BASE + "/r/" + r.id + "?watch=1"); } }, "Watch")));
        });
        list.replaceChildren.apply(list, items.length ? items : [h("li", { class: "muted" }, "No open rooms. Create one!")]);
      }, function () { /* the next refresh will tell */ });
    }
    refresh();
    lobbyTimer = setInterval(refresh, 3000);
  }

  // --- Game -----------------------------------------------------------------------

  function gamePage(id, watch) {
    var view = h("div", {}, header(), h("p", { class: "loading" }, "Joining room " + id + "…"));
    show(view);
    room = client.join(id, { as: watch ? "spectator" : "player" });
    var r = room;
    r.on("state", function () { if (r === room) render(); });
    r.on("status", function (s) {
      if (s === "reconnecting") setBanner("Connection lost: reconnecting…");
      else if (s === "open") setBanner("");
    });
    r.on("reconnecting", function (ev) { setBanner("Connection lost: reconnecting (attempt " + ev.attempt + ")…"); });
    r.on("gave_up", function () { setBanner("Cannot reach the server. Reload the page to try again.", true); });
    r.on("seat_lost", function () { setBanner("Your seat is gone: watching as a spectator."); });
    r.on("closed", function (ev) {
      if (ev.code === 4001) setBanner("This game is open in another tab or device.", true);
      else if (ev.code === 4000) setBanner("The room was closed.", true);
      else if (ev.code === 4002) setBanner("You were removed from the room.", true);
      else if (ev.code === 4003) setBanner("You are banned.", true);
    });
    r.on("error", function (e) {
      if (e.code === "unknown_room") show(h("div", {}, header(), h("div", { class: "card" }, h("h1", {}, "No room " + id), h("p", {}, "It may have closed."), h("button", { onclick: function () { go(BASE + "/"); } }, "Back to the lobby"))));
      else if (e.code === "unauthorized") { localStorage.removeItem(STORE); route(); }
    });
    if (tick) clearInterval(tick);
    tick = setInterval(function () { if (r === room) countdown(); }, 250);
  }

  function seatColor(seat) { return "s" + (seat % 8); }

  function countdown() {
    var el = document.getElementById("countdown");
    if (!el || !room || !room.state) return;
    var d = room.state.deadline;
    el.textContent = d ? Math.max(0, Math.ceil((d - Date.now()) / 1000)) + " s" : "";
  }

  function render() {
    var s = room.state;
    if (!s) return;
    var mySeat = room.you && room.you.seat !== null && room.you.seat !== undefined && room.you.role === "player" ? room.you.seat : null;
    var myTurn = s.status === "playing" && s.turn === mySeat && room.status === "open";
    var finders = {};
    (s.gold_found || []).forEach(function (g) { finders[g.row + "," + g.col] = g.seat; });

    var board = h("div", { class: "board", role: "grid", "aria-label": "Board", style: "grid-template-columns: repeat(" + s.rules.cols + ", 1fr); --cols: " + s.rules.cols });
    for (var r = 0; r < s.rules.rows; r++) {
      for (var c = 0; c < s.rules.cols; c++) {
        var v = s.board[r][c];
        var cell;
        if (v === null) {
          cell = h("button", { class: "cell undug", "data-row": r, "data-col": c, disabled: !myTurn, "aria-label": "Row " + (r + 1) + ", column " + (c + 1) + ": not dug", onclick: digHandler(r, c) });
        } else if (v === -1) {
          var seat = finders[r + "," + c];
          var who = seat !== undefined && s.players[seat] ? s.players[seat].name : "someone";
          cell = h("button", { class: "cell gold " + seatColor(seat === undefined ? 0 : seat), "data-row": r, "data-col": c, disabled: true, title: "Gold, dug by " + who, "aria-label": "Row " + (r + 1) + ", column " + (c + 1) + ": gold, dug by " + who }, "◆");
        } else {
          cell = h("button", { class: "cell dug n" + v, "data-row": r, "data-col": c, disabled: true, "aria-label": "Row " + (r + 1) + ", column " + (c + 1) + ": " + v }, v > 0 ? String(v) : "");
        }
        board.appendChild(cell);
      }
    }
    board.addEventListener("keydown", arrowKeys(s.rules.rows, s.rules.cols));

    var players = h("ul", { class: "players", "aria-label": "Players" }, s.players.map(function (p) {
      return h("li", { class: (p.seat === s.turn && s.status === "playing" ? "turn " : "") + (p.left ? "left" : "") },
        h("span", { class: "sw " + seatColor(p.seat) }), h("span", { class: "dot" + (p.connected ? " on" : ""), title: p.connected ? "connected" : "disconnected" }),
        h("span", { text: p.name + (p.seat === mySeat ? " (you)" : "") + (p.bot ? " 🤖" : "") }),
        p.seat === s.turn && s.status === "playing" ? h("span", { id: "countdown", class: "muted" }) : null,
        h("span", { class: "score", text: String(p.score) }));
    }));

    var turnLine;
    if (s.status === "waiting") turnLine = h("p", { class: "turnline" }, "Waiting for players (" + s.players.length + "/" + s.rules.max_players + ")…");
    else if (s.status === "playing") turnLine = h("p", { class: "turnline" + (myTurn ? " mine" : "") }, myTurn ? "Your turn: dig a cell." : (s.players[s.turn] ? s.players[s.turn].name + " is digging…" : ""));
    else if (s.status === "finished") turnLine = h("p", { class: "turnline" }, "Game over.");
    else turnLine = h("p", { class: "turnline" }, "The room is closed.");

    var link = location.origin + BASE + "/r/" + s.id;
    var shareInput = h("input", { value: link, readonly: true, "aria-label": "Share link" });
    var actions = h("div", { class: "row" },
      s.status === "waiting" && mySeat !== null && s.players.length >= 2 ? h("button", { class: "primary", onclick: function () { room.start(); } }, "Start") : null,
      s.status === "waiting" && (saved() || {}).player_id === s.created_by && s.players.length < s.rules.max_players ? addBotControl(s.id) : null,
      s.status === "finished" && mySeat !== null && !(s.players[mySeat] || {}).rematch ? h("button", { class: "primary", onclick: function () { room.rematch(); } }, "Rematch") : null,
      s.status === "finished" && mySeat !== null && (s.players[mySeat] || {}).rematch ? h("span", { class: "muted" }, "Waiting for the others to want a rematch…") : null,
      mySeat !== null && s.status !== "closed" ? h("button", { onclick: function () { if (s.status !== "playing" || confirm("Leave? You forfeit the game.")) { room.leave(); go(BASE + "/"); } } }, "Leave") : null,
      mySeat === null ? h("span", { class: "muted" }, "You are watching.") : null);

    var chatInput = h("input", { maxlength: "200", placeholder: "Say something", "aria-label": "Chat" });
    var chat = h("form", { class: "card chat", onsubmit: function (e) { e.preventDefault(); if (chatInput.value.trim()) { room.chat(chatInput.value); chatInput.value = ""; } } },
      h("h2", {}, "Chat"),
      h("ul", {}, room.messages.slice(-30).map(function (m) { return h("li", {}, h("b", { text: m.name + ": " }), h("span", { text: m.text })); })),
      h("div", { class: "row" }, chatInput, h("button", { type: "submit" }, "Send")));

    var focusKey = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.row + "," + document.activeElement.dataset.col : null;
    var chatFocus = document.activeElement && document.activeElement.getAttribute("aria-label") === "Chat" ? document.activeElement.value : null;
    show(h("div", {}, header(),
      h("h1", {}, h("span", { text: s.name }), " ", h("code", { class: "room-id", text: s.id })),
      h("div", { class: "game" },
        h("section", {}, turnLine, board, overPanel(s, mySeat)),
        h("aside", {},
          players, h("p", { class: "muted" }, s.gold_left + " gold left · " + s.spectators + " watching"),
          actions,
          h("div", { class: "share" }, shareInput, h("button", { onclick: function () { shareInput.select(); if (navigator.clipboard) navigator.clipboard.writeText(link); } }, "Copy link")),
          chat))));
    countdown();
    if (focusKey) {
      var again = app.querySelector('[data-row="' + focusKey.split(",")[0] + '"][data-col="' + focusKey.split(",")[1] + '"]');
      if (again && !again.disabled) again.focus();
    }
    if (chatFocus !== null) {
      var ci = app.querySelector('input[aria-label="Chat"]');
      ci.value = chatFocus;
      ci.focus();
    }
  }

  // addBotControl lets a room's creator fill a seat with a bot.
  function addBotControl(id) {
    var level = h("select", { "aria-label": "Bot level" },
      h("option", { value: "easy" }, "Easy bot"), h("option", { value: "normal", selected: true }, "Normal bot"), h("option", { value: "hard" }, "Hard bot"));
    return h("span", { class: "row add-bot" }, level, h("button", {
      onclick: function () { client.addBot(id, level.value).catch(function (e) { setBanner("No bot: " + e.message); }); }
    }, "Add bot"));
  }

  function digHandler(r, c) {
    return function () {
      room.dig(r, c).catch(function (e) { if (e.code !== "closed") setBanner("Not dug: " + e.message); setTimeout(function () { setBanner(""); }, 2000); });
    };
  }

  // Arrow keys move between cells; Enter or Space digs (buttons do that).
  function arrowKeys(rows, cols) {
    return function (e) {
      var d = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[e.key];
      if (!d || !e.target.dataset) return;
      var r = Math.min(rows - 1, Math.max(0, Number(e.target.dataset.row) + d[0]));
      var c = Math.min(cols - 1, Math.max(0, Number(e.target.dataset.col) + d[1]));
      var next = app.querySelector('[data-row="' + r + '"][data-col="' + c + '"]');
      if (next) { e.preventDefault(); next.removeAttribute("disabled"); next.focus(); if (next.classList.contains("undug") && !isMyTurn()) next.setAttribute("disabled", ""); }
    };
  }

  function isMyTurn() {
    var s = room && room.state;
    return !!s && s.status === "playing" && room.you && room.you.seat === s.turn && room.you.role === "player";
  }

  function overPanel(s, mySeat) {
    if (s.status !== "finished" || !s.result) return null;
    var res = s.result;
    var won = mySeat !== null && res.winners.indexOf(mySeat) >= 0;
    var fair = h("p", { class: "fair" }, "Checking fairness…");
    var key = String(res.game_id);
    if (fairness[key] === undefined) {
      G.verifyFairness(res).then(function (ok) { fairness[key] = ok; if (room) render(); }, function () { fairness[key] = null; if (room) render(); });
    } else if (fairness[key] === null) {
      fair = h("p", { class: "fair" }, "This browser cannot check the fairness here (it needs HTTPS).");
    } else {
      fair = fairness[key]
        ? h("p", { class: "fair ok" }, "✓ Fairness verified: the board was fixed before the first dig (SHA-256 of salt and layout equals the commitment).")
        : h("p", { class: "fair bad" }, "✗ The commitment does not match the board.");
    }
    return h("div", { class: "card over", role: "region", "aria-label": "Result" },
      h("h2", {}, won ? (res.winners.length > 1 ? "A shared win!" : "You win!") : "Game over"),
      // Ranks, not list numbers: equal scores share a rank.
      h("ol", { class: "ranking" }, res.ranking.map(function (st) {
        return h("li", {}, st.rank + ". ", h("span", { class: "sw " + seatColor(st.seat) }), " ", h("b", { text: st.name }), " · " + st.score + " gold" + (st.forfeited ? " (left)" : "") + (st.rank === 1 ? " ★" : ""));
      })),
      h("p", { class: "muted" }, reasonText(res.reason)), fair);
  }

  function reasonText(r) {
    return { all_gold: "All the gold is dug.", decided: "Nobody could catch the leader any more.", forfeit: "Too few players were left.", closed: "An admin closed the game." }[r] || r;
  }

  route();
})();
