/** The lines of a text (line breaks already written "\n"), each with its 1-based physical number. */
export async function* linesOf(text: AsyncIterable<string>): AsyncGenerator<string> {
  let buffer = "";
  for await (const chunk of text) {
    buffer += chunk;
    let start = 0;
    let nl: number;
    while ((nl = buffer.indexOf("\n", start)) >= 0) {
      yield buffer.slice(start, nl);
      start = nl + 1;
    }
    buffer = buffer.slice(start);
  }
  if (buffer.length) yield buffer;
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
