import { describe, expect, it } from "vitest";
import { GroupCommit, GroupCommitExpired, GroupCommitFull } from "./group-commit";

/** A writer whose writes finish when the test says so, recording what each write carried. */
function heldWriter(fail: (item: string) => boolean = () => false) {
  const writes: string[][] = [];
  const pending: (() => void)[] = [];
  const write = (items: readonly string[]) =>
    new Promise<string[]>((resolve, reject) => {
      writes.push([...items]);
      pending.push(() => (items.some(fail) ? reject(new Error(`cannot write ${items.filter(fail).join(",")}`)) : resolve(items.map((i) => `stored ${i}`))));
    });
  /** Lets every write started so far finish, then lets the writer start its next ones. */
  const release = async () => {
    while (pending.length > 0) pending.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { writes, write, release };
}

describe("GroupCommit", () => {
  it("writes a call at once when nothing else is being written", async () => {
    const writer = heldWriter();
    const group = new GroupCommit(writer.write, { maxWeight: 10, maxWaiting: 100, weightOf: () => 1 });
    const result = group.submit("a");
    expect(writer.writes).toEqual([["a"]]);
    await writer.release();
    await expect(result).resolves.toBe("stored a");
  });

  it("puts the calls that arrive during a write into one next write, each caller getting its own result", async () => {
    const writer = heldWriter();
    const group = new GroupCommit(writer.write, { maxWeight: 10, maxWaiting: 100, weightOf: () => 1 });
    const results = ["a", "b", "c", "d"].map((item) => group.submit(item));
    expect(writer.writes).toEqual([["a"]]);
    expect(group.waiting).toBe(3);
    await writer.release();
    expect(writer.writes).toEqual([["a"], ["b", "c", "d"]]);
    await writer.release();
    await expect(Promise.all(results)).resolves.toEqual(["stored a", "stored b", "stored c", "stored d"]);
  });

  it("keeps a group under its weight, in arrival order, but writes an item heavier than the limit on its own", async () => {
    const writer = heldWriter();
    const group = new GroupCommit(writer.write, { maxWeight: 5, maxWaiting: 100, weightOf: (item) => item.length });
    const results = ["a", "bb", "ccc", "dddddddd", "e"].map((item) => group.submit(item));
    for (let i = 0; i < 4; i++) await writer.release();
    expect(writer.writes).toEqual([["a"], ["bb", "ccc"], ["dddddddd"], ["e"]]);
    await expect(Promise.all(results)).resolves.toHaveLength(5);
  });

  it("fails only the call that cannot be written: its group is written again one call at a time", async () => {
    const writer = heldWriter((item) => item === "bad");
    const group = new GroupCommit(writer.write, { maxWeight: 10, maxWaiting: 100, weightOf: () => 1 });
    const first = group.submit("first");
    const good = group.submit("good");
    // Its outcome read at once: the rejection must not go unobserved while the writes finish.
    const bad = group.submit("bad").then(() => "stored", (error: Error) => error.message);
    const later = group.submit("later");
    for (let i = 0; i < 5; i++) await writer.release();
    expect(writer.writes).toEqual([["first"], ["good", "bad", "later"], ["good"], ["bad"], ["later"]]);
    await expect(first).resolves.toBe("stored first");
    await expect(good).resolves.toBe("stored good");
    await expect(bad).resolves.toBe("cannot write bad");
    await expect(later).resolves.toBe("stored later");
  });

  it("starts again for calls made after a write finished", async () => {
    const writer = heldWriter();
    const group = new GroupCommit(writer.write, { maxWeight: 10, maxWaiting: 100, weightOf: () => 1 });
    const a = group.submit("a");
    await writer.release();
    await a;
    const b = group.submit("b");
    expect(writer.writes).toEqual([["a"], ["b"]]);
    await writer.release();
    await expect(b).resolves.toBe("stored b");
  });

  it("refuses a call at once when too much is already waiting, and writes the calls it kept", async () => {
    const writer = heldWriter();
    const group = new GroupCommit(writer.write, { maxWeight: 10, maxWaiting: 5, weightOf: (item) => item.length });
    const first = group.submit("a");
    // Waiting: 2 + 3 = 5, the most allowed; the next call would make it 6.
    const kept = [group.submit("bb"), group.submit("ccc")];
    await expect(group.submit("d")).rejects.toBeInstanceOf(GroupCommitFull);
    expect(group.waiting).toBe(2);
    await writer.release();
    // Once the waiting calls went to the database there is room again.
    const later = group.submit("d");
    await writer.release();
    await writer.release();
    expect(writer.writes).toEqual([["a"], ["bb", "ccc"], ["d"]]);
    await expect(Promise.all([first, ...kept, later])).resolves.toEqual(["stored a", "stored bb", "stored ccc", "stored d"]);
  });

  it("takes one call however heavy when nothing waits, so an oversized call is not refused forever", async () => {
    const writer = heldWriter();
    const group = new GroupCommit(writer.write, { maxWeight: 10, maxWaiting: 5, weightOf: (item) => item.length });
    const first = group.submit("a");
    const heavy = group.submit("hhhhhhhh");
    await writer.release();
    await writer.release();
    await expect(Promise.all([first, heavy])).resolves.toEqual(["stored a", "stored hhhhhhhh"]);
  });

  it("fails the whole group with the write's error, without one write per call, when told that one call cannot be at fault (a read)", async () => {
    const writer = heldWriter((item) => item === "b");
    const group = new GroupCommit(writer.write, { maxWeight: 10, maxWaiting: 100, weightOf: () => 1, retryAlone: false });
    const first = group.submit("a");
    const outcomes = ["b", "c"].map((item) => group.submit(item).then(() => "stored", (error: Error) => error.message));
    for (let i = 0; i < 3; i++) await writer.release();
    expect(writer.writes).toEqual([["a"], ["b", "c"]]);
    await expect(first).resolves.toBe("stored a");
    await expect(Promise.all(outcomes)).resolves.toEqual(["cannot write b", "cannot write b"]);
  });
  it("refuses, instead of writing, the calls that waited longer than maxWaitMs for their group, and writes the rest", async () => {
    const writer = heldWriter();
    let clock = 0;
    const group = new GroupCommit(writer.write, { maxWeight: 10, maxWaiting: 100, weightOf: () => 1, maxWaitMs: 60_000, clock: () => clock });
    const first = group.submit("first");
    const old = group.submit("old").then(() => null, (error: unknown) => error);
    clock = 30_000;
    const fresh = group.submit("fresh");
    // The first write hangs for 61 s of the clock: "old" has waited 61 s, "fresh" 31 s.
    clock = 61_000;
    await writer.release();
    expect(writer.writes).toEqual([["first"], ["fresh"]]);
    await writer.release();
    await expect(first).resolves.toBe("stored first");
    await expect(fresh).resolves.toBe("stored fresh");
    const refused = await old;
    expect(refused).toBeInstanceOf(GroupCommitExpired);
    // A GroupCommitFull, so the route answers 503 with Retry-After and the agent keeps it spooled.
    expect(refused).toBeInstanceOf(GroupCommitFull);
    expect((refused as GroupCommitExpired).waitedMs).toBe(61_000);
    expect(group.waiting).toBe(0);
  });

  it("writes a call that waited exactly maxWaitMs, and refuses nothing without maxWaitMs", async () => {
    let clock = 0;
    const bounded = heldWriter();
    const group = new GroupCommit(bounded.write, { maxWeight: 10, maxWaiting: 100, weightOf: () => 1, maxWaitMs: 60_000, clock: () => clock });
    const unbounded = heldWriter();
    const patient = new GroupCommit(unbounded.write, { maxWeight: 10, maxWaiting: 100, weightOf: () => 1, clock: () => clock });
    const results = [group.submit("a"), group.submit("b"), patient.submit("c"), patient.submit("d")];
    clock = 60_000;
    await bounded.release();
    clock = 3_600_000;
    await unbounded.release();
    await bounded.release();
    await unbounded.release();
    await expect(Promise.all(results)).resolves.toEqual(["stored a", "stored b", "stored c", "stored d"]);
  });
  it("decides by the group's error whether to write its calls again one at a time", async () => {
    const writes: string[][] = [];
    const group = new GroupCommit(
      async (items: readonly string[]) => {
        writes.push([...items]);
        if (items.includes("slow")) throw Object.assign(new Error("canceling statement due to statement timeout"), { code: "57014" });
        if (items.includes("bad")) throw new Error("bad row");
        return items.map((i) => `stored ${i}`);
      },
      { maxWeight: 10, maxWaiting: 100, weightOf: () => 1, retryAlone: (error) => (error as { code?: string }).code !== "57014" },
    );
    const outcome = (p: Promise<string>) => p.then((v) => v, (e: Error) => e.message);
    const results = ["first", "slow", "a", "bad", "b"].map((item) => outcome(group.submit(item)));
    // first alone; then [slow, a, bad, b] together: cancelled, so all four fail with it, no retries.
    await expect(Promise.all(results)).resolves.toEqual([
      "stored first",
      "canceling statement due to statement timeout",
      "canceling statement due to statement timeout",
      "canceling statement due to statement timeout",
      "canceling statement due to statement timeout",
    ]);
    expect(writes).toEqual([["first"], ["slow", "a", "bad", "b"]]);
    const again = ["a", "bad", "b"].map((item) => outcome(group.submit(item)));
    await expect(Promise.all(again)).resolves.toEqual(["stored a", "bad row", "stored b"]);
    expect(writes.slice(2)).toEqual([["a"], ["bad", "b"], ["bad"], ["b"]]);
  });
});
