/**
 * The namespace tests' teardown (tests/support/netns-teardown.ts) against the processes that
 * made tests/gateway-pair-netns.test.ts fail once with ENOTEMPTY: processes in a namespace that
 * keep writing into the lab's folder, one of them no child of anything the test spawned (the
 * pair helper's disowned ARP sweep), one that shrugs off SIGTERM, and one that starts another
 * writer as it is told to stop (keepalived running a notify script on its way out). The teardown
 * must end with every one of them dead, then the namespace and the folder gone.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { describeWithTool, networkNamespaces, runningAsRoot } from "./support/gateway-tools";
import { tearDownNamespaces } from "./support/netns-teardown";
import { waitFor } from "./support/pair-lab";

/** Writes a numbered file named after $2 every 10 ms into $1, making the folder again if it is gone. */
const WRITER = 'd=$1; n=0; while :; do mkdir -p "$d"; echo "$n" >"$d/$2-$n"; n=$((n+1)); sleep 0.01; done\n';

let namespace = "";
let lab = "";
let pids = "";
const children: ChildProcess[] = [];

afterEach(async () => {
  if (!namespace) return;
  // A teardown that failed may have left writers running in a namespace already deleted (its
  // inode may then be another test's): each is found by its script's unique path instead.
  await killWriters(path.join(pids, "writer.sh"));
  await tearDownNamespaces({ namespaces: [namespace], children, folders: [lab, pids], graceMs: 200 });
  children.length = 0;
  namespace = "";
});

async function killWriters(script: string): Promise<void> {
  await waitFor("the left-over writers to die", 10_000, () => {
    const left = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry) && isAlive(Number(entry)) && commandLine(Number(entry)).includes(script));
    for (const pid of left) process.kill(Number(pid), "SIGKILL");
    return left.length === 0;
  });
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

function startIn(script: string): void {
  const child = spawn("ip", ["netns", "exec", namespace, "bash", "-c", script], { stdio: "ignore" });
  children.push(child);
}

const pidOf = (name: string) => Number(readFileSync(path.join(pids, name), "utf8").trim());

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

describeWithTool([runningAsRoot, networkNamespaces], "tearing down a namespace test", () => {
  it("stops every process in the namespace, the ones it did not spawn and the ones started on the way out, before it removes the folder they write into", async () => {
    namespace = `bht-${randomBytes(3).toString("hex")}`;
    const added = spawnSync("ip", ["netns", "add", namespace], { encoding: "utf8" });
    expect(added.status, added.stderr).toBe(0);
    lab = mkdtempSync(path.join(tmpdir(), "bh-teardown-"));
    pids = mkdtempSync(path.join(tmpdir(), "bh-teardown-pids-"));
    const run = path.join(lab, "run/bridgehead");
    mkdirSync(run, { recursive: true });
    writeFileSync(path.join(pids, "writer.sh"), WRITER);
    const writer = (tag: string) => `bash ${pids}/writer.sh ${run} ${tag}`;

    // A writer the test spawned.
    startIn(`echo $$ >${pids}/plain; exec ${writer("plain")}`);
    // One that ignores SIGTERM: only SIGKILL ends it.
    startIn(`trap '' TERM; echo $$ >${pids}/stubborn; exec ${writer("stubborn")}`);
    // One whose parent exits at once: no child of anything the test holds (`& disown`).
    startIn(`${writer("orphan")} & echo $! >${pids}/orphan; disown; exit 0`);
    // One that, told to stop, starts another writer and leaves it running.
    startIn(`trap '${writer("late")} & echo $! >${pids}/late; exit 0' TERM; echo $$ >${pids}/daemon; while :; do sleep 1 & wait $!; done`);

    await waitFor("every writer to have written", 10_000, () => ["plain", "stubborn", "orphan"].every((tag) => readdirSync(run).some((file) => file.startsWith(`${tag}-`))));
    await waitFor("the daemon to be waiting", 10_000, () => existsSync(path.join(pids, "daemon")));
    const started = ["plain", "stubborn", "orphan", "daemon"].map(pidOf);
    expect(started.every(isAlive)).toBe(true);

    await tearDownNamespaces({ namespaces: [namespace], children, folders: [lab], graceMs: 500 });

    // The daemon did start its last writer, and it died with the rest.
    const late = pidOf("late");
    expect(Object.fromEntries([...started, late].map((pid) => [pid, isAlive(pid)]))).toEqual(Object.fromEntries([...started, late].map((pid) => [pid, false])));
    expect(existsSync(lab)).toBe(false);
    expect(existsSync(`/run/netns/${namespace}`)).toBe(false);
  }, 30_000);
});
