/** The soak's database before the service starts: contacts, personal block entries and a spam list. */
import { openStore } from '../src/store/index.js';
import type { SoakNumbers } from './soak-load.js';

const CONTACTS = 200;
const BLOCKED = 2_000;
const SPAM = 50_000;

export async function seedDatabase(file: string): Promise<SoakNumbers> {
  const store = openStore(file);
  try {
    const contacts: string[] = [];
    for (let i = 0; i < CONTACTS; i++) {
      const number = `+49170${String(1_000_000 + i)}`;
      await store.contacts.createWithNumbers({ name: `Kontakt ${i}`, source: 'vcard' }, [{ number }]);
      contacts.push(number);
    }
    const blocked = Array.from({ length: BLOCKED }, (_, i) => `+4930${String(8_000_000 + i)}`);
    await store.entries.bulkInsert(blocked.map((number) => ({ number, kind: 'block' as const, label: 'soak block' })));
    const list = await store.lists.create({ name: 'PhoneBlock', threshold: 4 });
    const spam = Array.from({ length: SPAM }, (_, i) => `+4989${String(10_000_000 + i)}`);
    await store.lists.replaceEntries(
      list.id,
      spam.map((number) => ({ number, score: 10, label: 'advertising' })),
    );
    return { contacts, blocked: blocked.slice(0, 500), spam: spam.filter((_, i) => i % 100 === 0) };
  } finally {
    store.db.close();
  }
}
