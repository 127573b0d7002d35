// The ticket page: render the hub's view of one ticket, live by EventSource, else by polling.
(function () {
  "use strict";
  var boot = JSON.parse(document.getElementById("boot").textContent);
  var T = boot.texts, token = boot.token, base = "/t/" + token;
  var last = null, es = null, pollTimer = null, score = 0, chosen = {};
  var notified = {}, slotTimer = null;
  // the hall's clock (a simulated hall's too) as an offset from the phone's
  var skew = boot.now ? Date.parse(boot.now) - Date.now() : 0;

  function $(id) { return document.getElementById(id); }
  function fmt(s, args) {
    return s.replace(/\{(\w+)\}/g, function (_, k) { return args[k] == null ? "" : args[k]; });
  }
  function text(id, s) { $(id).textContent = s || ""; }
  function show(id, on) { $(id).hidden = !on; }
  function windowName(v) { return v.window_name || (v.window ? v.window + "号窗口" : ""); }

  function beep() {
    try {
      if (navigator.vibrate) { navigator.vibrate([300, 150, 300, 150, 600]); }
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) { return; }
      var ctx = new Ctx(), o = ctx.createOscillator(), g = ctx.createGain();
      o.frequency.value = 880; o.connect(g); g.connect(ctx.destination);
      g.gain.setValueAtTime(0.2, ctx.currentTime); o.start();
      o.stop(ctx.currentTime + 0.6);
    } catch (e) { /* the browser does not allow sound before a tap: the screen says it */ }
  }
  function notify(key, body) {
    if (notified[key]) { return; }
    notified[key] = true;
    try {
      if (window.Notification && Notification.permission === "granted") {
        new Notification(boot.hall, { body: body, tag: token });
      }
    } catch (e) { /* not permitted here */ }
  }

  // ms until a booked ticket's slot begins (called with priority from then), else 0
  function slotAhead(v) {
    var at = v.slot ? Date.parse(v.slot) : NaN;
    return isNaN(at) ? 0 : Math.max(0, at - (Date.now() + skew));
  }

  function render(v) {
    var prev = last; last = v;
    var early = v.status === "waiting" ? slotAhead(v) : 0;
    if (slotTimer) { clearTimeout(slotTimer); slotTimer = null; }
    if (early) { slotTimer = setTimeout(function () { render(last); }, Math.min(early + 500, 2e9)); }
    text("no", v.no); text("service", v.service_name); show("green", v.green);
    var st = v.status, w = windowName(v), status = "", ahead = "", est = "";
    if (st === "waiting") {
      ahead = v.waiting_ahead > 0 ? fmt(T.ahead, { n: v.waiting_ahead }) : T.ahead_none;
      est = v.est_wait_s > 0 ? fmt(T.est_wait, { m: Math.max(1, Math.round(v.est_wait_s / 60)) })
                             : T.est_soon;
      if (early) { est = fmt(T.slot_first, { t: v.slot_start }); }
      if (v.transferred > 0) { status = fmt(T.transferred, { service: v.service_name }); }
    } else if (st === "called") { status = fmt(T.called, { window: w }); }
    else if (st === "serving") { status = fmt(T.serving, { window: w }); }
    else if (st === "held") { status = fmt(T.held, { window: w }); }
    else if (st === "skipped") { status = T.skipped; }
    else if (st === "finished") { status = v.rated ? T.finished + "。" + T.rated : T.finished; }
    else if (st === "cancelled") { status = T.cancelled; }
    else if (st === "gone") { status = T.gone; ahead = T.gone_why; est = T.gone_todo; }
    else if (v.day_ended) {
      status = v.date && boot.today && v.date !== boot.today ? fmt(T.day_ended_on, { date: v.date })
                                                             : T.day_ended;
      ahead = boot.day_end_why[v.closed_reason] || T.day_end_why; est = T.day_end_todo;
    }
    else { status = T.closed; }
    text("status", status); text("ahead", ahead); text("est", est);
    $("status").className = "status st-" + st;
    $("ahead").className = "ahead" + (st === "waiting" && v.waiting_ahead === 0 ? " none" : "");
    show("ahead", !!ahead); show("est", !!est);

    var soon = st === "waiting" && !early && v.waiting_ahead <= boot.soon_ahead;
    show("soon", soon); text("soon", soon ? T.soon : "");
    if (soon) { notify("soon", fmt(T.notify_soon, { no: v.no })); }

    var ul = $("windows"); ul.textContent = "";
    (v.windows || []).forEach(function (x) {
      var li = document.createElement("li");
      var tag = x.status === "open" ? "" : (x.status === "paused" ? T.window_paused : T.window_closed);
      li.textContent = x.name + (tag ? "（" + tag + "）" : "");
      li.className = "w-" + x.status;
      ul.appendChild(li);
    });
    show("windows-card", st === "waiting" && (v.windows || []).length > 0);

    var called = st === "called";
    show("called", called);
    if (called) {
      var main = $("called-main"); main.textContent = "";
      [[T.called_pre, "pre"], [w, "win"], [T.called_post, "post"]].forEach(function (p) {
        var d = document.createElement("div"); d.textContent = p[0]; d.className = "called-" + p[1];
        main.appendChild(d);
      });
      text("called-sub", fmt(T.called_sub, { no: v.no }));
      var key = "called-" + v.window + "-" + v.recalls;
      if (!prev || prev.status !== "called" || prev.recalls !== v.recalls || !notified[key]) {
        beep(); notify(key, fmt(T.notify_called, { no: v.no, window: w }));
      }
    }
    show("cancel", !!v.can_cancel);
    if (st !== "waiting") { show("notify", false); }
    show("rate", !!v.can_rate);
    text("updated", fmt(T.updated, { t: new Date().toLocaleTimeString("zh-CN", { hour12: false }) }));
  }

  function post(path, body, done) {
    var x = new XMLHttpRequest();
    x.open("POST", base + path);
    x.setRequestHeader("Content-Type", "application/json");
    x.onload = function () {
      var r = {}; try { r = JSON.parse(x.responseText); } catch (e) { /* not JSON */ }
      done(x.status === 200 && r.ok, r.error ? r.error.message : T.offline);
    };
    x.onerror = function () { done(false, T.offline); };
    x.send(JSON.stringify(body));
  }

  function fetchState() {
    var x = new XMLHttpRequest();
    x.open("GET", base + "/state");
    x.onload = function () {
      show("offline", x.status !== 200 && x.status !== 404);
      if (x.status === 200) { render(JSON.parse(x.responseText).ticket); }
    };
    x.onerror = function () { show("offline", true); };
    x.send();
  }

  function live() {
    if (!window.EventSource) {   // WeChat views and old browsers: ask every few seconds
      if (!pollTimer) { pollTimer = setInterval(fetchState, 3000); }
      return;
    }
    if (es) { es.close(); }
    es = new EventSource(base + "/events");
    es.onmessage = function (e) { show("offline", false); render(JSON.parse(e.data)); };
    es.onerror = function () { show("offline", true); };  // EventSource reconnects by itself
  }

  function buildRating() {
    var box = $("levels");
    [5, 4, 3, 2, 1].forEach(function (n) {
      var b = document.createElement("button");
      b.textContent = boot.levels[n]; b.className = "level"; b.dataset.score = n;
      b.onclick = function () {
        score = n;
        Array.prototype.forEach.call(box.children, function (c) {
          c.classList.toggle("on", c === b);
        });
        show("reasons-box", n <= 2);
        $("rate-send").disabled = false;
      };
      box.appendChild(b);
    });
    boot.reasons.forEach(function (r) {
      var b = document.createElement("button");
      b.textContent = r; b.className = "reason";
      b.onclick = function () { chosen[r] = !chosen[r]; b.classList.toggle("on", !!chosen[r]); };
      $("reasons").appendChild(b);
    });
    $("rate-send").onclick = function () {
      var reasons = score <= 2 ? Object.keys(chosen).filter(function (k) { return chosen[k]; }) : [];
      $("rate-send").disabled = true;
      post("/rate", { score: score, reasons: reasons }, function (ok, msg) {
        text("rate-msg", ok ? T.rated : fmt(T.rate_failed, { msg: msg }));
        if (!ok) { $("rate-send").disabled = false; }
        fetchState();
      });
    };
  }

  $("cancel").onclick = function () {
    if (!window.confirm(T.cancel_confirm)) { return; }
    post("/cancel", { reason: "citizen" }, function (ok, msg) {
      text("cancel-msg", ok ? "" : fmt(T.cancel_failed, { msg: msg }));
      fetchState();
    });
  };
  document.addEventListener("visibilitychange", function () {
    // a phone that slept may have missed the stream: catch up now
    if (!document.hidden) { fetchState(); if (es && es.readyState === 2) { live(); } }
  });
  // a browser asks for notification permission only after a tap
  var canAsk = window.Notification && Notification.permission === "default";
  show("notify", canAsk);
  $("notify").onclick = function () {
    Notification.requestPermission().then(function () { show("notify", false); });
  };
  buildRating();
  render(boot.ticket);
  live();
})();
