// Resend buttons: disabled while the server's cooldown runs, with a countdown.
// Without this script the buttons still work; the server says when to retry.
(function () {
  "use strict";

  function startCountdowns(root) {
    const buttons = root.querySelectorAll("[data-resend-wait]");
    buttons.forEach(function (button) {
      let remaining = parseInt(button.dataset.resendWait, 10) || 0;
      if (remaining <= 0 || button.dataset.counting) return;
      button.dataset.counting = "1";
      button.disabled = true;
      const timer = window.setInterval(function () {
        remaining -= 1;
        if (remaining <= 0) {
          window.clearInterval(timer);
          button.disabled = false;
          delete button.dataset.counting;
        }
      }, 1000);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    startCountdowns(document);
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    startCountdowns(document);
  });
})();
