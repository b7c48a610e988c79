/** Address-book contacts. Their numbers are allow entries with contact_id set (deleted with the contact). */
import type { Database } from './database.js';
import { createEntriesOperations } from './entries-repository.js';
import { withStoreErrors } from './errors.js';
import { POSTGRES_VISIBLE, VISIBLE } from './import-visibility.js';
import {
  bool,
  conditions,
  containsPattern,
  orNull,
  pageLimit,
  type RepositoryOptions,
  setOptional,
  toPage,
} from './sql.js';
import type { Contact, NewContact, NewEntry, Page, PageQuery, StoredEntry } from './types.js';

export interface ContactRow {
  id: number;
  name: string;
  note: string | null;
  vip: number;
  source: string;
  external_id: string | null;
  created_at: number;
}

export const CONTACT_COLUMNS = 'id, name, note, vip, source, external_id, created_at';

export function toContact(row: ContactRow): Contact {
  const contact: Contact = {
    id: row.id,
    name: row.name,
    vip: row.vip === 1,
    source: row.source,
    createdAt: row.created_at,
  };
  return setOptional(contact, { note: row.note, externalId: row.external_id });
}

/** A contact's number: kind defaults to allow; label, vip and source default to the contact's. */
export type ContactNumber = Omit<NewEntry, 'contactId' | 'kind'> & Partial<Pick<NewEntry, 'kind'>>;

/**
 * The contacts list's statement for either engine (`?` placeholders, the page's limit last): the engine's test for
 * rows of a running import, and its case-blind LIKE (SQLite's LIKE ignores the case of ASCII letters; PostgreSQL's
 * ILIKE does that).
 */
export function contactsListSql(
  query: PageQuery & { search?: string; source?: string },
  engine: 'sqlite' | 'postgres',
): { sql: string; params: unknown[] } {
  const like = engine === 'sqlite' ? 'LIKE' : 'ILIKE';
  const { where, params, add } = conditions(engine === 'sqlite' ? VISIBLE : POSTGRES_VISIBLE);
  if (query.source !== undefined) add('source = ?', query.source);
  if (query.search) add(`name ${like} ? ESCAPE '\\'`, containsPattern(query.search));
  if (query.cursor !== undefined) add('id < ?', query.cursor);
  return {
    sql: `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`,
    params,
  };
}

export function createContactsRepository(db: Database, options: RepositoryOptions = {}) {
  const clock = options.clock ?? Date.now;
  const entries = createEntriesOperations(db, options);
  const insert = db.prepare<[Record<string, unknown>], { id: number }>(
    `INSERT INTO contacts (name, note, vip, source, external_id, created_at)
     VALUES (@name, @note, @vip, @source, @external_id, @created_at) RETURNING id`,
  );
  const byId = db.prepare<[number], ContactRow>(`SELECT ${CONTACT_COLUMNS} FROM contacts WHERE id = ? AND ${VISIBLE}`);
  const byExternalId = db.prepare<[string, string], ContactRow>(
    `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE source = ? AND external_id = ? AND ${VISIBLE} ORDER BY id`,
  );
  const deleteById = db.prepare<[number]>(`DELETE FROM contacts WHERE id = ? AND ${VISIBLE}`);

  function create(input: NewContact): Contact {
    const row = insert.get({
      name: input.name,
      note: orNull(input.note),
      vip: bool(input.vip),
      source: input.source ?? 'manual',
      external_id: orNull(input.externalId),
      created_at: clock(),
    }) as { id: number };
    return toContact(byId.get(row.id) as ContactRow);
  }

  function createWithNumbers(
    contact: NewContact,
    numbers: readonly ContactNumber[],
  ): { contact: Contact; entries: StoredEntry[]; skipped: number } {
    return db.transaction(() => {
      const created = create(contact);
      const rows: NewEntry[] = numbers.map((n) => ({
        ...n,
        kind: n.kind ?? 'allow',
        label: n.label ?? created.name,
        vip: n.vip ?? created.vip,
        source: n.source ?? created.source,
        contactId: created.id,
      }));
      const { skipped } = entries.bulkInsert(rows, { onDuplicate: 'skip' });
      return {
        contact: created,
        entries: entries.list({ contactId: created.id, limit: 1000 }).items.reverse(),
        skipped,
      };
    });
  }

  return withStoreErrors({
    async create(input: NewContact): Promise<Contact> {
      return create(input);
    },

    async get(id: number): Promise<Contact | undefined> {
      const row = byId.get(id);
      return row && toContact(row);
    },

    /** Contacts an import created before from the same source (a vCard UID, a FRITZ!Box uniqueid). */
    async findByExternalId(source: string, externalId: string): Promise<Contact[]> {
      return byExternalId.all(source, externalId).map(toContact);
    },

    /** Newest first; `search` matches the name. */
    async list(query: PageQuery & { search?: string; source?: string } = {}): Promise<Page<Contact>> {
      const limit = pageLimit(query);
      const { sql, params } = contactsListSql(query, 'sqlite');
      return toPage(
        db
          .prepare<unknown[], ContactRow>(sql)
          .all(...params, limit + 1)
          .map(toContact),
        limit,
      );
    },

    /** Deletes the contact and its numbers (ON DELETE CASCADE). */
    async remove(id: number): Promise<boolean> {
      return deleteById.run(id).changes > 0;
    },

    /**
     * A contact and its numbers in one transaction. A number that already has an entry of the same kind (another
     * contact's, a manual one) is skipped and counted, not an error: households share landlines.
     */
    async createWithNumbers(
      contact: NewContact,
      numbers: readonly ContactNumber[],
    ): Promise<{ contact: Contact; entries: StoredEntry[]; skipped: number }> {
      return createWithNumbers(contact, numbers);
    },

    /** Many contacts with their numbers (as createWithNumbers each) in one transaction: an address book at once. */
    async createManyWithNumbers(
      cards: readonly { contact: NewContact; numbers: readonly ContactNumber[] }[],
    ): Promise<{ contact: Contact; entries: StoredEntry[]; skipped: number }[]> {
      return db.transaction(() => cards.map((card) => createWithNumbers(card.contact, card.numbers)));
    },
  });
}

export type ContactsRepository = ReturnType<typeof createContactsRepository>;
