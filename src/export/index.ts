// Exports of entries (CSV, vCard) and the CSV writer the call log's export shares with them.

export { csvLine } from './csv.js';
export { type ExportQuery, entriesCsv, entriesVcard } from './entries.js';
