/**
 * The chat page: one self-contained HTML document (no external resources, a nonce-based CSP).
 * It opens a visitor session, streams the visitor's events over server-sent events read with
 * `fetch` (so credentials stay in headers, never in URLs), shows each message with the
 * defender's decision on it, and shows replies, edits, deletions and typing as they come.
 * Text is always rendered with `textContent`, never as HTML.
 */

/** What the page needs to know. */
export interface PageOptions {
  basePath: string;
  nonce: string;
  /** The API needs an access key (taken from `#key=...` or typed in). */
  needsKey: boolean;
  title: string;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const STYLE = `
  :root { color-scheme: light dark; --in: #dbeafe; --out: #f1f5f9; --fg: #0f172a; }
  @media (prefers-color-scheme: dark) { :root { --in: #1e3a8a; --out: #1e293b; --fg: #e2e8f0; } }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: var(--fg); display: flex; flex-direction: column; height: 100vh; }
  header { padding: 10px 16px; border-bottom: 1px solid #8884; display: flex; justify-content: space-between; align-items: center; }
  header h1 { font-size: 16px; margin: 0; }
  #status { font-size: 12px; opacity: .75; }
  #log { flex: 1; overflow-y: auto; padding: 16px; display: flex; flex-direction: column; gap: 8px; }
  .msg { max-width: 75%; padding: 8px 12px; border-radius: 12px; white-space: pre-wrap; word-wrap: break-word; }
  .msg.in { align-self: flex-end; background: var(--in); }
  .msg.out { align-self: flex-start; background: var(--out); }
  .msg.deleted .text { font-style: italic; opacity: .6; }
  .meta { display: block; font-size: 11px; margin-top: 4px; opacity: .8; }
  .decision { font-weight: 600; text-transform: uppercase; }
  .decision.allow { color: #15803d; } .decision.review { color: #b45309; } .decision.block { color: #b91c1c; }
  #typing { min-height: 18px; padding: 0 16px; font-size: 12px; opacity: .7; }
  form { display: flex; gap: 8px; padding: 12px 16px; border-top: 1px solid #8884; }
  textarea { flex: 1; resize: none; height: 44px; font: inherit; padding: 8px; }
  button { padding: 0 18px; font: inherit; }
  #error { color: #b91c1c; font-size: 12px; padding: 0 16px; min-height: 16px; }
`;

const SCRIPT = `
(() => {
  const base = document.body.dataset.base;
  const needsKey = document.body.dataset.needsKey === "true";
  const log = document.getElementById("log");
  const statusEl = document.getElementById("status");
  const errorEl = document.getElementById("error");
  const typingEl = document.getElementById("typing");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const storageKey = "talon-webchat:" + base;
  const bubbles = new Map();
  let key = sessionStorage.getItem(storageKey + ":key") || "";
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("key");
  if (fromHash) { key = fromHash; sessionStorage.setItem(storageKey + ":key", key); history.replaceState(null, "", location.pathname); }
  if (needsKey && !key) { key = prompt("Access key for this chat") || ""; sessionStorage.setItem(storageKey + ":key", key); }
  let token = localStorage.getItem(storageKey + ":token") || "";
  let lastSeq = 0;
  let typingTimer;

  const headers = (json) => {
    const h = { "x-webchat": "1" };
    if (json) h["content-type"] = "application/json";
    if (key) h["x-webchat-key"] = key;
    if (token) h.authorization = "Bearer " + token;
    return h;
  };
  const setStatus = (text) => { statusEl.textContent = text; };
  const showError = (text) => { errorEl.textContent = text || ""; };

  function bubble(id, direction, text) {
    let el = bubbles.get(id);
    if (!el) {
      el = document.createElement("div");
      el.className = "msg " + direction;
      el.dataset.id = id;
      const body = document.createElement("span");
      body.className = "text";
      const meta = document.createElement("span");
      meta.className = "meta";
      el.append(body, meta);
      log.append(el);
      bubbles.set(id, el);
    }
    el.querySelector(".text").textContent = text;
    log.scrollTop = log.scrollHeight;
    return el;
  }

  function showDecision(event) {
    const el = bubbles.get(event.id);
    if (!el) return;
    const meta = el.querySelector(".meta");
    meta.textContent = "";
    const verdict = document.createElement("span");
    const action = event.decision ? event.decision.action : event.status;
    verdict.className = "decision " + action;
    verdict.textContent = action;
    meta.append(verdict);
    if (event.decision) {
      const detail = document.createElement("span");
      detail.className = "risk";
      detail.textContent = " · risk " + event.decision.risk_score + (event.decision.reasons.length ? " · " + event.decision.reasons.join("; ") : "");
      meta.append(detail);
    }
    el.dataset.decision = action;
  }

  function apply(event) {
    if (event.seq) lastSeq = Math.max(lastSeq, event.seq);
    if (event.type === "message") {
      const el = bubble(event.id, event.direction, event.text);
      if (event.direction === "out") { typingEl.textContent = ""; }
      else if (!el.dataset.decision) el.querySelector(".meta").textContent = "checking…";
    } else if (event.type === "decision") showDecision(event);
    else if (event.type === "edit") { const el = bubbles.get(event.id); if (el) { el.querySelector(".text").textContent = event.text; el.dataset.edited = "true"; } }
    else if (event.type === "delete") { const el = bubbles.get(event.id); if (el) { el.classList.add("deleted"); el.querySelector(".text").textContent = "message deleted"; } }
    else if (event.type === "typing") {
      typingEl.textContent = "typing…";
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => { typingEl.textContent = ""; }, 6000);
    }
  }

  async function ensureSession() {
    const response = await fetch(base + "/api/session", { method: "POST", headers: headers(true), body: "{}" });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ? body.error.message : "session refused");
    token = body.token;
    localStorage.setItem(storageKey + ":token", token);
  }

  async function stream() {
    let delay = 500;
    for (;;) {
      try {
        const h = headers(false);
        if (lastSeq) h["last-event-id"] = String(lastSeq);
        const response = await fetch(base + "/api/events", { headers: h, cache: "no-store" });
        if (response.status === 401) { token = ""; await ensureSession(); continue; }
        if (!response.ok || !response.body) throw new Error("events refused (" + response.status + ")");
        setStatus("connected");
        showError("");
        delay = 500;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\\n\\n")) !== -1) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = frame.split("\\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).join("\\n");
            if (data) apply(JSON.parse(data));
          }
        }
      } catch (error) {
        showError(error.message);
      }
      setStatus("reconnecting…");
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10000);
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value;
    if (!text.trim()) return;
    const id = crypto.randomUUID();
    input.value = "";
    const local = bubble(token.split(".")[0] + "-" + id, "in", text);
    local.querySelector(".meta").textContent = "sending…";
    try {
      const response = await fetch(base + "/api/messages", { method: "POST", headers: headers(true), body: JSON.stringify({ id, text }) });
      const body = await response.json();
      if (!response.ok) throw new Error(body.error ? body.error.message : "not sent");
      if (!local.dataset.decision) local.querySelector(".meta").textContent = "checking…";
      showError("");
    } catch (error) {
      local.querySelector(".meta").textContent = "not sent";
      showError(error.message);
    }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });

  (async () => {
    try {
      if (!token) await ensureSession();
      setStatus("connecting…");
      stream();
    } catch (error) {
      setStatus("offline");
      showError(error.message);
    }
  })();
})();
`;

/** The page's HTML. */
export function renderPage(options: PageOptions): string {
  const nonce = escapeAttribute(options.nonce);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeAttribute(options.title)}</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body data-base="${escapeAttribute(options.basePath)}" data-needs-key="${options.needsKey}">
<header><h1>${escapeAttribute(options.title)}</h1><span id="status">starting…</span></header>
<main id="log" aria-live="polite"></main>
<div id="typing"></div>
<div id="error" role="alert"></div>
<form id="composer"><textarea id="text" placeholder="Write a message… (Enter sends)" aria-label="Message"></textarea><button type="submit">Send</button></form>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>`;
}
