/** `callfilter import` and `callfilter export`: the same import service and exporters as the admin API. */
import { existsSync } from 'node:fs';
import type { AppContext } from '../context.js';
import { entriesCsv, entriesVcard } from '../export/index.js';
import type { ImportFormat } from '../import/formats/index.js';
import {
  type ImportProgress,
  ImportRejectedError,
  type ImportReport,
  ImportUsageError,
  importEntries,
  importList,
} from '../import/index.js';
import { count, oneLine } from '../text.js';
import { CommandError, formatFlag, kindFlag, parse, thresholdFlag, UsageError } from './args.js';
import { showConflicts } from './conflicts.js';
import type { CliIo, Out, ShowNumber } from './main.js';
import { progressBar } from './progress.js';

const FORMATS: readonly ImportFormat[] = ['csv', 'vcard', 'fritzbox', 'phoneblock', 'json'];
const n = (x: number) => x.toLocaleString('en');

function showReport(report: ImportReport, out: Out, what: string, number: ShowNumber): void {
  out(
    `${what}: ${n(report.added)} added, ${count(report.skipped, 'duplicate')} skipped${report.contacts ? `, ${count(report.contacts, 'contact')} created` : ''}${report.ignoredCount ? `, ${n(report.ignoredCount)} ignored` : ''} (${report.format})`,
  );
  for (const i of report.ignored.slice(0, 20)) out(`  ignored line ${i.line}: ${oneLine(i.why)}`);
  if (report.ignoredCount > 20) out(`  … ${n(report.ignoredCount - 20)} more ignored`);
  showConflicts(report.conflicts ?? [], report.conflictCount ?? 0, out, number);
}

export async function importCommand(ctx: AppContext, argv: string[], out: Out, io: CliIo): Promise<void> {
  const { values, positionals } = parse(argv, {
    kind: { type: 'string' },
    list: { type: 'string' },
    format: { type: 'string' },
    threshold: { type: 'string' },
  });
  const [path, ...extra] = positionals;
  if (path === undefined) throw new UsageError('a file is required');
  if (extra.length > 0) throw new UsageError(`one file at a time (got ${positionals.length})`);
  if (!existsSync(path)) throw new CommandError(`${path}: no such file`);
  const kind = kindFlag(values.kind);
  const format = formatFlag(values.format, FORMATS);
  const threshold = thresholdFlag(values.threshold);
  if (values.list === undefined && threshold !== undefined) throw new UsageError('--threshold needs --list');
  if (values.list !== undefined && kind !== undefined)
    throw new UsageError('--kind does not apply to --list (a list blocks the numbers that reach its threshold)');

  const bar = progressBar(io.progress, 'importing');
  const onProgress = (p: ImportProgress) => {
    if (p.phase === 'read') bar.update(p.bytes ?? 0, p.totalBytes, `${count(p.rows, 'row')} read`);
    else bar.update(p.rows, p.totalRows, `${count(p.rows, 'row')} written`);
  };
  try {
    if (values.list !== undefined) {
      const { lists } = ctx.store;
      const existing = await lists.getByName(values.list);
      const list =
        existing ?? (await lists.create({ name: values.list, ...(threshold !== undefined && { threshold }) }));
      if (existing && threshold !== undefined) await lists.update(existing.id, { threshold });
      try {
        const report = await importList(ctx, list.id, { path }, { ...(format && { format }), onProgress });
        bar.end();
        showReport(report, out, `list "${list.name}" replaced`, io.number);
        if (report.removed) out(`  ${count(report.removed, 'row')} of the previous version removed`);
      } catch (err) {
        if (!existing) await lists.remove(list.id);
        throw err;
      }
      return;
    }
    // This process screens no calls: the import may take the write lock in longer turns (the service's log waits).
    const report = await importEntries(
      ctx,
      { path },
      { ...(format && { format }), ...(kind && { kind }), onProgress, pace: 'bulk' },
    );
    bar.end();
    showReport(report, out, `imported ${path}`, io.number);
  } catch (err) {
    bar.end();
    if (err instanceof ImportUsageError) {
      const fix =
        err.kinds.length === 0 ? 'leave --kind out' : `use ${err.kinds.map((k) => `--kind ${k}`).join(' or ')}`;
      throw new UsageError(`${err.message} (${fix})`);
    }
    if (err instanceof ImportRejectedError) {
      const lines = err.rejected.slice(0, 20).map((r) => `  line ${r.line}: ${oneLine(r.error)}`);
      const more = err.count > 20 ? [`  … ${n(err.count - 20)} more`] : [];
      throw new CommandError([`${path}: ${err.message}`, ...lines, ...more].join('\n'));
    }
    throw err;
  }
}

export async function exportCommand(ctx: AppContext, argv: string[], _out: Out, io: CliIo): Promise<void> {
  const { values, positionals } = parse(argv, { format: { type: 'string' }, kind: { type: 'string' } });
  if (positionals.length > 0)
    throw new UsageError('export writes to stdout; redirect it to a file (callfilter export > entries.csv)');
  const kind = kindFlag(values.kind);
  const format = values.format ?? 'csv';
  if (format !== 'csv' && format !== 'vcard')
    throw new UsageError(`--format: ${JSON.stringify(format)} is not csv or vcard`);
  const query = kind ? { kind } : {};
  for await (const chunk of format === 'csv' ? entriesCsv(ctx, query) : entriesVcard(ctx, query)) await io.write(chunk);
}
