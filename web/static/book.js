/* A booking's page: a confirmation before cancelling, and, around the slot (boot "live"), a
   look every 5 s whether the kiosk checked the booking in: then the ticket page opens. */
(function () {
  "use strict";
  var form = document.getElementById("cancel-form");
  if (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  }
  var boot = document.getElementById("boot");
  var state = document.getElementById("state");
  if (!boot || !state || state.getAttribute("data-state") !== "booked") { return; }
  var conf = JSON.parse(boot.textContent);
  if (!conf.live) { return; }   // far from its slot: a reload shows any change
  var url = conf.state;
  function look() {
    var x = new XMLHttpRequest();
    x.open("GET", url);
    x.onload = function () {
      var d = null;
      try { d = JSON.parse(x.responseText); } catch (err) { d = null; }
      if (d && d.ticket_url) { window.location.replace(d.ticket_url); return; }
      if (d && d.state && d.state !== "booked") { window.location.reload(); return; }
      setTimeout(look, 5000);
    };
    x.onerror = function () { setTimeout(look, 5000); };
    x.send();
  }
  setTimeout(look, 5000);
})();
