/**
 * The one table of what callfilter tells a client went wrong: a stable code per message, its parameters by name, and
 * its English wording. The admin API answers `{ code, params, message }` (message: the English, rendered here); the
 * web page words the code in the reader's language and falls back to `message` for a code it does not know. Codes
 * are part of the API: renaming one breaks the page and scripts, so only add.
 */
import { API_MESSAGES } from './api.js';
import { IMPORT_MESSAGES } from './imports.js';
import { NUMBER_MESSAGES } from './numbers.js';
import { SETTING_MESSAGES } from './settings.js';
import type { Param, Spec } from './spec.js';

export { implausibleText } from './numbers.js';
export type { Param } from './spec.js';

export const MESSAGES = { ...NUMBER_MESSAGES, ...IMPORT_MESSAGES, ...SETTING_MESSAGES, ...API_MESSAGES } as const;

export type Code = keyof typeof MESSAGES;
export type Params = Readonly<Record<string, Param>>;
/** The parameters a code's wording needs. */
export type ParamsOf<C extends Code> = Parameters<(typeof MESSAGES)[C]['en']>[0];
/**
 * `field`, where a message is about one part of a request or setting (`body/number`, `CALLFILTER_HOME_COUNTRY`): the
 * English text starts with it (`body/number: …`) unless the wording names it itself.
 */
type WithField<C extends Code> = ParamsOf<C> & { field?: string };

/** A message as data: what a client gets besides the English text. */
export interface Coded {
  readonly code: Code;
  readonly params: Params;
}

export const isCode = (value: unknown): value is Code => typeof value === 'string' && Object.hasOwn(MESSAGES, value);

/** The message `code` with its parameters (none to give for a code without). */
export function coded<C extends Code>(
  code: C,
  ...params: keyof ParamsOf<C> extends never ? [params?: { field?: string }] : [params: WithField<C>]
): Coded {
  return { code, params: (params[0] ?? {}) as Params };
}

/** The English text of a message: the wording, with `field: ` in front when it is set and the wording does not name it. */
export function render(message: Coded): string {
  const spec = MESSAGES[message.code] as Spec;
  const text = spec.en(message.params as Readonly<Record<string, Param>>);
  const field = message.params.field;
  return field !== undefined && field !== '' && !spec.params.includes('field') ? `${field}: ${text}` : text;
}

/** The same message about `field`. */
export function about(message: Coded, field: string): Coded {
  return { code: message.code, params: { ...message.params, field } };
}
