/**
 * Conflicts in words, with their one-click resolution: "+4930…: the contact “Anna” wins over the block entry – allow
 * beats block", and two buttons, each keeping one side and removing the other. Used by the import report and the
 * entries list (lists.ts) and, for the words, the call log (calls.ts).
 */
import { del } from './api.js';
import { h, toast } from './dom.js';
import { type Key, num, t } from './i18n.js';
import { numberText } from './numbers.js';
import type { Conflict, ConflictSide } from './types.js';

const WHY: Record<Conflict['why'], Key> = {
  'allow beats block': 'why.allow',
  'exact beats prefix': 'why.exact',
  'longer prefix': 'why.longer',
};

const isContact = (s: ConflictSide) => s.kind === 'allow' && s.contactId !== undefined;

/** "the contact “Anna”", "the block entry", "the blocked range +49301234…" (German: nominative). */
export function sideWords(s: ConflictSide): string {
  if (s.prefix) return t(`side.range.${s.kind}`, { prefix: numberText(s.number, s.numberNational) });
  if (isContact(s)) return s.label ? t('side.contact.named', { label: s.label }) : t('side.contact');
  return s.label ? t(`side.${s.kind}.named`, { label: s.label }) : t(`side.${s.kind}`);
}

/** The same, short, as the object of "keep" / "remove" (German: accusative). */
function objectWords(s: ConflictSide): string {
  if (s.prefix) return t(`object.range.${s.kind}`);
  return isContact(s) ? t('object.contact') : t(`object.${s.kind}`);
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Where both lists hold callers, as people write it: `030 1234567`, or a range `030 123…`. */
const shown = (c: Conflict) => `${numberText(c.number, c.numberNational)}${c.prefix ? '…' : ''}`;

/** "+493012345670: the contact “Jürgen Böhm” wins over the block entry “Gewinnspiel” – allow beats block." */
export function conflictText(c: Conflict): string {
  return t('conflict.line', {
    number: shown(c),
    winner: sideWords(c.wins),
    loser: sideWords(c.loses),
    why: t(WHY[c.why]),
  });
}

/** "on both lists: the contact “Anna” decides, not the block entry – allow beats block": a caller's standing. */
export function winnerText(c: Conflict): string {
  return t('conflict.wins', { winner: sideWords(c.wins), loser: sideWords(c.loses), why: t(WHY[c.why]) });
}

/**
 * A conflict with its two resolutions: keep the winner (remove the loser) or keep the loser (remove the winner).
 * `onResolved` runs after the removal; `onError` shows what went wrong.
 */
export function conflictItem(c: Conflict, onResolved: () => void, onError: (err: unknown) => void): HTMLElement {
  const item = h('li', { class: 'conflict' }, h('span', {}, conflictText(c)));
  const number = shown(c);
  const resolve = (keep: ConflictSide, remove: ConflictSide) => {
    const text = capitalised(t('conflict.resolve', { keep: objectWords(keep), remove: objectWords(remove) }));
    const button = h(
      'button',
      {
        type: 'button',
        class: remove.kind === 'allow' ? 'small danger' : 'small',
        'data-remove-entry': remove.id,
        'aria-label': `${number}: ${text}`,
      },
      text,
    );
    button.addEventListener('click', () => {
      void (async () => {
        for (const b of item.querySelectorAll('button')) b.disabled = true;
        try {
          await del(`/api/v1/entries/${remove.id}`);
          item.replaceChildren(
            h('span', { class: 'muted' }, t('conflict.resolved', { number, kept: sideWords(keep) })),
          );
          toast(t('toast.removed'));
          onResolved();
        } catch (err) {
          for (const b of item.querySelectorAll('button')) b.disabled = false;
          onError(err);
        }
      })();
    });
    return button;
  };
  item.append(h('span', { class: 'buttons' }, resolve(c.wins, c.loses), resolve(c.loses, c.wins)));
  return item;
}

/** The import report's part: how many numbers both lists hold now, each with its resolution. */
export function conflictsReport(
  conflicts: readonly Conflict[],
  count: number,
  onResolved: () => void,
  onError: (err: unknown) => void,
): HTMLElement[] {
  if (count === 0) return [];
  const title = h(
    'p',
    { class: 'warn' },
    count === 1 ? t('import.conflicts.one') : t('import.conflicts', { n: num(count) }),
  );
  const list = h('ul', { class: 'conflicts' }, ...conflicts.map((c) => conflictItem(c, onResolved, onError)));
  const more =
    count > conflicts.length
      ? [h('p', { class: 'muted' }, t('import.conflicts.more', { n: num(count - conflicts.length) }))]
      : [];
  return [title, list, ...more];
}
