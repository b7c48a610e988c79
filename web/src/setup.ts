/**
 * The setup form: a new installation does not know the home country and area code, and without the area code a
 * local number (sent as 222222) cannot be read. Shown after signing in while the server says so (needsSetup); a
 * value the service's environment or config file sets is shown but cannot be changed here, as it would not win.
 */
import { get, request } from './api.js';
import { errorText } from './calls.js';
import { byId, field, say, toast } from './dom.js';
import { t } from './i18n.js';
import type { Setting, Settings } from './types.js';

/** "Later" hides the form until the page is loaded again. */
let dismissed = false;

const fixed = (s: Setting) => s.source === 'env' || s.source === 'file';

function fill(form: HTMLFormElement, s: Settings): void {
  const pairs: [HTMLInputElement, Setting][] = [
    [field(form, 'country'), s.country],
    [field(form, 'areaCode'), s.areaCode],
  ];
  for (const [input, setting] of pairs) {
    input.value = setting.value ?? '';
    input.disabled = fixed(setting);
  }
  const keys = pairs.filter(([, setting]) => fixed(setting)).map(([, setting]) => setting.key);
  say(byId('setup-fixed'), keys.length > 0 ? t('setup.fixed', { keys: keys.join(', ') }) : '');
}

/** Asks the server whether setup is needed, and shows the form if so. Never in the way: a failure hides it. */
export async function offerSetup(): Promise<void> {
  const box = byId('setup');
  if (dismissed) return;
  try {
    const s = await get<Settings>('/api/v1/settings');
    if (s.needsSetup) fill(byId<HTMLFormElement>('setup-form'), s);
    box.hidden = !s.needsSetup;
  } catch {
    box.hidden = true;
  }
}

async function save(form: HTMLFormElement): Promise<void> {
  const error = byId('setup-error');
  const country = field(form, 'country');
  const area = field(form, 'areaCode');
  const body: Record<string, string> = {};
  if (!country.disabled) body.country = country.value.trim();
  if (!area.disabled) {
    body.areaCode = area.value.trim();
    if (!body.areaCode) {
      say(error, t('setup.empty'));
      area.focus();
      return;
    }
  }
  try {
    const s = await request<Settings>('PUT', '/api/v1/settings', body);
    say(error, '');
    byId('setup').hidden = !s.needsSetup;
    toast(t('setup.saved', { country: s.country.value ?? '', area: s.areaCode.value ?? '' }));
  } catch (err) {
    say(error, errorText(err));
  }
}

export function initSetup(): void {
  const form = byId<HTMLFormElement>('setup-form');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void save(form);
  });
  byId('setup-later').addEventListener('click', () => {
    dismissed = true;
    byId('setup').hidden = true;
  });
}
