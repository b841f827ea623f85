/**
 * Starts a throwaway PostgreSQL server for tests and benchmarks: initdb in a temporary folder
 * outside the repository (a Unix socket inside it breaks Turbopack's build), listening on
 * 127.0.0.1 only, as the `postgres` user when we are root (initdb refuses root).
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export type TestPostgres = { url: string; stop(): void };

export function findPostgresBinaries(): string | null {
  const candidates = [
    ...(process.env.PATH ?? "").split(path.delimiter),
    ...listDirs("/usr/lib/postgresql").map((version) => path.join("/usr/lib/postgresql", version, "bin")),
  ];
  for (const dir of candidates) {
    if (dir && fs.existsSync(path.join(dir, "initdb")) && fs.existsSync(path.join(dir, "pg_ctl"))) return dir;
  }
  return null;
}

function listDirs(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort().reverse();
  } catch {
    return [];
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Returns the server, or the reason none could be started. */
export async function startTestPostgres(): Promise<TestPostgres | { unavailable: string }> {
  const bin = findPostgresBinaries();
  if (!bin) return { unavailable: "no initdb/pg_ctl found (install Debian's postgresql package)" };

  const asRoot = process.getuid?.() === 0;
  const runAs = (command: string, args: string[]) =>
    asRoot ? execFileSync("runuser", ["-u", "postgres", "--", command, ...args], { stdio: "pipe" })
      : execFileSync(command, args, { stdio: "pipe" });
  if (asRoot && spawnSync("id", ["postgres"]).status !== 0) {
    return { unavailable: "running as root but there is no postgres user to run initdb as" };
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-pg-"));
  fs.chmodSync(dir, 0o755);
  if (asRoot) execFileSync("chown", ["postgres:", dir]);
  const dataDir = path.join(dir, "data");
  const port = await freePort();
  try {
    runAs(path.join(bin, "initdb"), ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]);
    runAs(path.join(bin, "pg_ctl"), [
      "-D", dataDir, "-l", path.join(dir, "server.log"), "-w", "-t", "60",
      "-o", `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=200`,
      "start",
    ]);
  } catch (error) {
    const log = fs.existsSync(path.join(dir, "server.log")) ? fs.readFileSync(path.join(dir, "server.log"), "utf8") : "";
    fs.rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
    return { unavailable: `PostgreSQL failed to start: ${stderr.trim()} ${log.trim()}`.trim() };
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        runAs(path.join(bin, "pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
