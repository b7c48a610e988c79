import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { startApi } from '../helpers/api.js';

interface Document {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      { tags?: string[]; summary?: string; security?: unknown[]; requestBody?: { content: Record<string, unknown> } }
    >
  >;
}

/** Fastify's `:id` is OpenAPI's `{id}`. */
const openapiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

describe('GET /api/v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document naming every route Fastify registered', async () => {
    const api = await startApi();
    const res = await api.json<Document>('GET', '/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');

    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);

    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const registered = api.routes.map((r) => `${r.method} ${openapiPath(r.url)}`);
    expect(registered.length).toBeGreaterThan(25);
    expect(documented.sort()).toEqual([...new Set(registered)].sort());
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.summary, `${method} ${path} has a summary`).toBeTruthy();
        expect(op.tags?.length, `${method} ${path} has a tag`).toBeGreaterThan(0);
      }
    }
  });

  it('documents the auth rules and the upload bodies', async () => {
    const api = await startApi();
    const doc = (
      await api.json<Document & { security: unknown; components: { securitySchemes: unknown } }>(
        'GET',
        '/api/v1/openapi.json',
      )
    ).body;
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes).toMatchObject({ bearer: { type: 'http', scheme: 'bearer' } });
    expect(doc.paths['/healthz']?.get?.security).toEqual([]);
    expect(doc.paths['/metrics']?.get?.security).toBeUndefined();
    expect(Object.keys(doc.paths['/api/v1/import']?.post?.requestBody?.content ?? {})).toEqual(
      expect.arrayContaining(['multipart/form-data', 'text/csv', 'text/vcard', 'application/xml', 'application/json']),
    );
  });
});
