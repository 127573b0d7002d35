// The 排班建议 page's print button (no inline script: the console's CSP allows none).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("print");
  if (button) button.addEventListener("click", () => window.print());
});
