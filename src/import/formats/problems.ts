/** A row refused or left out, with its English sentence and the message's code and parameters (messages/). */
import { type Coded, render } from '../../messages/index.js';
import type { ImportSkip, RowError } from './types.js';

export const rowError = (line: number, raw: string, message: Coded): RowError => ({
  line,
  raw,
  error: render(message),
  code: message.code,
  params: message.params,
});

export const rowSkip = (line: number, raw: string, message: Coded): ImportSkip => ({
  line,
  raw,
  why: render(message),
  code: message.code,
  params: message.params,
});
