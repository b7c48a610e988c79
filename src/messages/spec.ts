/**
 * How a message of the code table is declared: its parameters by name, and its English wording as a function of
 * them. A client gets the code and the parameters beside the English text and words them itself (the web page in
 * English or German); the English text is rendered from here and nowhere else.
 */

export type Param = string | number;

export interface Spec<P extends string = string> {
  /** The parameters the wording uses; a client may rely on each being present. */
  readonly params: readonly P[];
  readonly en: (p: Readonly<Record<P, Param>>) => string;
}

/** Declares a message; `params` are inferred from the list, and the wording must use only those. */
export function spec<const P extends string = never>(
  params: readonly P[],
  en: (p: Readonly<Record<P, Param>>) => string,
): Spec<P> {
  return { params, en };
}

/** A value as the English messages quote it: JSON, so quotes and control characters inside are visible. */
export const q = (value: Param): string => JSON.stringify(String(value));

/** "1 row is", "3 rows are". */
export const count = (n: Param, one: string, many: string): string => `${n} ${Number(n) === 1 ? one : many}`;
