// Resend buttons: disabled while the server's cooldown runs, and the hint under
// them counts the wait down ("... in 25 seconds"), then says "Didn't get it?".
// Without this script the buttons still work; the server says when to retry.
// Focus after an in-place update (htmx): the first invalid field, else the
// field that asks to be focused, else the message, else the panel's heading,
// so keyboard and screen reader users land on what changed (not on <body>).
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

  function startHints(root) {
    root.querySelectorAll("[data-resend-hint]").forEach(function (hint) {
      let remaining = parseInt(hint.dataset.resendHint, 10) || 0;
      if (remaining <= 0 || hint.dataset.counting) return;
      hint.dataset.counting = "1";
      const say = function () {
        if (remaining <= 0) {
          hint.textContent = hint.dataset.hintReady;
        } else if (remaining === 1) {
          hint.textContent = hint.dataset.hintOne;
        } else {
          hint.textContent = hint.dataset.hintOther.replace("__N__", String(remaining));
        }
      };
      const timer = window.setInterval(function () {
        remaining -= 1;
        say();
        if (remaining <= 0) {
          window.clearInterval(timer);
          delete hint.dataset.counting;
        }
      }, 1000);
    });
  }

  // The containers htmx swaps in place, and what to focus in each, in order.
  const SWAPPED = ["#twofactor-panel", "#code-form"];
  const FOCUS_ORDER = [
    "[aria-invalid='true']",
    "[autofocus]",
    "[role='alert'][tabindex='-1']",
    "[role='status'][tabindex='-1']",
  ];

  function focusAfterSwap() {
    const container = SWAPPED.map(function (selector) {
      return document.querySelector(selector);
    }).find(function (element) { return element; });
    if (!container) return;
    for (const selector of FOCUS_ORDER) {
      const target = container.querySelector(selector);
      if (target) {
        target.focus();
        return;
      }
    }
    const heading = container.querySelector("h2[tabindex='-1']") ||
      document.querySelector("h1[tabindex='-1']");
    if (heading) heading.focus();
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
    startHints(document);
    showRecoveryButtons(document);
  });
  document.body.addEventListener("htmx:afterSwap", function () {
    startCountdowns(document);
    startHints(document);
    showRecoveryButtons(document);
  });
  // After htmx has settled the new content (its own autofocus handling included).
  document.body.addEventListener("htmx:afterSettle", focusAfterSwap);
})();
