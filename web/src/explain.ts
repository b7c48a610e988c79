/** The Explain view: a number (and optionally the called number and a time) → the decision and why. */
import { get, query } from './api.js';
import { errorText } from './calls.js';
import { byId, field, h, say } from './dom.js';
import { actionWord, countryName, fullTime, lang, t } from './i18n.js';
import { numberText } from './numbers.js';
import type { Explained } from './types.js';

function callerText(x: Explained): Node | string {
  const c = x.caller;
  if (c.kind === 'withheld') return t('withheld');
  if (c.kind === 'internal') return `${c.extension ?? c.raw} (${t('internal')})`;
  const parts = [c.e164 ? numberText(c.e164, c.e164National) : c.raw];
  if (c.country) parts.push(`${countryName(c.country)} (${c.country})`);
  if (c.plausible === false) parts.push(t('explain.implausible'));
  // The E.164 form on hover, as wherever the page shows a number.
  return c.e164 ? h('span', { title: c.e164 }, parts.join(' · ')) : parts.join(' · ');
}

function show(x: Explained): void {
  const d = x.decision;
  const box = byId('explain-result');
  const rows: [string, Node | string][] = [
    [t('explain.caller'), callerText(x)],
    [t('explain.because'), d.explanation],
    ...d.others.map((other): [string, string] => [t('explain.also'), other]),
    [t('explain.when'), fullTime(x.at)],
    [t('explain.profile'), d.schedule ? `${d.profile} · ${d.schedule}` : d.profile],
  ];
  box.replaceChildren(
    h(
      'p',
      { class: 'verdict' },
      h('span', { class: `badge big ${d.action}` }, actionWord(d.action)),
      d.label ? h('span', { class: 'label' }, d.label) : '',
    ),
    h('dl', {}, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
  );
  box.hidden = false;
}

export function initExplain(): void {
  const form = byId<HTMLFormElement>('explain-form');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void (async () => {
      const at = field(form, 'at').value;
      try {
        const x = await get<Explained>(
          `/api/v1/explain${query({
            number: field(form, 'number').value.trim() || 'anonymous',
            did: field(form, 'did').value.trim(),
            // datetime-local is the browser's local time; the server gets an unambiguous instant.
            at: at ? String(new Date(at).getTime()) : undefined,
            lang,
          })}`,
        );
        say(byId('explain-error'), '');
        show(x);
      } catch (err) {
        byId('explain-result').hidden = true;
        say(byId('explain-error'), errorText(err));
      }
    })();
  });
}
