// The hall manager's console: render the live picture (SSE, else polling) and send actions.
(function () {
  "use strict";
  var boot = JSON.parse(document.getElementById("boot").textContent);
  var C = boot.texts, manager = boot.role === "manager", es = null;

  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text != null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  function mins(s) { return s == null ? "—" : C.minutes.replace("{m}", Math.round(s / 60)); }
  function row(table, cells, head) {
    var tr = el("tr");
    cells.forEach(function (c) {
      var td = el(head ? "th" : "td");
      if (c instanceof Node) { td.appendChild(c); } else { td.textContent = c == null ? "" : c; }
      tr.appendChild(td);
    });
    table.appendChild(tr);
  }
  function toast(msg) {
    var t = $("toast"); t.textContent = msg; t.hidden = false;
    setTimeout(function () { t.hidden = true; }, 3000);
  }
  function actionId() {
    var a = new Uint8Array(12); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function act(action, args, done) {
    var x = new XMLHttpRequest();
    x.open("POST", "/manage/action");
    x.setRequestHeader("Content-Type", "application/json");
    x.onload = function () {
      var r = {}; try { r = JSON.parse(x.responseText); } catch (e) { /* not JSON */ }
      // never the browser's English status text: a reply without our JSON says so in Chinese
      toast(r.ok ? r.message : (r.error ? r.error.message : C.failed.replace("{code}", x.status)));
      if (done) { done(r.ok); }
    };
    x.onerror = function () { toast(C.offline_banner); if (done) { done(false); } };
    x.send(JSON.stringify({ csrf: boot.csrf, action_id: actionId(), action: action, args: args }));
  }
  function button(label, fn) { var b = el("button", label, "act"); b.onclick = fn; return b; }

  function alertRow(a) {
    var d = el("div", null, "alert" + (a.acked ? " acked" : ""));
    var what = (boot.alert_kinds[a.kind] || a.kind) + " " + (a.no || a.node || "") +
      (a.waited_s ? " " + mins(a.waited_s) : "") + (a.window ? " " + a.window + "号窗口" : "");
    if (a.kind === "assist_suggested") {
      what = boot.alert_kinds[a.kind] + " " + a.text + "（" + C.est + " " + mins(a.est_wait_s) + "）" +
        (a.auto ? " " + C.assist_auto : "");
    }
    d.appendChild(el("span", a.at.slice(11, 16) + " " + what + " "));
    if (a.acked) { d.appendChild(el("span", C.acked + " " + (a.acked.by || ""), "small")); }
    else if (manager && a.kind === "assist_suggested" && !a.auto) {
      d.appendChild(button(C.assist_do, function () {
        act("assist", { window: a.window, service: a.service, alert_seq: a.seq });
      }));
      d.appendChild(button(C.ack, function () { act("ack", { alert_seq: a.seq }); }));
    }
    else if (manager) { d.appendChild(button(C.ack, function () { act("ack", { alert_seq: a.seq }); })); }
    return d;
  }
  function hubState(online) {
    // the hub is away: say so at once and take the actions out of reach until it is back
    $("hub-offline").hidden = online;
    document.body.classList.toggle("hub-down", !online);
    Array.prototype.forEach.call(document.querySelectorAll("button.act, form.inline button, " +
      "form.inline input, form.inline select"), function (b) { b.disabled = !online; });
  }

  function render(s) {
    var t = $("windows"); t.textContent = "";
    row(t, [C.window, C.status, C.staff, C.services_now, C.current, C.since, C.served, C.mean, ""],
        true);
    s.windows.forEach(function (w) {
      var pill = el("span", C[w.status] + (w.reason ? "（" + w.reason + "）" : ""), "pill " + w.status);
      var btn = "";
      if (manager && w.status === "open") {
        btn = button(C.pause, function () { act("pause", { window: w.window }); });
      } else if (manager && w.status === "paused") {
        btn = button(C.resume, function () { act("resume", { window: w.window }); });
      }
      if (btn) { btn.dataset.window = w.window; }
      var served = el("span", (w.services || []).map(function (x) { return x.name; }).join("、") || "—",
                      "services");
      served.dataset.window = w.window;
      if (w.assigned_by) {
        served.title = C.assigned_by.replace("{by}", w.assigned_by);
        served.className += " assigned";
      }
      row(t, [w.name, pill, w.staff || "—", served, w.current || "—",
              w.since_s == null ? "—" : mins(w.since_s), w.served, mins(w.mean_s), btn]);
    });
    t = $("services"); t.textContent = "";
    row(t, [C.service, C.waiting, C.longest, C.est, C.open], true);
    s.services.forEach(function (x) {
      row(t, [x.name, x.waiting, mins(x.longest_s), mins(x.est_wait_s), x.open_windows]);
    });
    var box = $("alerts"); box.textContent = "";
    if (!s.alert_groups.length) { box.appendChild(el("div", C.none, "small")); }
    s.alert_groups.forEach(function (g) {
      var head = el("div", (boot.alert_kinds[g.kind] || g.kind) +
        (g.unacked ? "（" + C.unacked.replace("{n}", g.unacked) + "）" : ""), "alert-kind");
      box.appendChild(head);
      g.alerts.forEach(function (a) { box.appendChild(alertRow(a)); });
      if (g.more) { box.appendChild(el("div", C.more.replace("{n}", g.more), "small")); }
    });
    box = $("ratings"); box.textContent = "";
    var r = s.ratings;
    box.appendChild(el("div", C.satisfaction + "：" + (r.satisfaction == null ? "—" : r.satisfaction + "%") +
      "（" + r.count + "）"));
    [5, 4, 3, 2, 1].forEach(function (n) {
      box.appendChild(el("span", boot.levels[n] + " " + r.scores[n] + "　", "small"));
    });
    r.bad.slice(0, 10).forEach(function (b) {
      box.appendChild(el("div", C.bad + "：" + b.no + " " + b.window + "号窗口 " + (b.level || "") +
        " " + (b.reasons || []).join("、"), "alert"));
    });
    if (r.bad.length !== badSeen) { badSeen = r.bad.length; loadFollowups(); }
    t = $("nodes"); t.textContent = "";
    s.nodes.forEach(function (n) {
      var p = el("span", n.online ? C.online : C.offline, "pill " + (n.online ? "online" : "offline"));
      var cell = el("span"); cell.appendChild(p);
      if (n.simulated) { cell.appendChild(el("span", C.simulated, "pill sim")); }
      row(t, [n.node, n.role, cell, el("span", n.health, "small")]);
    });
    hubState(s.hub_online !== false);
  }

  var badSeen = -1;
  function loadFollowups() {
    var x = new XMLHttpRequest();
    x.open("GET", "/manage/followups");
    x.onload = function () {
      if (x.status !== 200) { return; }
      var box = $("followups"); box.textContent = "";
      var cases = JSON.parse(x.responseText).cases;
      if (!cases.length) { box.appendChild(el("div", C.none, "small")); }
      cases.forEach(function (c) {
        var d = el("div", null, "alert" + (c.overdue ? "" : " acked"));
        d.appendChild(el("div", c.no + " " + c.window + "号窗口 " + C.due + " " + c.due + " " +
          (c.overdue ? C.overdue : (c.days_left != null ?
            C.days_left.replace("{n}", c.days_left) : "")) +
          (c.last_step ? " · " + (boot.steps[c.last_step] || c.last_step) : "")));
        if (manager) {
          var f = el("form", null, "inline"), sel = el("select");
          sel.name = "step"; sel.setAttribute("aria-label", C.step);
          Object.keys(boot.steps).forEach(function (k) {
            var o = el("option", boot.steps[k]); o.value = k; sel.appendChild(o);
          });
          var note = el("input"); note.name = "note"; note.placeholder = C.note; note.maxLength = 500;
          note.setAttribute("aria-label", C.note);
          var result = el("input"); result.name = "result"; result.placeholder = C.result;
          result.setAttribute("aria-label", C.result);
          result.maxLength = 200;
          var b = el("button", C.record, "act"); b.type = "submit";
          [sel, note, result, b].forEach(function (e) { f.appendChild(e); });
          f.dataset.ticket = c.ticket_id;
          f.onsubmit = function (e) {
            e.preventDefault();
            act("followup", { ticket_id: c.ticket_id, step: sel.value, note: note.value,
                              result: result.value }, function (ok) { if (ok) { loadFollowups(); } });
          };
          d.appendChild(f);
        }
        box.appendChild(d);
      });
    };
    x.send();
  }

  function wire(form, action) {
    var f = $(form); if (!f) { return; }
    f.onsubmit = function (e) {
      e.preventDefault();
      var args = {};
      Array.prototype.forEach.call(f.elements, function (x) { if (x.name) { args[x.name] = x.value; } });
      act(action, args);
    };
  }
  function poll() {
    var x = new XMLHttpRequest();
    x.open("GET", "/manage/state");
    x.onload = function () { if (x.status === 200) { render(JSON.parse(x.responseText)); } };
    x.send();
  }
  wire("move", "move"); wire("notice", "notice");
  if ($("assign")) {
    $("assign").onsubmit = function (e) {
      e.preventDefault();
      var f = $("assign"), services = [];
      Array.prototype.forEach.call(f.elements, function (x) {
        if (x.name === "services" && x.value) { services.push(x.value); }
      });
      act("assign", { window: f.querySelector("select[name=window]").value, services: services });
    };
  }
  if ($("close-day")) {
    $("close-day").onclick = function () {
      if (window.confirm(C.close_day_confirm)) { act("close_day", {}); }
    };
  }
  render(boot.snapshot);
  if (window.EventSource) {
    es = new EventSource("/manage/events");
    es.onmessage = function (e) { $("offline").hidden = true; render(JSON.parse(e.data)); };
    es.onerror = function () { $("offline").hidden = false; };
  } else { setInterval(poll, 3000); }
})();
