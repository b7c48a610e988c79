/** GET /api/v1/export: the personal entries as CSV (re-importable) or as vCard 3.0. */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import type { AppContext } from '../../context.js';
import { entriesCsv, entriesVcard } from '../../export/index.js';
import { ERRORS, KindSchema, Strict, StringEnum } from '../schemas.js';

const ExportQuery = Type.Object(
  {
    format: Type.Optional(StringEnum(['csv', 'vcard'] as const, { default: 'csv' })),
    kind: Type.Optional(KindSchema),
  },
  Strict,
);

const TYPES = { csv: 'text/csv; charset=utf-8', vcard: 'text/vcard; charset=utf-8' } as const;
const EXTENSIONS = { csv: 'csv', vcard: 'vcf' } as const;

export function exportRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: Static<typeof ExportQuery> }>(
    '/export',
    {
      schema: {
        tags: ['import/export'],
        summary: 'Export the entries as CSV or vCard',
        description:
          'CSV columns: number, label, note, kind, action, cause, vip, source, expires (a prefix ends in *). vCard: one card per contact with all its numbers, one per other entry.',
        querystring: ExportQuery,
        produces: [TYPES.csv, TYPES.vcard],
        response: { 200: Type.String({ description: 'The file.' }), ...ERRORS },
      },
    },
    async (req, reply) => {
      const format = req.query.format ?? 'csv';
      const query = req.query.kind ? { kind: req.query.kind } : {};
      const name = `callfilter-${req.query.kind ?? 'entries'}.${EXTENSIONS[format]}`;
      const body = format === 'csv' ? entriesCsv(ctx, query) : entriesVcard(ctx, query);
      return reply
        .type(TYPES[format])
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(Readable.from(body));
    },
  );
}
