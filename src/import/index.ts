// Imports of entries and lists: the one implementation behind the admin API, the command line and the sources.

export {
  type Conflict,
  type ConflictEntry,
  type ConflictKey,
  type ConflictReport,
  type ConflictWhy,
  entryConflicts,
  findConflicts,
} from './conflicts.js';
export { importEntries, readImport, writeEntries } from './entries-import.js';
export { importList } from './list-import.js';
export type { ImportSource } from './source.js';
export {
  type IgnoredRow,
  type ImportOptions,
  type ImportProgress,
  ImportRejectedError,
  type ImportReport,
  ImportUsageError,
  type ListImportReport,
  MAX_REPORTED,
  type RejectedRow,
} from './types.js';
