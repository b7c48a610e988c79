// Imports of entries and lists: the one implementation behind the admin API, the command line and the sources.
export { importEntries, readImport, writeEntries } from './entries-import.js';
export { importList } from './list-import.js';
export { entryConflicts, findConflicts, type Conflict, type ConflictEntry, type ConflictKey, type ConflictReport, type ConflictWhy } from './conflicts.js';
export type { ImportSource } from './source.js';
export {
  ImportRejectedError,
  ImportUsageError,
  MAX_REPORTED,
  type IgnoredRow,
  type ImportOptions,
  type ImportProgress,
  type ImportReport,
  type ListImportReport,
  type RejectedRow,
} from './types.js';
