/**
 * `npm run check:docs`: renders /docs in headless Chromium with every host but this machine
 * unreachable, and checks that the reference renders from the worker alone.
 * Needs Debian's chromium (`apt-get install chromium`); not part of `npm test` for that reason.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "./cli.ts";

cli("usage: npm run check:docs   (renders /docs in headless Chromium; CHROMIUM=<path>, PORT=<port> optional)", {});
const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";
if (!existsSync(chromium)) {
  console.error(`no Chromium at ${chromium}: apt-get install chromium (or set CHROMIUM)`);
  process.exit(2);
}
const port = process.env.PORT ?? "8791";
const dev = spawn(process.execPath, ["dev/run.ts"], {
  env: { ...process.env, PORT: port },
  stdio: "ignore",
  detached: true,
});
const stop = () => {
  if (dev.pid) process.kill(-dev.pid, "SIGINT");
};

try {
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (i > 60) throw new Error("the dev server did not start");
    const ok = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  const dir = mkdtempSync(join(tmpdir(), "docs-check-"));
  const netlog = join(dir, "netlog.json");
  const screenshot = process.env.SCREENSHOT ?? join(dir, "docs.png");
  const common = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${join(dir, "profile")}`,
    // The network is closed: every name but this machine's fails to resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--virtual-time-budget=20000",
    "--window-size=1280,900",
  ];
  const dom = spawnSync(chromium, [...common, `--log-net-log=${netlog}`, "--dump-dom", `${base}/docs`], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  }).stdout;
  spawnSync(chromium, [...common, `--screenshot=${screenshot}`, `${base}/docs`], { stdio: "ignore" });

  const hosts = new Set(
    [...readFileSync(netlog, "utf8").matchAll(/"(?:url|host)":"(?:https?:\/\/)?([^/":]+)/g)].map((m) => m[1] ?? ""),
  );
  // Chromium's own background services (update checks, accounts) show up even with the flags
  // above; they are the browser's, not the page's.
  const browserOwn = /(^|\.)(google\.com|googleapis\.com|gstatic\.com)$|^~notfound$/;
  const outside = [...hosts].filter((h) => h && !["127.0.0.1", "localhost"].includes(h) && !browserOwn.test(h));
  const rendered = ["Create an order", "List orders", "Cancel a pending or paid order"].filter((t) => dom.includes(t));
  console.log(`rendered operations: ${rendered.join(", ") || "none"}`);
  console.log(`hosts contacted other than this machine: ${outside.join(", ") || "none"}`);
  console.log(`screenshot: ${screenshot}`);
  if (rendered.length < 3 || outside.length > 0) {
    console.error("docs check failed");
    process.exitCode = 1;
  }
} finally {
  stop();
}
