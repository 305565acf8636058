import { describe, expect, it } from "vitest";
import { endableWait } from "./wait";

describe("endableWait", () => {
  it("settles at once when ended, long before its time (an hour here, far past the test's timeout)", async () => {
    const wait = endableWait(3_600_000);
    wait.end();
    await expect(wait.done).resolves.toBeUndefined();
    wait.end(); // a second end is harmless
  });

  it("settles on its own once its time has passed", async () => {
    await expect(endableWait(1).done).resolves.toBeUndefined();
  });
});
