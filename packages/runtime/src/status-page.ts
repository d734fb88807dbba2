// The status page of the admin listener (issue 15): one HTML document, no build step and no
// external assets, whose script fetches `/status` every few seconds and renders it. Every value is
// written with `textContent` (never as markup): host names, rule text and error messages come from
// clients and files. The script and the style run under a per-response nonce (statusPageHeaders).
import { randomBytes } from "node:crypto";

/** How often the page fetches `/status` again. */
export const STATUS_REFRESH_MS = 2_000;

/** A fresh nonce for one response of the page. */
export function pageNonce(): string {
  return randomBytes(16).toString("base64");
}

/**
 * The headers of the page: a Content-Security-Policy that allows nothing but its own nonce'd style
 * and script and fetches to this origin, no sniffing, no framing, no referrer.
 */
export function statusPageHeaders(nonce: string): Record<string, string> {
  return {
    "content-security-policy": [
      "default-src 'none'", `script-src 'nonce-${nonce}'`, `style-src 'nonce-${nonce}'`, "connect-src 'self'",
      "img-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
    ].join("; "),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
  };
}

/** The page, with `nonce` on its style and script. */
export function statusPage(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tlsbridge status</title>
<style nonce="${nonce}">
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; margin: 0 0 .3em; }
h2 { font-size: 1.1em; margin: 1.4em 0 .4em; }
table { border-collapse: collapse; margin: .3em 0; }
th, td { border: 1px solid #ccc; padding: .2em .6em; text-align: left; vertical-align: top; white-space: pre-wrap; }
th { background: #f3f3f3; }
.muted { color: #777; }
#banner { padding: .5em .8em; border-radius: 4px; margin: .6em 0; }
#banner.ok { background: #e7f6e7; }
#banner.lost { background: #fde2e2; font-weight: bold; }
.up { color: #17692a; font-weight: bold; }
.down { color: #b00020; font-weight: bold; }
.warn { color: #b00020; }
</style>
</head>
<body>
<h1 id="title">tlsbridge</h1>
<div id="node" class="muted"></div>
<div id="banner" class="ok">loading…</div>
<div>last refresh: <span id="last-refresh">never</span> · every ${STATUS_REFRESH_MS / 1000} s · <a href="/status">/status (JSON)</a> · <a href="/metrics">/metrics</a> · <a href="/readyz">/readyz</a></div>
<h2>Open tunnels: <span id="open-tunnels">?</span></h2>
<div id="tunnels"></div>
<h2>Peers</h2>
<div id="peers"></div>
<h2>Certificates</h2>
<div id="certificates"></div>
<h2>Rule hits</h2>
<div id="rules"></div>
<h2>Refusals</h2>
<div id="refusals-by-cause"></div>
<div class="muted">the last 50, newest first</div>
<div id="refusals"></div>
<h2>Workers</h2>
<div id="workers"></div>
<h2>Config</h2>
<div id="config"></div>
<script nonce="${nonce}">
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const time = (iso) => (iso ? new Date(iso).toLocaleString() : "–");
  const cell = (tag, value, cls) => {
    const el = document.createElement(tag);
    el.textContent = value === undefined || value === null ? "–" : String(value);
    if (cls) el.className = cls;
    return el;
  };
  // rows: arrays of values, or { cells, key, cls } (key sets data-key on the row, cls per cell)
  const table = (id, head, rows, empty) => {
    const box = $(id);
    box.replaceChildren();
    if (rows.length === 0) { box.append(cell("div", empty, "muted")); return; }
    const t = document.createElement("table");
    const tr = document.createElement("tr");
    for (const h of head) tr.append(cell("th", h));
    t.append(tr);
    for (const row of rows) {
      const r = document.createElement("tr");
      const spec = Array.isArray(row) ? { cells: row } : row;
      if (spec.key !== undefined) r.dataset.key = spec.key;
      spec.cells.forEach((v, i) => r.append(cell("td", v, spec.cls ? spec.cls[i] : undefined)));
      t.append(r);
    }
    box.append(t);
  };
  const counts = (obj) => Object.entries(obj).map(([k, v]) => [k, v]);
  const render = (s) => {
    $("title").textContent = "tlsbridge " + s.node.role + " " + s.node.name;
    document.title = "tlsbridge " + s.node.name;
    $("node").textContent = "version " + s.node.version + " · pid " + s.node.pid + " · up since " + time(s.node.startedAt) +
      " (" + s.node.uptimeSeconds + " s)";
    $("open-tunnels").textContent = String(s.tunnels.open);
    const groups = [];
    for (const [k, v] of counts(s.tunnels.bySite)) groups.push({ cells: ["site", k, v], key: "site:" + k });
    for (const [k, v] of counts(s.tunnels.byPeer)) groups.push({ cells: ["peer", k, v], key: "peer:" + k });
    for (const [k, v] of counts(s.tunnels.byIngress)) groups.push({ cells: ["ingress", k, v], key: "ingress:" + k });
    table("tunnels", ["by", "name", "open"], groups, "no open tunnels");
    table("peers", ["peer", "address", "state", "ejected", "last probe", "last handshake", "last error"], s.peers.map((p) => ({
      key: p.name,
      cells: [p.name, p.address, p.state, p.ejected ? "ejected" : "in rotation", time(p.lastProbe), time(p.lastHandshake),
        p.lastError === undefined ? undefined : p.lastError + " (" + time(p.lastErrorAt) + ")"],
      cls: [undefined, undefined, p.state === "up" ? "up" : p.state === "down" ? "down" : "muted"],
    })), s.node.role === "ingress" ? "no peers probed (set admin.listen to run the probe)" : "a peer has no peers");
    table("certificates", ["file", "role", "subject", "not after", "days left"], s.certificates.map((c) => ({
      cells: [c.file, c.role, c.subject, c.notAfter, c.daysLeft], cls: [, , , , c.daysLeft < 30 ? "warn" : undefined],
    })), "none");
    table("rules", ["site", "#", "match", "peer", "at", "hits"], s.rules.map((r) => [r.site, r.index, r.match, r.peer, r.at, r.hits]), "no rules (a peer routes by its allow list)");
    table("refusals-by-cause", ["cause", "count"], counts(s.refusals.byCause), "no refusals");
    table("refusals", ["time", "cause", "status", "target", "client", "reason"],
      s.refusals.recent.map((r) => [time(r.time), r.code, r.status, r.target, r.client, r.reason]), "");
    table("workers", ["slot", "pid", "up since", "restarts", "listening", "answered"],
      s.workers.map((w) => [w.slot, w.pid, time(w.upSince), w.restarts, w.listening ? "yes" : "no", w.answered ? "yes" : "no"]), "one process (workers: 1)");
    const c = s.config;
    const rows = [["file", c.file], ["generation", c.generation], ["loaded at", time(c.loadedAt)],
      ["last reload", c.lastReload ? time(c.lastReload.time) + " (" + c.lastReload.result + ")" : "none"]];
    if (c.lastRejectedReload) rows.push(["last rejected reload", time(c.lastRejectedReload.time) + ": " + c.lastRejectedReload.errors.join("\\n")]);
    table("config", ["what", "value"], rows, "");
  };
  let lostSince;
  const refresh = async () => {
    try {
      const res = await fetch("/status", { cache: "no-store" });
      if (!res.ok) throw new Error("/status answered " + res.status);
      render(await res.json());
      lostSince = undefined;
      $("banner").className = "ok";
      $("banner").textContent = "node answering";
      $("last-refresh").textContent = new Date().toLocaleTimeString();
    } catch (err) {
      if (lostSince === undefined) lostSince = new Date();
      $("banner").className = "lost";
      $("banner").textContent = "the node is not answering since " + lostSince.toLocaleTimeString() +
        " (" + (err && err.message ? err.message : String(err)) + "); what follows is from the last refresh";
    } finally {
      setTimeout(refresh, ${STATUS_REFRESH_MS});
    }
  };
  void refresh();
})();
</script>
</body>
</html>
`;
}
