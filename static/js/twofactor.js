// Resend buttons: disabled while the server's cooldown runs, with a countdown.
// Without this script the buttons still work; the server says when to retry.
// Recovery codes: "Download as text" and "Copy" (hidden without this script;
// the codes are on the page to write down or print either way).
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

  function recoveryCodesText() {
    const list = document.getElementById("recovery-codes");
    if (!list) return "";
    return Array.from(list.querySelectorAll("li"))
      .map(function (item) { return item.textContent.trim(); })
      .join("\n") + "\n";
  }

  function showRecoveryButtons(root) {
    root.querySelectorAll("[data-recovery-download], [data-recovery-copy]").forEach(function (button) {
      if (button.hasAttribute("data-recovery-copy") && !navigator.clipboard) return;
      button.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    const download = event.target.closest("[data-recovery-download]");
    if (download) {
      const blob = new Blob([recoveryCodesText()], { type: "text/plain" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = download.dataset.recoveryDownload || "recovery-codes.txt";
      document.body.appendChild(link);
      link.click();
      link.remove();
      URL.revokeObjectURL(link.href);
      return;
    }
    const copy = event.target.closest("[data-recovery-copy]");
    if (copy && navigator.clipboard) {
      navigator.clipboard.writeText(recoveryCodesText()).then(function () {
        copy.textContent = copy.dataset.copiedText || copy.textContent;
      });
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    startCountdowns(document);
    showRecoveryButtons(document);
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    startCountdowns(document);
    showRecoveryButtons(document);
  });
})();
