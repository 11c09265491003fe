/**
 * A JSON array sent batch by batch (the v1 list of every dossier). The first two batches are read
 * before anything is sent: a list that fits in one batch comes back for the ordinary `res.json`
 * path (ETag, contract check), and a failure that early is still an ordinary error answer. Longer
 * lists go through `stream.pipeline`: backpressure, read-ahead, and reading stops when the client
 * leaves. A later failure cuts the connection (a truncated body, never a shorter list).
 */
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

async function* jsonChunks<T>(first: T[], rest: AsyncGenerator<T[]>, view: (item: T) => unknown): AsyncGenerator<string> {
  yield `[${first.map((item) => JSON.stringify(view(item))).join(',')}`;
  for await (const batch of rest) if (batch.length) yield `,${batch.map((item) => JSON.stringify(view(item))).join(',')}`;
  yield ']';
}

/** Streams the array and answers undefined, or returns it whole when it fits in one batch. */
export async function sendJsonArray<T>(res: Response, batches: AsyncGenerator<T[]>, view: (item: T) => unknown): Promise<unknown[] | undefined> {
  const first = await batches.next();
  if (first.done) return [];
  const second = await batches.next();
  if (second.done) return first.value.map(view);
  res.status(200).type('application/json');
  await pipeline(Readable.from(jsonChunks([...first.value, ...second.value], batches, view)), res).catch((err: NodeJS.ErrnoException) => {
    // The client left: nothing to answer, nothing to log.
    if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
  });
  return undefined;
}
