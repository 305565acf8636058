/**
 * A wait of `ms` that can be ended early: `end()` settles `done` at once (a second call does
 * nothing). For gathering work for a moment, where enough of it ends the gathering.
 */
export function endableWait(ms: number): { done: Promise<void>; end: () => void } {
  let end: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    end = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, end };
}
