/**
 * Address-book contacts on PostgreSQL (../contacts-repository.ts). Their numbers are allow entries with contact_id
 * set, deleted with the contact by ON DELETE CASCADE: the cascade tells no one, so `remove` announces those entries
 * itself.
 */
import type pg from 'pg';
import {
  CONTACT_COLUMNS,
  type ContactNumber,
  type ContactRow,
  type ContactsRepository,
  contactsListSql,
  toContact,
} from '../contacts-repository.js';
import { POSTGRES_VISIBLE as VISIBLE } from '../import-visibility.js';
import { bool, orNull, pageLimit, type RepositoryOptions, toPage } from '../sql.js';
import type { Contact, NewContact, NewEntry, StoredEntry } from '../types.js';
import { announceEntries, createPostgresEntriesOperations } from './entries-operations.js';
import { withPostgresErrors } from './errors.js';
import { dollars, inTransaction, type Queryable } from './sql.js';

export function createPostgresContactsRepository(pool: pg.Pool, options: RepositoryOptions = {}): ContactsRepository {
  const clock = options.clock ?? Date.now;
  const entries = createPostgresEntriesOperations(options);

  async function create(db: Queryable, input: NewContact): Promise<Contact> {
    const r = await db.query<ContactRow>(
      `INSERT INTO contacts (name, note, vip, source, external_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING ${CONTACT_COLUMNS}`,
      [input.name, orNull(input.note), bool(input.vip), input.source ?? 'manual', orNull(input.externalId), clock()],
    );
    return toContact(r.rows[0] as ContactRow);
  }

  async function createWithNumbers(
    db: Queryable,
    contact: NewContact,
    numbers: readonly ContactNumber[],
  ): Promise<{ contact: Contact; entries: StoredEntry[]; skipped: number }> {
    const created = await create(db, contact);
    const rows: NewEntry[] = numbers.map((n) => ({
      ...n,
      kind: n.kind ?? 'allow',
      label: n.label ?? created.name,
      vip: n.vip ?? created.vip,
      source: n.source ?? created.source,
      contactId: created.id,
    }));
    const { skipped } = await entries.bulkInsert(db, rows, { onDuplicate: 'skip' });
    return {
      contact: created,
      entries: (await entries.list(db, { contactId: created.id, limit: 1000 })).items.reverse(),
      skipped,
    };
  }

  return withPostgresErrors<ContactsRepository>({
    create: (input) => create(pool, input),

    async get(id) {
      const r = await pool.query<ContactRow>(`SELECT ${CONTACT_COLUMNS} FROM contacts WHERE id = $1 AND ${VISIBLE}`, [
        id,
      ]);
      const row = r.rows[0];
      return row && toContact(row);
    },

    async findByExternalId(source, externalId) {
      const r = await pool.query<ContactRow>(
        `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE source = $1 AND external_id = $2 AND ${VISIBLE} ORDER BY id`,
        [source, externalId],
      );
      return r.rows.map(toContact);
    },

    async list(query = {}) {
      const limit = pageLimit(query);
      const { sql, params } = contactsListSql(query, 'postgres');
      const r = await pool.query<ContactRow>(dollars(sql), [...params, limit + 1]);
      return toPage(r.rows.map(toContact), limit);
    },

    /** Deletes the contact and its numbers (ON DELETE CASCADE), and announces the numbers. */
    remove: (id) =>
      inTransaction(pool, async (client) => {
        // Locked first: an entry added for this contact meanwhile (its foreign key takes a share lock on the
        // contact) either committed before, and is among those read below, or waits and then fails.
        const locked = await client.query(`SELECT id FROM contacts WHERE id = $1 AND ${VISIBLE} FOR UPDATE`, [id]);
        if (locked.rows.length === 0) return false;
        const numbers = await client.query<{ id: number }>('SELECT id FROM entries WHERE contact_id = $1', [id]);
        await client.query('DELETE FROM contacts WHERE id = $1', [id]);
        await announceEntries(
          client,
          numbers.rows.map((row) => row.id),
        );
        return true;
      }),

    createWithNumbers: (contact, numbers) => inTransaction(pool, (c) => createWithNumbers(c, contact, numbers)),

    createManyWithNumbers: (cards) =>
      inTransaction(pool, async (c) => {
        const out: Awaited<ReturnType<typeof createWithNumbers>>[] = [];
        for (const card of cards) out.push(await createWithNumbers(c, card.contact, card.numbers));
        return out;
      }),
  });
}
