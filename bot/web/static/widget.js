/* consultbot web chat: one <script src=".../widget.js" defer> adds a launcher button
 * that opens the chat; data-mode="page" data-target="#id" shows it inline instead.
 * Other attributes: data-consultation (a consultation id), data-lang (a language of
 * the text catalogue: fr, en), data-source (a source tag; the page's ?src= wins).
 * Plain JavaScript, no build step. Protocol: bot/channels/webchat.py (version 1). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.WebSocket) return;

  // The text catalogue's "widget" section by language, and the deployment's
  // default language: the server fills both in (bot/web/pages.py).
  var STRINGS = __WIDGET_TEXTS__;
  var DEFAULT_LANG = __DEFAULT_LANGUAGE__;

  var base = new URL(script.src, location.href);
  var cfg = script.dataset;
  var pageMode = cfg.mode === "page";
  var query = new URLSearchParams(location.search);
  var lang = [query.get("lang"), cfg.lang, document.documentElement.lang.slice(0, 2)]
    .filter(function (l) { return l && STRINGS[l]; })[0] || DEFAULT_LANG;
  var T = STRINGS[lang];
  var consultation = cfg.consultation || null;
  var source = query.get("src") || cfg.source || null; // which poster brought them
  var maxText = 4000;
  var uid = "cb" + Math.random().toString(36).slice(2, 8);
  var store = storage();
  var stateKey = "consultbot:" + base.host + ":" + (consultation || "default");
  var tokenKey = "consultbot:" + base.host + ":token";
  var state = load();

  // ---- the DOM, inside a shadow root so that the host page's styles stay out
  var host = document.createElement("div");
  host.className = "consultbot";
  host.style.display = "none";
  var root = host.attachShadow({ mode: "open" });
  var css = el("link", { rel: "stylesheet", href: new URL("widget.css", base).href });
  css.onload = css.onerror = function () { host.style.display = ""; };
  root.appendChild(css);

  var titleId = uid + "-title";
  var inputId = uid + "-input";
  var panel = el("section", { class: "panel " + (pageMode ? "page" : "floating"), lang: lang,
    "aria-labelledby": titleId });
  var closeButton = null;
  var heading = el("h2", { id: titleId }, pageMode ? T.chat : state.title || T.title);
  var head = el("div", { class: "head" }, [heading]);
  if (!pageMode) {
    panel.setAttribute("role", "dialog");
    panel.hidden = true;
    closeButton = el("button", { type: "button", class: "close", "aria-label": T.close },
      [icon("M6 6l12 12M18 6L6 18")]);
    closeButton.addEventListener("click", function () { setOpen(false); });
    head.appendChild(closeButton);
  }
  var log = el("div", { class: "log", role: "log", "aria-labelledby": titleId, tabindex: "0" });
  var start = el("div", { class: "start" }, [el("p", {}, typeset(T.startHint))]);
  var startButton = el("button", { type: "button", class: "primary" }, T.start);
  startButton.addEventListener("click", function (event) { send(T.greeting, null); refocus(event); });
  start.appendChild(startButton);
  var status = el("div", { class: "status", role: "status" });
  var alertBox = el("div", { class: "alert", role: "alert" });
  var input = el("input", { id: inputId, type: "text", autocomplete: "off", maxlength: String(maxText),
    enterkeyhint: "send", dir: "auto" });
  var form = el("form", { class: "form" }, [
    el("label", { for: inputId, class: "sr" }, T.input),
    input,
    el("button", { type: "submit", class: "primary send" }, T.send)
  ]);
  input.setAttribute("placeholder", T.input);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    if (text.length > maxText) { say(alertBox, T.tooLong.replace("{n}", maxText)); return; }
    input.value = "";
    send(text, null);
  });
  panel.append(head, log, start, status, alertBox, form);
  root.appendChild(panel);

  var launcher = null;
  // On a small screen (or at large text) the panel covers the page: it is modal then.
  var fullScreen = window.matchMedia("(max-width: 32rem), (max-height: 32rem)");
  if (pageMode) {
    var target = document.querySelector(cfg.target || "#consultbot");
    if (!target) return;
    target.textContent = "";
    target.appendChild(host);
  } else {
    launcher = el("button", { type: "button", class: "launcher", "aria-expanded": "false",
      "aria-controls": uid + "-panel" }, [icon("M4 5h16v11H9l-5 4z"), el("span", {}, T.launcher)]);
    panel.id = uid + "-panel";
    // Opened by a finger, focus goes to the log: in the input it would raise the
    // on-screen keyboard over the hint and the start button before they are read.
    var byTouch = false;
    launcher.addEventListener("pointerdown", function (event) {
      byTouch = event.pointerType === "touch";
    });
    launcher.addEventListener("click", function () { setOpen(panel.hidden, byTouch); byTouch = false; });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); setOpen(false); }
      if (event.key === "Tab" && panel.getAttribute("aria-modal") === "true") trap(event);
    });
    // Safari before 14 (iOS 13 and older) has only addListener.
    if (fullScreen.addEventListener) fullScreen.addEventListener("change", modal);
    else fullScreen.addListener(modal);
    root.insertBefore(launcher, panel);
    document.body.appendChild(host);
  }

  // The latest message stays in view when the log shrinks (an on-screen keyboard
  // opens, a phone turns), unless the resident had scrolled up to read.
  var atEnd = true;
  log.addEventListener("scroll", function () {
    atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
  });
  if (window.ResizeObserver) new ResizeObserver(function () { if (atEnd) scrollDown(); }).observe(log);

  state.items.forEach(render);
  start.hidden = state.items.length > 0;
  scrollDown();

  // ---- the connection: hello, then messages; pending ones are resent after a reconnect
  var ws = null;
  var ready = false;
  var attempt = 0;
  var retryTimer = null;
  var countdown = null;
  var resendDelay = 2; // seconds; doubles while the server keeps failing
  var resendTimer = null;
  // A connection can die without closing: after a phone moves from Wi-Fi to 4G its
  // socket stays open and nothing passes. The server acknowledges a message within a
  // fraction of a second and welcomes a hello at once, so silence for longer than
  // this means the connection is gone: it is dropped, and its messages sent again.
  var SILENCE_MS = { message: 6000, hello: 12000 };
  var watchdog = null;
  // An ack says the reply takes a while, not that the connection will last until
  // it comes: while a reply is due, a ping goes out after PING_MS.waiting without a
  // frame, and its pong (answered at once) must come back within SILENCE_MS.message.
  // A resident watching an idle chat (waiting for the team's reply) is checked on
  // less often: a dead connection holds back what the team writes meanwhile.
  var PING_MS = { waiting: 2000, idle: 25000 };
  var pingTimer = null;

  if (pageMode || state.pending.length) connect();
  // Back to the chat (the phone woken, the tab shown again): the connection left
  // idle meanwhile may be dead, with the team's reply waiting behind it.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && ready) frame({ type: "ping" });
  });
  window.addEventListener("online", function () {
    clearTimeout(retryTimer);
    if (ws) reconnect(); else connect(); // a socket of the network left behind is dead
  });

  function connect() {
    if (ws) return;
    clearInterval(countdown);
    if (attempt > 0) say(status, T.connecting);
    var url = new URL("ws", base);
    url.protocol = base.protocol === "https:" ? "wss:" : "ws:";
    try { ws = new WebSocket(url.href); } catch (e) { ws = null; retry(); return; }
    listen("hello");
    ws.onopen = function () {
      frame({ type: "hello", token: store.get(tokenKey), consultation: consultation, lang: lang, src: source,
        seen: true });
    };
    ws.onmessage = function (event) {
      clearTimeout(watchdog);
      watchdog = null;
      var data;
      try { data = JSON.parse(event.data); } catch (e) { data = null; }
      if (data) receive(data);
      keepAlive();
    };
    ws.onclose = function () {
      clearTimeout(watchdog);
      clearTimeout(pingTimer);
      ws = null;
      ready = false;
      retry();
    };
  }

  // The connection is checked after PING_MS of quiet: while a reply is due, or
  // while the resident can see the chat.
  function keepAlive() {
    clearTimeout(pingTimer);
    if (!ready) return;
    pingTimer = setTimeout(function () {
      if (state.pending.length || watched()) frame({ type: "ping" }); else keepAlive();
    }, state.pending.length ? PING_MS.waiting : PING_MS.idle);
  }

  function watched() {
    return document.visibilityState === "visible" && (pageMode || !panel.hidden);
  }

  // Something must come back within SILENCE_MS[what], or the connection is dead.
  function listen(what) {
    if (watchdog) return;
    watchdog = setTimeout(reconnect, SILENCE_MS[what]);
  }

  function reconnect() {
    clearTimeout(watchdog);
    clearTimeout(pingTimer);
    watchdog = null;
    var dead = ws;
    if (!dead) return;
    ws = null;
    ready = false;
    dead.onopen = dead.onmessage = dead.onclose = null;
    dead.close(); // its closing handshake may never end: not waited for
    status.classList.remove("typing");
    say(status, T.connecting);
    if (attempt > 0) retry(); else { attempt = 1; connect(); }
  }

  function retry() {
    var delay = Math.min(30, Math.pow(2, attempt)) * (0.5 + Math.random() / 2);
    attempt += 1;
    var left = Math.ceil(delay);
    if (attempt > 1) {
      say(status, T.offline.replace("{s}", left));
      countdown = setInterval(function () {
        left -= 1;
        if (left > 0) status.textContent = T.offline.replace("{s}", left);
      }, 1000);
    }
    retryTimer = setTimeout(connect, delay * 1000);
  }

  function frame(data) {
    data.v = 1;
    if (!ws || ws.readyState !== 1) return;
    ws.send(JSON.stringify(data));
    if (data.type === "message" || data.type === "ping") listen("message");
  }

  function flush() {
    if (!ready) return;
    state.pending.forEach(function (m) { frame({ type: "message", id: m.id, text: m.text }); });
  }

  function receive(data) {
    if (data.type === "welcome") {
      ready = true;
      attempt = 0;
      clearInterval(countdown);
      store.set(tokenKey, data.token);
      if (data.title && !pageMode && data.title !== state.title) {
        state.title = data.title; // the page around a full-page chat has it already
        heading.textContent = data.title;
        save();
      }
      if (data.limits && data.limits.max_text) maxText = data.limits.max_text;
      if (!state.pending.length) say(status, "");
      flush();
    } else if (data.type === "ack") {
      if (!state.pending.some(function (m) { return m.id === data.id; })) return;
      say(status, T.typing); // the reply takes a while
      status.classList.add("typing");
    } else if (data.type === "reply") {
      if (state.answered.indexOf(data.id) >= 0) return; // already shown before a reconnect
      resendDelay = 2;
      state.pending = state.pending.filter(function (m) { return m.id !== data.id; });
      state.answered = state.answered.concat([data.id]).slice(-100);
      (data.messages || []).forEach(function (m) {
        add({ who: "bot", text: String(m.text), buttons: m.buttons || [], multi: !!m.multi_select,
          max: m.max_selections });
      });
      if (!state.pending.length) { say(status, ""); status.classList.remove("typing"); }
      save();
    } else if (data.type === "team") { // a person of the consultation team writes
      frame({ type: "seen", id: data.id }); // else it comes again: the frame may be lost
      if (state.answered.indexOf(data.id) >= 0) return;
      state.answered = state.answered.concat([data.id]).slice(-100);
      add({ who: "team", text: String(data.text) });
      save();
    } else if (data.type === "error") {
      onError(data);
    }
  }

  function onError(data) {
    if (!data.id) return;
    if (data.code === "unavailable" || data.code === "rate_limited") {
      if (data.code === "rate_limited") say(alertBox, T.slowDown);
      clearTimeout(resendTimer); // the message stays pending; send it again later
      resendTimer = setTimeout(flush, resendDelay * (1000 + Math.random() * 1000));
      resendDelay = Math.min(60, resendDelay * 2);
      return;
    }
    var lost = state.pending.filter(function (m) { return m.id === data.id; })[0];
    state.pending = state.pending.filter(function (m) { return m.id !== data.id; });
    save();
    if (lost) say(alertBox, T.notSent + (data.message || ""));
    if (!state.pending.length) { say(status, ""); status.classList.remove("typing"); }
  }

  // ---- the transcript: appended only, saved so that a reload shows it again
  function send(text, shown) {
    settleChoices();
    var id = newId();
    start.hidden = true;
    say(alertBox, "");
    add({ who: "me", text: shown || text });
    state.pending.push({ id: id, text: text });
    save();
    if (ready) frame({ type: "message", id: id, text: text });
    else connect();
  }

  function add(item) {
    state.items.push(item);
    render(item);
    scrollDown();
  }

  function render(item) {
    var bubble = el("div", { class: "msg " + item.who }, [
      el("span", { class: item.who === "team" ? "from" : "sr" },
        item.who === "me" ? T.you : item.who === "team" ? T.team : T.bot),
      el("p", { dir: "auto" }, item.who === "bot" ? typeset(item.text) : item.text) // Hebrew, Arabic
    ]);
    log.appendChild(bubble);
    if (item.buttons && item.buttons.length) log.appendChild(choices(item));
  }

  function choices(item) {
    var group = el("div", { class: "choices", role: "group", "aria-label": T.suggestions });
    var picked = [];
    var ok = null; // a multiple choice's confirm button, unavailable until a box is ticked
    item.buttons.forEach(function (b) {
      var button = el("button", { type: "button", class: "choice" }, String(b.title));
      if (item.multi) button.setAttribute("aria-pressed", "false");
      if (item.done) {
        button.disabled = true;
        if ((item.chosen || []).indexOf(b.payload) >= 0) button.classList.add("chosen");
      }
      button.addEventListener("click", function (event) {
        if (item.done) return;
        if (item.multi) {
          var on = button.getAttribute("aria-pressed") !== "true";
          // The tick past the flow's maximum is refused now, not the answer at OK.
          // Set even when unchanged: a second refusal is read out again.
          if (on && picked.length >= item.max) {
            alertBox.textContent = T.tooMany.replace("{n}", item.max);
            return;
          }
          say(alertBox, "");
          button.setAttribute("aria-pressed", String(on));
          picked = picked.filter(function (p) { return p.payload !== b.payload; });
          if (on) picked.push(b);
          ok.setAttribute("aria-disabled", String(!picked.length));
          return;
        }
        choose(item, [b], event);
      });
      group.appendChild(button);
    });
    if (item.multi && !item.done) {
      // Not `disabled`: it stays in the Tab order and is read out as unavailable.
      ok = el("button", { type: "button", class: "primary", "aria-disabled": "true" }, T.confirm);
      ok.addEventListener("click", function (event) { if (picked.length) choose(item, picked, event); });
      group.appendChild(ok);
    }
    item.group = group;
    return group;
  }

  function choose(item, buttons, event) {
    item.chosen = buttons.map(function (b) { return b.payload; });
    send(item.chosen.join(", "), buttons.map(function (b) { return b.title; }).join(", "));
    refocus(event);
  }

  // The pressed button is gone or disabled: a key press (detail 0) goes on in the
  // input; a tap or a click to the log, which raises no on-screen keyboard.
  function refocus(event) {
    if (event.detail === 0) input.focus(); else log.focus({ preventScroll: true });
  }

  function settleChoices() {
    state.items.forEach(function (item) {
      if (!item.buttons || !item.buttons.length || item.done) return;
      item.done = true;
      if (!item.group) return;
      Array.prototype.forEach.call(item.group.querySelectorAll("button"), function (button, i) {
        button.disabled = true;
        var b = item.buttons[i];
        if (b && (item.chosen || []).indexOf(b.payload) >= 0) button.classList.add("chosen");
        if (!b) button.remove(); // the confirm button of a multiple choice
      });
    });
  }

  function modal() {
    if (!panel.hidden && fullScreen.matches) panel.setAttribute("aria-modal", "true");
    else panel.removeAttribute("aria-modal");
  }

  // Tab from the last control goes to the first, Shift+Tab from the first to the last.
  function trap(event) {
    var stops = Array.prototype.filter.call(panel.querySelectorAll("button, input, [tabindex]"),
      function (n) { return !n.disabled && n.getClientRects().length; });
    var here = root.activeElement;
    var edge = event.shiftKey ? stops[0] : stops[stops.length - 1];
    if (here !== edge && stops.indexOf(here) >= 0) return;
    event.preventDefault();
    (event.shiftKey ? stops[stops.length - 1] : stops[0]).focus();
  }

  function setOpen(open, byTouch) {
    panel.hidden = !open;
    modal();
    launcher.setAttribute("aria-expanded", String(open));
    if (!open) { launcher.focus(); return; }
    connect();
    scrollDown();
    if (byTouch) log.focus({ preventScroll: true }); else input.focus();
  }

  // French punctuation keeps its (narrow no-break) space: "contribution !" never
  // breaks before the "!".
  function typeset(text) {
    return text.replace(/ ([!?:;»])/g, "\u202f$1").replace(/« /g, "«\u202f");
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function say(region, text) { if (region.textContent !== text) region.textContent = text; }

  // ---- small pieces
  function load() {
    var saved = null;
    try { saved = JSON.parse(store.get(stateKey) || "null"); } catch (e) { saved = null; }
    if (!saved || !Array.isArray(saved.items)) saved = { items: [], pending: [], answered: [] };
    return saved;
  }

  function save() {
    store.set(stateKey, JSON.stringify({
      items: state.items.slice(-200).map(function (i) {
        return { who: i.who, text: i.text, buttons: i.buttons, multi: i.multi, done: i.done,
          chosen: i.chosen, max: i.max };
      }),
      pending: state.pending,
      answered: state.answered,
      title: state.title
    }));
  }

  function storage() {
    try {
      var ls = window.localStorage;
      ls.setItem("consultbot:probe", "1");
      ls.removeItem("consultbot:probe");
      return { get: function (k) { return ls.getItem(k); }, set: function (k, v) { ls.setItem(k, v); } };
    } catch (e) { // storage blocked: the conversation lasts as long as the page
      var memory = {};
      return { get: function (k) { return memory[k] || null; }, set: function (k, v) { memory[k] = v; } };
    }
  }

  function newId() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); })
      .join("");
  }

  function el(tag, attrs, content) {
    var node = document.createElement(tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (typeof content === "string") node.textContent = content;
    else if (content) content.forEach(function (c) { node.appendChild(c); });
    return node;
  }

  function icon(path) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var p = document.createElementNS(ns, "path");
    p.setAttribute("d", path);
    svg.appendChild(p);
    return svg;
  }
})();
