// Headless Chromium with every host but loopback unresolvable: proves a page needs no network.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const CHROMIUM = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find(
  (p) => p && existsSync(p),
);

/** Headless, no first-run or background traffic, a fresh profile, and no host but 127.0.0.1 resolvable. */
const offlineFlags = (profile) => [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  `--user-data-dir=${profile}`,
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
];

export function chromium(url, extra) {
  if (!CHROMIUM) throw new Error("no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)");
  const profile = mkdtempSync(path.join(tmpdir(), "ef-chromium-"));
  try {
    const r = spawnSync(CHROMIUM, [...offlineFlags(profile), "--virtual-time-budget=8000", ...extra, url], {
      encoding: "utf8",
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0) throw new Error(`chromium exited ${r.status}: ${r.stderr?.slice(-500)}`);
    return r.stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/**
 * Opens `url` in the same offline headless Chromium and answers the value of `expression` (a JavaScript
 * expression evaluated in the page once it has loaded, awaited if it is a promise), over the DevTools protocol.
 */
export async function evaluate(url, expression, { timeoutMs = 60_000 } = {}) {
  if (!CHROMIUM) throw new Error("no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)");
  const profile = mkdtempSync(path.join(tmpdir(), "ef-chromium-"));
  const child = spawn(CHROMIUM, [...offlineFlags(profile), "--remote-debugging-port=0", "about:blank"], {
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  // Chromium's helper processes share its process group: stop them all.
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
  };
  const timer = setTimeout(stop, timeoutMs);
  let ws;
  try {
    const browser = await new Promise((resolve, reject) => {
      let err = "";
      child.stderr.on("data", (d) => {
        err += d;
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m) resolve(m[1]);
      });
      child.on("exit", (code) => reject(new Error(`chromium exited ${code}: ${err.slice(-500)}`)));
    });
    let page;
    for (let i = 0; i < 100 && !page; i++) {
      const targets = await (await fetch(`http://${new URL(browser).host}/json/list`)).json();
      page = targets.find((t) => t.type === "page")?.webSocketDebuggerUrl;
      if (!page) await new Promise((r) => setTimeout(r, 100));
    }
    if (!page) throw new Error("Chromium opened no page");
    ws = new WebSocket(page);
    await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = () => reject(new Error("DevTools connection failed")))));
    let next = 0;
    const pending = new Map();
    const waiting = new Map();
    ws.onmessage = (m) => {
      const msg = JSON.parse(String(m.data));
      if (msg.method) waiting.get(msg.method)?.(msg.params);
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.error) p.reject(new Error(msg.error.message));
      else p.resolve(msg.result);
    };
    const send = (method, params = {}) =>
      new Promise((resolve, reject) => {
        pending.set(++next, { resolve, reject });
        ws.send(JSON.stringify({ id: next, method, params }));
      });
    const loaded = new Promise((resolve) => waiting.set("Page.loadEventFired", resolve));
    await send("Page.enable");
    await send("Page.navigate", { url });
    await loaded;
    const { result, exceptionDetails } = await send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
    if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
    return result.value;
  } finally {
    clearTimeout(timer);
    ws?.close();
    const exited = new Promise((r) => (child.exitCode === null && child.signalCode === null ? child.once("exit", r) : r()));
    stop();
    await exited;
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}
