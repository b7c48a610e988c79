import { readFileSync } from 'node:fs';
import type { NumberingConfig } from '../../../src/numbers/index.js';

/** Berlin, as the importers' brief says: home country DE, area code 30. */
export const numbering: NumberingConfig = { homeCountry: 'DE', homeAreaCode: '30', trunkRules: [] };

/** A file from test/fixtures/import/ (copies of the shared samples, and our own). */
export function fixture(name: string): Buffer {
  return readFileSync(new URL(`../../fixtures/import/${name}`, import.meta.url));
}

/** Items without their raw text, for tables that state everything else literally. */
export function withoutRaw<T extends { raw: string }>(items: readonly T[]): Array<Omit<T, 'raw'>> {
  return items.map(({ raw: _raw, ...rest }) => rest);
}
