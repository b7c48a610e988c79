/** Where an import's bytes come from: an upload already in memory (admin API) or a file on disk (command line). */
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { detectFormat, type ImportFormat, ImportFormatError } from './formats/index.js';

export type ImportSource = { buffer: Buffer; filename?: string; contentType?: string } | { path: string };

/** What detectFormat looks at (formats/detect.ts SNIFF_BYTES). */
const HEAD_BYTES = 4096;
/**
 * Chunk size for streaming a CSV: large enough that per-chunk overhead vanishes, small enough that one chunk and one
 * partial row (all the CSV reader holds) stay a few MiB.
 */
export const CHUNK_BYTES = 1024 * 1024;
/**
 * An upload is parsed inside the service, beside the FastAGI server: in pieces this small (about 8,000 rows, some
 * 100 ms on a Pi) with a turn of the event loop in between, so calls arriving meanwhile are screened in time.
 */
const UPLOAD_CHUNK_BYTES = 256 * 1024;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function sourceSize(src: ImportSource): Promise<number> {
  return 'buffer' in src ? src.buffer.length : (await stat(src.path)).size;
}

async function head(src: ImportSource): Promise<Buffer> {
  if ('buffer' in src) return src.buffer.subarray(0, HEAD_BYTES);
  const file = await open(src.path, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await file.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** The format asked for, or the one the content (then the name, then the content type) says. */
export async function resolveFormat(src: ImportSource, format: ImportFormat | undefined): Promise<ImportFormat> {
  if (format !== undefined) return format;
  const detected =
    'buffer' in src
      ? detectFormat(await head(src), src.filename, src.contentType)
      : detectFormat(await head(src), src.path);
  if (detected === undefined) {
    throw new ImportFormatError();
  }
  return detected;
}

export async function readAll(src: ImportSource): Promise<Buffer> {
  return 'buffer' in src ? src.buffer : readFile(src.path);
}

/** The bytes in pieces (a file: CHUNK_BYTES; an upload: UPLOAD_CHUNK_BYTES); `onBytes` gets the running total. */
export async function* chunks(src: ImportSource, onBytes?: (bytes: number) => void): AsyncGenerator<Buffer> {
  let total = 0;
  if ('buffer' in src) {
    for (let i = 0; i < src.buffer.length; i += UPLOAD_CHUNK_BYTES) {
      if (i > 0) await nextTurn();
      const chunk = src.buffer.subarray(i, i + UPLOAD_CHUNK_BYTES);
      total += chunk.length;
      onBytes?.(total);
      yield chunk;
    }
    return;
  }
  for await (const chunk of createReadStream(src.path, { highWaterMark: CHUNK_BYTES })) {
    total += (chunk as Buffer).length;
    onBytes?.(total);
    yield chunk as Buffer;
  }
}

export function filenameOf(src: ImportSource): string | undefined {
  return 'buffer' in src ? src.filename : src.path;
}

export function contentTypeOf(src: ImportSource): string | undefined {
  return 'buffer' in src ? src.contentType : undefined;
}
