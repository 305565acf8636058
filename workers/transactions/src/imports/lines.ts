/** The lines of a text (line breaks already written "\n"). A long line's pieces are joined once, when it ends. */
export async function* linesOf(text: AsyncIterable<string>): AsyncGenerator<string> {
  let pieces: string[] = [];
  for await (const chunk of text) {
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf("\n", start)) >= 0) {
      pieces.push(chunk.slice(start, nl));
      yield pieces.join("");
      pieces = [];
      start = nl + 1;
    }
    if (start < chunk.length) pieces.push(chunk.slice(start));
  }
  if (pieces.length) yield pieces.join("");
}

/** Fixed-size batches of an async sequence. */
export async function* batches<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) yield batch, (batch = []);
  }
  if (batch.length) yield batch;
}
