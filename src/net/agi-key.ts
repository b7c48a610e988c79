import { createHash, timingSafeEqual } from 'node:crypto';
import type { AgiRequest } from 'asterisk-agi';

/** Both sides hashed first: timingSafeEqual needs equal lengths, and the hash keeps the length from showing too. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * The FastAGI key check (CALLFILTER_AGI_SECRET): the dialplan sends the key in the AGI URL's query
 * (`agi://127.0.0.1:4573/screen?key=…`), which Asterisk passes on as agi_network_script (res_agi.c,
 * launch_netscript()). Compared in constant time, so a local process cannot find it byte by byte.
 */
export function createKeyCheck(secret: string): (request: AgiRequest) => boolean {
  const expected = digest(secret);
  return (request) => {
    const given = request.query.get('key');
    return given !== null && timingSafeEqual(digest(given), expected);
  };
}
