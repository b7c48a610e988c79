// Exports of entries (CSV, vCard) and the CSV writer the call log's export shares with them.
export { entriesCsv, entriesVcard, type ExportQuery } from './entries.js';
export { csvLine } from './csv.js';
