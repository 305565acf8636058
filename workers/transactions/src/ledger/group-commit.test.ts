import { describe, expect, it } from "vitest";
import { GroupCommit } from "./group-commit";

/** A commit that waits until released, recording the statements each call carried; a statement named "bad" fails it. */
function gate() {
  const commits: string[][] = [];
  let release: () => void = () => {};
  let held = Promise.resolve();
  const hold = () => (held = new Promise<void>((r) => (release = r)));
  const commit = async (batches: string[][]) => {
    const items = batches.flat();
    commits.push(items);
    await held;
    if (items.includes("bad")) throw new Error("constraint failed");
  };
  return { commits, commit, hold, release: () => release() };
}

describe("group commit", () => {
  it("everything handed in while a commit is in flight goes in one next commit, each caller's items together and in order", async () => {
    const g = gate();
    const group = new GroupCommit(g.commit, (b: string[]) => b.length);
    g.hold();
    const first = group.submit(["a1"]);
    const rest = [group.submit(["b1", "b2"]), group.submit(["c1"]), group.submit(["a2", "a3"])];
    g.release();
    await Promise.all([first, ...rest]);
    expect(g.commits).toEqual([["a1"], ["b1", "b2", "c1", "a2", "a3"]]);
  });

  it("an idle group of a few statements gathers for its window: batches handed in one after another share the first commit", async () => {
    const g = gate();
    const group = new GroupCommit(g.commit, (b: string[]) => b.length, 500, { ms: 20, below: 3 });
    const first = group.submit(["a1"]);
    await Promise.resolve();
    const second = group.submit(["b1"]);
    await Promise.all([first, second]);
    expect(g.commits).toEqual([["a1", "b1"]]);
    // Without a window the first batch goes alone.
    const h = gate();
    const eager = new GroupCommit(h.commit, (b: string[]) => b.length);
    const one = eager.submit(["a1"]);
    await Promise.resolve();
    await Promise.all([one, eager.submit(["b1"])]);
    expect(h.commits).toEqual([["a1"], ["b1"]]);
    // Nor does a batch as large as the bound: bulk never waits.
    const k = gate();
    const bulk = new GroupCommit(k.commit, (b: string[]) => b.length, 500, { ms: 20, below: 3 });
    const big = bulk.submit(["r1", "r2", "r3"]);
    await Promise.resolve();
    await Promise.all([big, bulk.submit(["b1"])]);
    expect(k.commits).toEqual([["r1", "r2", "r3"], ["b1"]]);
  });

  it("the gathering ends as soon as the bound's worth of statements waits, not at the end of its window", async () => {
    const g = gate();
    // A window longer than the test's timeout: only the early end lets these commits happen.
    const group = new GroupCommit(g.commit, (b: string[]) => b.length, 500, { ms: 60_000, below: 3 });
    const first = group.submit(["a1"]);
    await Promise.resolve();
    const second = group.submit(["b1", "b2"]);
    await Promise.all([first, second]);
    expect(g.commits).toEqual([["a1", "b1", "b2"]]);
    // Once idle again, a small batch gathers anew, and again the bound ends it.
    const third = group.submit(["c1"]);
    const fourth = group.submit(["d1", "d2", "d3"]);
    await Promise.all([third, fourth]);
    expect(g.commits).toEqual([
      ["a1", "b1", "b2"],
      ["c1", "d1", "d2", "d3"],
    ]);
  });

  it("a group never exceeds the bound, but a single larger batch still goes alone", async () => {
    const g = gate();
    const group = new GroupCommit(g.commit, (b: string[]) => b.length, 3);
    g.hold();
    const all = [
      group.submit(["x"]),
      group.submit(["a", "b"]),
      group.submit(["c"]),
      group.submit(["d", "e", "f", "g"]),
      group.submit(["h"]),
    ];
    g.release();
    await Promise.all(all);
    expect(g.commits).toEqual([["x"], ["a", "b", "c"], ["d", "e", "f", "g"], ["h"]]);
  });

  it("a failing group is retried batch by batch: only the bad batch's caller is told, the others are committed", async () => {
    const g = gate();
    const group = new GroupCommit(g.commit, (b: string[]) => b.length);
    g.hold();
    const first = group.submit(["ok0"]);
    const good = group.submit(["ok1"]);
    const bad = group.submit(["bad"]);
    const after = group.submit(["ok2"]);
    g.release();
    await first;
    await expect(good).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow("constraint failed");
    await expect(after).resolves.toBeUndefined();
    expect(g.commits).toEqual([["ok0"], ["ok1", "bad", "ok2"], ["ok1"], ["bad"], ["ok2"]]);
  });

  it("keeps working after a failure: the next submit starts a new commit", async () => {
    const g = gate();
    const group = new GroupCommit(g.commit, (b: string[]) => b.length);
    await expect(group.submit(["bad"])).rejects.toThrow();
    await group.submit(["later"]);
    expect(g.commits).toEqual([["bad"], ["later"]]);
  });
});
