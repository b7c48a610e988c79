/**
 * File uploads (imports, lists): either multipart/form-data with one file part, or the file itself as the body with
 * its own content type (text/csv, text/vcard, application/xml, application/json, …). Routes that take a file live in
 * their own encapsulated context, where every content type is read as raw bytes — JSON too, because a PhoneBlock
 * list is JSON and its rows must keep their line numbers.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ImportSource } from '../imports/index.js';
import { badRequest } from './errors.js';

/** The content types documented for an upload (any other is accepted and read by its content). */
export const UPLOAD_TYPES = ['multipart/form-data', 'text/csv', 'text/vcard', 'application/xml', 'application/json', 'text/plain'] as const;

/** Prepares an upload context: raw-bytes parsers for everything, multipart with the import size limit. */
export async function uploadContext(app: FastifyInstance, limitBytes: number): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  await app.register(multipart, {
    // One file and a few small fields; anything else in a multipart body is a mistake.
    limits: { fileSize: limitBytes, files: 1, fields: 10, fieldSize: 1024, parts: 12 },
  });
}

/** The uploaded file, or a 400 that says how to send one. */
export async function readUpload(req: FastifyRequest): Promise<ImportSource & { buffer: Buffer }> {
  if (req.isMultipart()) {
    const part = await req.file();
    if (!part) throw badRequest('body: the multipart body has no file part (send the file in a field named "file")');
    const buffer = await part.toBuffer();
    return { buffer, ...(part.filename && { filename: part.filename }), ...(part.mimetype && { contentType: part.mimetype }) };
  }
  const body = req.body;
  if (!Buffer.isBuffer(body) || body.length === 0) {
    throw badRequest('body: no file: send it as the request body (Content-Type text/csv, text/vcard, application/xml or application/json) or as multipart/form-data field "file"');
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
              { schema: t === 'multipart/form-data' ? { type: 'object', required: ['file'], properties: { file } } : file },
            ]),
          ),
        },
      },
    }),
  };
}
