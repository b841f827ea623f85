/**
 * What per-request nonces cost the pages that used to be static (issue 17): /auth/bridge,
 * /noc/connect and the not-found page were prerendered at build time; with a nonce CSP every
 * page is rendered per request. Each path is fetched sequentially over one keep-alive
 * connection, as a browser's navigation would, beside /signin (always rendered per request) and
 * /api/health (no page at all) for scale.
 *
 * `npm run bench -- pages` measures the current build. Against another console (the previous
 * build, for the before figures): `npx tsx bench/pages.ts https://127.0.0.1:PORT path/to/cert.pem`.
 */
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import { startConsole } from "@/tests/support/console-server";

const PATHS = ["/auth/bridge", "/noc/connect", "/no-such-page", "/signin", "/api/health"];
const WARMUP = 30;
const REQUESTS = 300;

export type PageTimes = Record<string, { medianMs: number; p90Ms: number; bytes: number }>;

export async function measurePages(url: string, ca: Buffer): Promise<PageTimes> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
  const get = (path: string) =>
    new Promise<number>((resolve, reject) => {
      https
        .get(new URL(path, url), { agent }, (res) => {
          let bytes = 0;
          res.on("data", (chunk: Buffer) => (bytes += chunk.length));
          res.on("end", () => resolve(bytes));
        })
        .on("error", reject);
    });
  const times: PageTimes = {};
  try {
    for (const path of PATHS) {
      for (let i = 0; i < WARMUP; i++) await get(path);
      const samples: number[] = [];
      let bytes = 0;
      for (let i = 0; i < REQUESTS; i++) {
        const started = process.hrtime.bigint();
        bytes = await get(path);
        samples.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      samples.sort((a, b) => a - b);
      times[path] = { medianMs: samples[Math.floor(REQUESTS / 2)]!, p90Ms: samples[Math.floor(REQUESTS * 0.9)]!, bytes };
    }
  } finally {
    agent.destroy();
  }
  return times;
}

export function renderPages(times: PageTimes): string {
  const signin = times["/signin"]!.medianMs;
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}: ` +
      `${REQUESTS} sequential GETs per path over one keep-alive connection after ${WARMUP} to warm up, signed out.`,
    "",
    "| path | median ms | 90th percentile ms | ÷ /signin | bytes |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...Object.entries(times).map(([path, t]) => `| ${path} | ${t.medianMs.toFixed(2)} | ${t.p90Ms.toFixed(2)} | ${(t.medianMs / signin).toFixed(2)}× | ${t.bytes} |`),
  ].join("\n");
}

export async function benchPages(): Promise<string> {
  console.log("[bench] pages: starting the console on the current build…");
  // Entra configured (never exercised): no demo data and no simulated fleet loading the machine.
  const server = await startConsole({ ENTRA_TENANT_ID: "00000000-0000-4000-8000-00000000f1ee", ENTRA_CLIENT_ID: "00000000-0000-4000-8000-00000000c11e" });
  try {
    const ca = fs.readFileSync(`${server.dataDir}/tls/self-signed-cert.pem`);
    return renderPages(await measurePages(server.url, ca));
  } finally {
    await server.stop();
  }
}

if (process.argv[1]?.endsWith("pages.ts") && process.argv[2]) {
  const [url, caFile] = process.argv.slice(2);
  measurePages(url!, fs.readFileSync(caFile!))
    .then((times) => console.log(renderPages(times)))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
