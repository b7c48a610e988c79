/**
 * The lookup keys for longest-prefix matching, shortest first: `+49301234567` → `+4`, `+49`, …, `+49301234567`
 * (every leading part with at least one digit). The store looks all of them up in one `number IN (…)` query and
 * the longest hit wins. A string that is not `+digits` (a raw DID such as `s`) has only itself as key.
 */
export function allPrefixes(e164: string): string[] {
  if (e164.length < 2 || e164.charCodeAt(0) !== 0x2b /* + */) return [e164];
  const keys = new Array<string>(e164.length - 1);
  for (let end = 2; end <= e164.length; end++) keys[end - 2] = e164.slice(0, end);
  return keys;
}
