/**
 * Starts the real console (server.ts on the production build) as a child process, the way
 * `npm start` does, and talks to it over HTTPS trusting only its own self-signed certificate.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { freePort } from "./postgres-server";

type Answer = { status: number; body: string; headers: Record<string, string | string[] | undefined> };

export type ConsoleServer = {
  url: string;
  /** The console's own self-signed certificate, the only one its clients trust. */
  ca: Buffer;
  dataDir: string;
  process: ChildProcess;
  output: () => string;
  get(pathname: string): Promise<Answer>;
  post(pathname: string, body: string, headers?: Record<string, string>): Promise<Answer>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

/** How long a console may take to say it is ready; tests that start one allow for it. */
export const START_TIMEOUT_MS = 150_000;

export type StartOptions = {
  /** A data folder prepared beforehand (a benchmark's seeded database); the caller removes it. */
  dataDir?: string;
  /** The port to listen on; a free one by default. */
  port?: number;
  /** Extra node flags, e.g. `--cpu-prof` to see where the console spends its time. */
  nodeArgs?: string[];
  /** Where the console's log goes as it is written, for a look when a figure is odd. */
  log?: fs.WriteStream;
  /** How long it may take to say it is ready (START_TIMEOUT_MS unless a benchmark's fleet needs longer). */
  startTimeoutMs?: number;
};

export async function startConsole(env: Record<string, string> = {}, options: StartOptions = {}): Promise<ConsoleServer> {
  if (!fs.existsSync(path.join(".next", "BUILD_ID"))) {
    throw new Error("No production build: run `node scripts/start.mjs --build-only` (npm test does) first.");
  }
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-console-"));
  const port = options.port ?? (await freePort());
  const nodeArgs = [...(options.nodeArgs ?? []), "--require", "./scripts/server-only.cjs", "--import", "tsx", "server.ts"];
  const child = spawn(process.execPath, nodeArgs, {
    env: { ...process.env, NODE_ENV: "production", DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output += chunk;
    options.log?.write(chunk);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

  await new Promise<void>((resolve, reject) => {
    // Generous: a first start migrates PGlite and seeds the demo, and a loaded 2-core machine is slow.
    const limit = options.startTimeoutMs ?? START_TIMEOUT_MS;
    const timer = setTimeout(() => reject(new Error(`console did not start in ${limit / 1000} s:\n${output}`)), limit);
    const check = () => {
      if (output.includes("[bridgehead] ready on")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`console exited with ${code} before it was ready:\n${output}`));
    });
  });

  const ca = fs.readFileSync(path.join(dataDir, "tls", "self-signed-cert.pem"));
  const url = `https://127.0.0.1:${port}`;
  return {
    url,
    ca,
    dataDir,
    process: child,
    output: () => output,
    get: (pathname) => send(new URL(pathname, url), { ca, method: "GET" }),
    post: (pathname, body, headers = {}) =>
      send(new URL(pathname, url), { ca, method: "POST", headers: { "content-type": "application/json", ...headers } }, body),
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      const code = await exited;
      if (ownsDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

function send(url: URL, options: https.RequestOptions, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = https.request(url, options, (res) => {
      let text = "";
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    request.on("error", reject);
    request.end(body);
  });
}
