/**
 * The lookup keys for longest-prefix matching, shortest first: `+49301234567` → `+4`, `+49`, …, `+49301234567`
 * (every leading part with at least one digit). The store probes those of a length some prefix entry has
 * (store/prefix-lengths.ts), and the policy picks the longest hit. A string that is not `+digits` (a raw DID such as
 * `s`) has only itself as key.
 */
export function allPrefixes(e164: string): string[] {
  if (e164.length < 2 || e164.charCodeAt(0) !== 0x2b /* + */) return [e164];
  const keys = new Array<string>(e164.length - 1);
  for (let end = 2; end <= e164.length; end++) keys[end - 2] = e164.slice(0, end);
  return keys;
}
