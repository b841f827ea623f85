/**
 * The end of a network-namespace test, in the only order that cannot fail half-way: every process
 * in the test's namespaces (and every process the test spawned) is stopped and known dead, then
 * the namespaces go, then the folders.
 *
 * Processes are found by namespace, not by parentage. keepalived's VRRP child, a notify script it
 * runs while it shuts down, an ARP sweep the pair helper started with `& disown`: none of them is
 * reliably a child of what the test spawned, and each may write into the node's /run/bridgehead
 * (a folder of the lab) until it is dead. Removing that folder while one still writes ends in
 * ENOTEMPTY; it happened once in a full-suite run of tests/gateway-pair-netns.test.ts.
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";

export type Teardown = {
  /** Names under /run/netns the test created; those that do not exist (a build that failed early) are skipped. */
  namespaces: readonly string[];
  /** What the test spawned (an `ip netns exec` may not have entered its namespace yet). */
  children?: readonly ChildProcess[];
  /** Removed only once no process is left that could write into them. */
  folders?: readonly string[];
  /** SIGTERM first; whatever still runs this long after it was first seen gets SIGKILL. */
  graceMs?: number;
  /** Past this, the teardown fails naming the survivors and removes nothing. */
  deadlineMs?: number;
};

/** Stops every process, then deletes the namespaces and the folders; throws saying what it could not do. */
export async function tearDownNamespaces({ namespaces, children = [], folders = [], graceMs = 3000, deadlineMs = 15_000 }: Teardown): Promise<void> {
  await stopProcesses(namespaceInodes(namespaces), children, graceMs, deadlineMs);
  const problems: string[] = [];
  for (const namespace of namespaces) {
    if (!existsSync(`/run/netns/${namespace}`)) continue;
    const deleted = spawnSync("ip", ["netns", "del", namespace], { encoding: "utf8" });
    if (deleted.status !== 0) problems.push(`ip netns del ${namespace}: ${deleted.stderr.trim() || `exit ${deleted.status}`}`);
  }
  // No process is left to write here; the retries cover only what the kernel itself is still
  // letting go of (EBUSY on a mount point a dying mount namespace held).
  for (const folder of folders) {
    try {
      await rm(folder, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    } catch (error) {
      problems.push(`removing ${folder}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new Error(`the teardown left things behind:\n${problems.join("\n")}`);
}

/**
 * SIGTERM to each process when first seen (so one a dying daemon starts is stopped too), SIGKILL
 * to any still there once the grace period is over, until none is left: by the namespace list
 * read afresh each round, and by the children's own exit.
 */
export async function stopProcesses(inodes: ReadonlySet<number>, children: readonly ChildProcess[], graceMs: number, deadlineMs: number): Promise<void> {
  const started = Date.now();
  const signalled = new Set<number>();
  for (;;) {
    const running = children.filter((child) => child.pid !== undefined && child.exitCode === null && child.signalCode === null);
    const alive = new Set<number>([...running.map((child) => child.pid!), ...processesIn(inodes)]);
    if (alive.size === 0) return;
    const elapsed = Date.now() - started;
    if (elapsed > deadlineMs) {
      throw new Error(`still running ${deadlineMs / 1000} s into the teardown, after SIGKILL: ${[...alive].map(describeProcess).join("; ")}; nothing was removed`);
    }
    const kill = elapsed >= graceMs;
    for (const pid of alive) {
      if (!kill && signalled.has(pid)) continue;
      signalled.add(pid);
      signal(pid, kill ? "SIGKILL" : "SIGTERM", inodes, running);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The namespaces' inodes: what a process's /proc/<pid>/ns/net names, and still names after `ip netns del`. */
export function namespaceInodes(namespaces: readonly string[]): Set<number> {
  return new Set(namespaces.flatMap((namespace) => (existsSync(`/run/netns/${namespace}`) ? [statSync(`/run/netns/${namespace}`).ino] : [])));
}

/** Pids of the live (not zombie) processes whose network namespace is one of `inodes`. */
export function processesIn(inodes: ReadonlySet<number>): number[] {
  if (inodes.size === 0) return [];
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (inodes.has(namespaceInode(pid) ?? -1) && !isZombie(pid)) pids.push(pid);
  }
  return pids;
}

/** The inode of a process's network namespace, or null once it is gone (or a zombie: it has none). */
function namespaceInode(pid: number): number | null {
  try {
    const match = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/net`));
    return match ? Number(match[1]) : null;
  } catch {
    // Exited between the listing and the look: nothing to stop.
    return null;
  }
}

function isZombie(pid: number): boolean {
  try {
    // The state follows the command name, which is in parentheses and may hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return true;
  }
}

/**
 * Signals a pid only while it is still one of ours (in one of the namespaces, or a child we
 * spawned that has not exited): a pid freed and reused by some other process is left alone.
 */
function signal(pid: number, name: NodeJS.Signals, inodes: ReadonlySet<number>, children: readonly ChildProcess[]): void {
  const ours = inodes.has(namespaceInode(pid) ?? -1) || children.some((child) => child.pid === pid && child.exitCode === null && child.signalCode === null);
  if (!ours) return;
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

function describeProcess(pid: number): string {
  try {
    return `${pid} (${readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim()})`;
  } catch {
    return String(pid);
  }
}
