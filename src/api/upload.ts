/**
 * File uploads (imports, lists): either multipart/form-data with one file part, or the file itself as the body with
 * its own content type (text/csv, text/vcard, application/xml, application/json, …). Routes that take a file live in
 * their own encapsulated context, where every content type is read as raw bytes — JSON too, because a PhoneBlock
 * list is JSON and its rows must keep their line numbers.
 */

import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ImportSource } from '../import/index.js';
import { coded } from '../messages/index.js';
import { badRequest, HttpError } from './errors.js';

/** The content types documented for an upload (any other is accepted and read by its content). */
export const UPLOAD_TYPES = [
  'multipart/form-data',
  'text/csv',
  'text/vcard',
  'application/xml',
  'application/json',
  'text/plain',
] as const;

/**
 * RFC 2046 §5.1.1: a boundary is 1 to 70 characters. busboy takes up to 256 and throws on more, which would be a 500:
 * checked here, with the RFC's limit, which every browser and curl keep to.
 */
const MAX_BOUNDARY_CHARS = 70;
/** The multipart limits of uploadContext(), for the messages. */
const LIMITS = { files: 1, fields: 10, fieldSize: 1024, parts: 12 };

/** Prepares an upload context: raw-bytes parsers for everything, multipart with the import size limit. */
export async function uploadContext(app: FastifyInstance, limitBytes: number): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  await app.register(multipart, {
    // One file and a few small fields; anything else in a multipart body is a mistake.
    limits: { fileSize: limitBytes, ...LIMITS },
  });
}

function checkBoundary(contentType: string | undefined): void {
  const m = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? '');
  const boundary = m?.[1] ?? m?.[2] ?? '';
  if (boundary === '') throw badRequest(coded('upload.no_boundary', { field: 'body' }));
  if (boundary.length > MAX_BOUNDARY_CHARS) {
    throw badRequest(
      coded('upload.long_boundary', { field: 'body', length: boundary.length, max: MAX_BOUNDARY_CHARS }),
    );
  }
}

/**
 * What went wrong reading a multipart body, as a 4xx: the limits with what they are, anything busboy throws (a
 * body cut short, a boundary that never comes) as a 400 — the bytes came from the client.
 */
function multipartError(err: unknown): unknown {
  if (err instanceof HttpError) return err;
  const { code, statusCode } = err as { code?: string; statusCode?: number };
  switch (code) {
    case 'FST_FILES_LIMIT':
      return badRequest(coded('upload.files', { field: 'body', max: LIMITS.files }));
    case 'FST_FIELDS_LIMIT':
      return badRequest(coded('upload.fields', { field: 'body', max: LIMITS.fields }));
    case 'FST_PARTS_LIMIT':
      return badRequest(coded('upload.parts', { field: 'body', max: LIMITS.parts }));
  }
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) return err;
  return badRequest(coded('upload.unreadable', { field: 'body', detail: (err as Error).message }));
}

async function readMultipart(req: FastifyRequest): Promise<ImportSource & { buffer: Buffer }> {
  checkBoundary(req.headers['content-type']);
  let file: (ImportSource & { buffer: Buffer }) | undefined;
  try {
    for await (const part of req.parts()) {
      if (part.type !== 'file') continue;
      const buffer = await part.toBuffer();
      file = {
        buffer,
        ...(part.filename && { filename: part.filename }),
        ...(part.mimetype && { contentType: part.mimetype }),
      };
    }
  } catch (err) {
    throw multipartError(err);
  }
  if (!file) throw badRequest(coded('upload.no_file_part', { field: 'body' }));
  return file;
}

/** The uploaded file, or a 400 that says how to send one. */
export async function readUpload(req: FastifyRequest): Promise<ImportSource & { buffer: Buffer }> {
  if (req.isMultipart()) return readMultipart(req);
  const body = req.body;
  if (!Buffer.isBuffer(body) || body.length === 0) {
    throw badRequest(coded('upload.no_file', { field: 'body' }));
  }
  const contentType = req.headers['content-type'];
  return { buffer: body, ...(contentType && { contentType }) };
}

/** Whether a request carries a file at all (POST /lists may create an empty list). */
export function hasUpload(req: FastifyRequest): boolean {
  return req.isMultipart() || (Buffer.isBuffer(req.body) && req.body.length > 0);
}

/**
 * The request body as the OpenAPI document shows it. It is documentation only: the route has no body schema, so
 * Fastify does not validate the bytes against it.
 */
export function uploadDoc(description: string) {
  const file = { type: 'string', format: 'binary', description };
  return {
    swaggerTransform: ({ schema, url }: { schema: object; url: string }) => ({
      url,
      schema: {
        ...schema,
        body: {
          content: Object.fromEntries(
            UPLOAD_TYPES.map((t) => [
              t,
              {
                schema:
                  t === 'multipart/form-data' ? { type: 'object', required: ['file'], properties: { file } } : file,
              },
            ]),
          ),
        },
      },
    }),
  };
}
