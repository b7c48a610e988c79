/** Which field of a CSV row means what. */
export interface CsvColumns {
  number: number;
  label?: number;
  note?: number;
  score?: number;
}

/** Without a header: `number[,label[,note]]`. */
export const POSITIONAL: CsvColumns = { number: 0, label: 1, note: 2 };

type Role = keyof CsvColumns;

/**
 * Header names per role, compared lower-cased with everything but letters removed (`Phone Number`, `phone_number`
 * and `Telefon-Nr.` all work). English and German, as the lists people share are.
 */
const NAMES: Record<Role, readonly string[]> = {
  number: [
    'number',
    'phone',
    'phonenumber',
    'telephone',
    'telephonenumber',
    'tel',
    'callerid',
    'rufnummer',
    'nummer',
    'telefon',
    'telefonnummer',
    'telefonnr',
    'telnr',
    'nr',
  ],
  label: [
    'label',
    'name',
    'title',
    'company',
    'organisation',
    'organization',
    'description',
    'bezeichnung',
    'titel',
    'firma',
    'beschreibung',
  ],
  note: [
    'note',
    'notes',
    'comment',
    'comments',
    'remark',
    'info',
    'notiz',
    'notizen',
    'kommentar',
    'bemerkung',
    'bemerkungen',
    'hinweis',
  ],
  score: ['score', 'votes', 'reports', 'count', 'stimmen', 'meldungen', 'anzahl'],
};

const ROLE_OF = new Map<string, Role>();
for (const [role, names] of Object.entries(NAMES) as Array<[Role, readonly string[]]>) {
  for (const name of names) ROLE_OF.set(name, role);
}

const DIGIT = /\d/;
const NOT_LETTER = /[^\p{L}]/gu;

/** A first row is a header when its first field is not empty and has no digit (`Rufnummer;Name;Kommentar`). */
export function isHeader(fields: readonly string[]): boolean {
  const first = fields[0]?.trim() ?? '';
  return first !== '' && !DIGIT.test(first);
}

/**
 * The columns a header names; the first of each role wins and unknown names are ignored, so column order may vary.
 * A header that names no number column gets the first column not taken by another role as the number.
 */
export function columnsFromHeader(fields: readonly string[]): CsvColumns {
  const found: Partial<CsvColumns> = {};
  fields.forEach((field, i) => {
    const role = ROLE_OF.get(field.toLowerCase().replace(NOT_LETTER, ''));
    if (role !== undefined && found[role] === undefined) found[role] = i;
  });
  if (found.number === undefined) {
    const taken = new Set(Object.values(found));
    let i = 0;
    while (taken.has(i)) i++;
    found.number = i;
  }
  return found as CsvColumns;
}
