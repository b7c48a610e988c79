/** POST /api/v1/import: a CSV, vCard, FRITZ!Box phonebook or JSON list into the personal entries, all or nothing. */

import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import type { AppContext } from '../../context.js';
import { ImportUsageError, importEntries } from '../../import/index.js';
import { about } from '../../messages/index.js';
import { HttpError } from '../errors.js';
import { conflictView } from '../national.js';
import {
  ConflictSchema,
  ERRORS,
  IgnoredRowSchema,
  ImportFormatSchema,
  KindSchema,
  RejectedRowSchema,
  Strict,
} from '../schemas.js';
import { readUpload, uploadDoc } from '../upload.js';

const ImportQuery = Type.Object(
  {
    kind: Type.Optional({
      ...KindSchema,
      description:
        "CSV and plain JSON lists: required, the kind every number gets. vCard: allow only (block is refused). FRITZ!Box XML: block declares the file to be the box's call-barring list; otherwise its contacts are allowed. PhoneBlock: block only.",
    }),
    format: Type.Optional(ImportFormatSchema),
  },
  Strict,
);

export const RowReport = {
  rejected: Type.Array(RejectedRowSchema, {
    description: 'Always empty here: a file with a bad row is refused (400).',
  }),
  ignored: Type.Array(IgnoredRowSchema, {
    description:
      'Rows deliberately not imported (at most 100 listed), each with the message that says why (skip.empty_tel, skip.sip, …).',
  }),
  ignoredCount: Type.Integer(),
};

export const ImportReportSchema = Type.Object({
  format: ImportFormatSchema,
  added: Type.Integer(),
  skipped: Type.Integer({ description: 'Duplicates: the entry exists already, or came earlier in the file.' }),
  contacts: Type.Integer({ description: 'Contacts created (vCard, FRITZ!Box).' }),
  ...RowReport,
  conflicts: Type.Array(ConflictSchema, {
    description: "The file's numbers that the other list holds too, and which entry wins (at most 100 listed).",
  }),
  conflictCount: Type.Integer(),
});

export function importRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Querystring: Static<typeof ImportQuery> }>(
    '/import',
    {
      bodyLimit: ctx.config.http.importLimitBytes,
      config: uploadDoc(
        'CSV (number[,label[,note]], header optional, ; or ,), vCard 3.0/4.0, FRITZ!Box phonebook XML, or a JSON list.',
      ),
      schema: {
        tags: ['import/export'],
        summary: 'Import a file into the personal entries',
        description:
          "Contacts are contacts: every TEL of every vCard becomes an allow entry of a contact, and a FRITZ!Box phonebook gives allow entries unless kind=block declares it the box's call-barring list " +
          '(the call-barring list itself, owner 258, is refused without that). A PhoneBlock blocklist gives block entries. CSV and plain JSON lists need kind. ' +
          'Atomic: one bad row refuses the whole file (400, with its line numbers) and nothing changes.',
        querystring: ImportQuery,
        response: { 200: ImportReportSchema, ...ERRORS },
      },
    },
    async (req) => {
      const file = await readUpload(req);
      const { kind, format } = req.query;
      try {
        const report = await importEntries(ctx, file, { ...(kind && { kind }), ...(format && { format }) });
        return { ...report, conflicts: (report.conflicts ?? []).map((c) => conflictView(c, ctx.config.numbering)) };
      } catch (err) {
        if (err instanceof ImportUsageError) {
          // The CSV refusal names its choice already; the others say what would be accepted.
          const fix =
            err.kinds.length === 0 ? ' (leave kind out)' : err.kinds.length === 1 ? ` (kind=${err.kinds[0]})` : '';
          throw new HttpError(
            400,
            about(err.problem, 'querystring/kind'),
            undefined,
            `querystring/kind: ${err.message}${fix}`,
          );
        }
        throw err;
      }
    },
  );
}
