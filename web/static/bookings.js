/* The console's booking page: its two forms go to /manage/action as console actions (the
   session's CSRF token, a fresh action id), then the page reloads with the hub's new picture. */
(function () {
  "use strict";
  var boot = JSON.parse(document.getElementById("boot").textContent);
  function toast(msg) {
    var t = document.getElementById("toast"); t.textContent = msg; t.hidden = false;
    setTimeout(function () { t.hidden = true; }, 4000);
  }
  function actionId() {
    var a = new Uint8Array(12); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  Array.prototype.forEach.call(document.querySelectorAll("form[data-action]"), function (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var args = {};
      Array.prototype.forEach.call(form.elements, function (f) {
        if (f.name && f.value !== "") { args[f.name] = f.value; }
      });
      var x = new XMLHttpRequest();
      x.open("POST", "/manage/action");
      x.setRequestHeader("Content-Type", "application/json");
      x.onload = function () {
        var r = {}; try { r = JSON.parse(x.responseText); } catch (err) { r = {}; }
        if (r.ok) { window.location.reload(); return; }
        toast(r.error ? r.error.message : "操作没有成功（" + x.status + "）");
      };
      x.onerror = function () { toast("与服务器的连接已断开"); };
      x.send(JSON.stringify({ csrf: boot.csrf, action_id: actionId(),
                              action: form.getAttribute("data-action"), args: args }));
    });
  });
})();
