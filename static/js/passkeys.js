// Passkeys (WebAuthn): the "Create the passkey" button on the profile, "Use a
// passkey" on the code page and "Sign in with a passkey" on the sign-in page,
// which also offers the site's passkeys in the username field's autofill
// (conditional mediation, where the browser has it). Options come from the site as JSON
// (binary fields base64url), go to navigator.credentials, and the answer goes
// back as JSON; the site checks it. Without this script the buttons stay
// hidden and the page's note that passkeys need JavaScript stays shown.
(function () {
  "use strict";

  function toBytes(base64url) {
    const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "===".slice((base64.length + 3) % 4);
    return Uint8Array.from(atob(padded), function (c) { return c.charCodeAt(0); });
  }

  function toBase64url(buffer) {
    let binary = "";
    new Uint8Array(buffer).forEach(function (b) { binary += String.fromCharCode(b); });
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIds(list) {
    return (list || []).map(function (item) {
      return Object.assign({}, item, { id: toBytes(item.id) });
    });
  }

  function creationOptions(json) {
    return Object.assign({}, json, {
      challenge: toBytes(json.challenge),
      user: Object.assign({}, json.user, { id: toBytes(json.user.id) }),
      excludeCredentials: withIds(json.excludeCredentials),
    });
  }

  function requestOptions(json) {
    return Object.assign({}, json, {
      challenge: toBytes(json.challenge),
      allowCredentials: withIds(json.allowCredentials),
    });
  }

  function answerJSON(credential) {
    const response = credential.response;
    const answer = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toBase64url(response.clientDataJSON) },
    };
    if (response.attestationObject) {
      answer.response.attestationObject = toBase64url(response.attestationObject);
      answer.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      answer.response.authenticatorData = toBase64url(response.authenticatorData);
      answer.response.signature = toBase64url(response.signature);
      answer.response.userHandle = response.userHandle ? toBase64url(response.userHandle) : null;
    }
    return answer;
  }

  function csrfToken() {
    // The same token htmx sends, from <body hx-headers=...>.
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function post(url, body, signal) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      signal: signal,
      headers: {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken(),
      },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, data: data };
      });
    });
  }

  function show(box, message) {
    const status = box.querySelector("[data-passkey-status]");
    status.textContent = message;
    status.hidden = false;
  }

  // The browser's answer goes to the site; the next page, or why not.
  async function finish(box, button, credential) {
    const result = await post(button.dataset.finishUrl, answerJSON(credential));
    if (result.ok && result.data.redirect) {
      window.location.assign(result.data.redirect);
      return;
    }
    show(box, result.data.message || box.dataset.failed);
  }

  // The sign-in page's autofill request, waiting in the background until the
  // user picks a passkey there; a button press cancels it first (a browser
  // runs one request at a time).
  let autofill = null;

  function stopAutofill() {
    if (autofill) {
      autofill.abort();
      autofill = null;
    }
  }

  async function startAutofill(box) {
    const field = document.querySelector(box.dataset.autofillField || "#id_username");
    if (!field || !window.PublicKeyCredential ||
        !PublicKeyCredential.isConditionalMediationAvailable) return;
    if (!(await PublicKeyCredential.isConditionalMediationAvailable())) return;
    if (!/\bwebauthn\b/.test(field.autocomplete)) {
      field.setAttribute("autocomplete", (field.getAttribute("autocomplete") || "username") + " webauthn");
    }
    const button = box.querySelector("button[data-passkey]");
    const controller = new AbortController();
    stopAutofill();
    autofill = controller;
    try {
      const options = await post(button.dataset.optionsUrl, null, controller.signal);
      if (!options.ok || controller.signal.aborted) return;
      const credential = await navigator.credentials.get({
        publicKey: requestOptions(options.data),
        mediation: "conditional",
        signal: controller.signal,
      });
      if (autofill === controller) autofill = null;
      // Not started again after a refusal: the button is there to try once more.
      await finish(box, button, credential);
    } catch (error) {
      // Aborted for a button press, or the browser gave up: the button stays.
      if (autofill === controller) autofill = null;
    }
  }

  async function ceremony(button) {
    const box = button.closest("[data-passkey-box]");
    stopAutofill();
    button.disabled = true;
    try {
      const options = await post(button.dataset.optionsUrl);
      if (!options.ok) {
        show(box, options.data.message || box.dataset.failed);
        return;
      }
      const credential = button.dataset.passkey === "create"
        ? await navigator.credentials.create({ publicKey: creationOptions(options.data) })
        : await navigator.credentials.get({ publicKey: requestOptions(options.data) });
      await finish(box, button, credential);
    } catch (error) {
      show(box, box.dataset.failed);
    } finally {
      button.disabled = false;
    }
  }

  function reveal(root) {
    const supported = Boolean(window.PublicKeyCredential && navigator.credentials);
    root.querySelectorAll("[data-passkey]").forEach(function (button) {
      button.hidden = !supported;
    });
    root.querySelectorAll("[data-passkey-unsupported]").forEach(function (note) {
      note.hidden = supported;
    });
    // "Passkeys need JavaScript": shown by the server, hidden once this runs.
    root.querySelectorAll("[data-passkey-nojs]").forEach(function (note) {
      note.hidden = true;
    });
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-passkey]");
    if (!button) return;
    event.preventDefault();
    ceremony(button);
  });
  document.addEventListener("DOMContentLoaded", function () {
    reveal(document);
    document.querySelectorAll("[data-passkey-autofill]").forEach(startAutofill);
    // Signing in with the password: the background request ends first.
    document.addEventListener("submit", stopAutofill);
  });
  // Cards and the code form swapped in by htmx.
  document.addEventListener("htmx:afterSettle", function () { reveal(document); });
})();
