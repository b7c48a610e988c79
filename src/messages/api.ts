/**
 * What the admin API refuses, beyond numbers, settings and imports. `field` (the request part at fault:
 * `body/number`, `querystring/kind`) is a parameter of every message it applies to; index.ts puts it in front of the
 * English text unless the wording names it itself.
 */
import { withArticle } from '../text.js';
import { q, spec } from './spec.js';

export const API_MESSAGES = {
  // The request itself: its form, as the route's JSON schema checks it, and its size and type
  'request.additional_property': spec(
    ['field', 'property'],
    (p) => `${p.field} must NOT have additional property ${q(p.property)}`,
  ),
  'request.required': spec(['field', 'property'], (p) => `${p.field}/${p.property} is required`),
  /** `allowed`: the values, comma-separated. */
  'request.one_of': spec(['field', 'allowed'], (p) => `${p.field} must be one of ${p.allowed}`),
  /** `type`: JSON Schema's type names, comma-separated (`string`, `integer`, `string,null`). */
  'request.type': spec(['field', 'type'], (p) => `${p.field} must be ${p.type}`),
  'request.max_length': spec(['field', 'limit'], (p) => `${p.field} must NOT have more than ${p.limit} characters`),
  'request.min_length': spec(['field', 'limit'], (p) => `${p.field} must NOT have fewer than ${p.limit} characters`),
  /** `comparison`: `>=`, `<=`, `>` or `<`. */
  'request.limit': spec(['field', 'comparison', 'limit'], (p) => `${p.field} must be ${p.comparison} ${p.limit}`),
  'request.pattern': spec(['field', 'pattern'], (p) => `${p.field} must match pattern ${q(p.pattern)}`),
  /** Any other rule of the schema, in the validator's own (English) words. */
  'request.invalid': spec(['field', 'detail'], (p) => `${p.field} ${p.detail}`),
  /** `size`: `1 MiB`, or a number of bytes. */
  'request.body_too_large': spec(['size'], (p) => `the request body is larger than this route's limit of ${p.size}`),
  'request.file_too_large': spec(
    ['size'],
    (p) => `the file is larger than the import limit of ${p.size} (CALLFILTER_IMPORT_LIMIT_MB)`,
  ),
  'request.content_type': spec(['type'], (p) => `unsupported content type ${q(p.type)}; send application/json`),
  'request.empty_json': spec([], () => 'body is empty but the content type is application/json'),
  /** `detail`: where the JSON broke, in the parser's own (English) words. */
  'request.bad_json': spec(['detail'], (p) => `body is not valid JSON: ${p.detail}`),
  'request.no_route': spec(['method', 'path'], (p) => `no route ${p.method} ${p.path}`),
  /** A refusal of the web framework's that has no code of its own, in its (English) words. */
  'request.refused': spec(['detail'], (p) => `${p.detail}`),
  'request.time': spec(
    ['value'],
    (p) => `${q(p.value)} is not a time (epoch milliseconds, or ISO 8601 like 2026-12-31 or 2026-12-31T18:00:00Z)`,
  ),
  'server.internal': spec([], () => 'internal error'),

  // An upload
  'upload.no_boundary': spec([], () => 'the multipart/form-data Content-Type has no boundary parameter'),
  'upload.long_boundary': spec(
    ['length', 'max'],
    (p) => `the multipart boundary is ${p.length} characters long; at most ${p.max} are allowed (RFC 2046)`,
  ),
  'upload.files': spec(['max'], (p) => `the multipart body has more than ${p.max} file; send one file per upload`),
  'upload.fields': spec(
    ['max'],
    (p) => `the multipart body has more than ${p.max} fields; send the file and nothing else`,
  ),
  'upload.parts': spec(
    ['max'],
    (p) => `the multipart body has more than ${p.max} parts; send the file and nothing else`,
  ),
  'upload.unreadable': spec(['detail'], (p) => `the multipart/form-data body cannot be read: ${p.detail}`),
  'upload.no_file_part': spec([], () => 'the multipart body has no file part (send the file in a field named "file")'),
  'upload.no_file': spec(
    [],
    () =>
      'no file: send it as the request body (Content-Type text/csv, text/vcard, application/xml or application/json) or as multipart/form-data field "file"',
  ),

  // Signing in
  'auth.token_needed': spec(
    [],
    () =>
      'this needs the admin token: send "Authorization: Bearer <token>" (the token is in the data dir\'s admin-token file; "callfilter token" prints it)',
  ),
  'auth.token_invalid': spec([], () => 'the admin token is not valid'),
  'auth.session_ended': spec(
    [],
    () => 'the session has ended (signed out after a while, or the admin token changed); sign in again',
  ),
  'auth.csrf': spec(
    ['header'],
    (p) => `a signed-in page must send its CSRF token in the ${p.header} header with every change`,
  ),
  'auth.signout_csrf': spec(['header'], (p) => `signing out needs the session's CSRF token in the ${p.header} header`),
  'auth.not_signed_in': spec([], () => 'not signed in'),
  'auth.too_many': spec(['seconds'], (p) => `too many failed sign-ins from this address; try again in ${p.seconds} s`),
  'live.too_many': spec(['max'], (p) => `too many live views are open (at most ${p.max}); close one`),
  'page.no_asset': spec(['name'], (p) => `no file /assets/${p.name}`),

  // The database's state, not the request's
  'store.busy': spec([], () => 'the database is busy (an import or another process is writing); try again in a moment'),
  'store.readonly': spec(
    [],
    () => 'the database cannot be written (the file, its folder or the disk is read-only); nothing was changed',
  ),
  'store.full': spec([], () => 'the disk is full; nothing was changed'),
  /** Any other refusal of the store (a list replaced meanwhile, say), in its (English) words. */
  'store.refused': spec(['detail'], (p) => `${p.detail}`),

  // Entries
  'entry.not_found': spec(['id'], (p) => `no entry ${p.id}`),
  /** `id`: the existing entry's, or empty when it is not known. */
  'entry.exists': spec(
    ['kind', 'number', 'id'],
    (p) => `${withArticle(`${p.kind} entry`)} for ${p.number} already exists${p.id === '' ? '' : ` (id ${p.id})`}`,
  ),
  'entry.block_connect': spec([], () => 'a block entry cannot connect; use an allow entry'),
  'entry.prefix_needs_number': spec([], () => 'to turn an entry into a prefix or back, send its number too'),
  'entry.short_needs_number': spec([], () => 'says how to read body/number; send the number too'),

  // The voicemail message a call left (GET /calls/{id}/voicemail)
  'voicemail.no_spool': spec([], () => 'no voicemail spool is configured (CALLFILTER_VOICEMAIL_DIR)'),
  'voicemail.none': spec(['id'], (p) => `call ${p.id} left no voicemail message`),
  'voicemail.format': spec(
    ['id', 'formats'],
    (p) =>
      `the message of call ${p.id} was recorded only as ${p.formats}, which browsers cannot play: add wav to format= in voicemail.conf`,
  ),
  'voicemail.unreadable': spec(['id', 'reason'], (p) => `the message of call ${p.id} cannot be read (${p.reason})`),
  'voicemail.range': spec(['size'], (p) => `the message has ${p.size} bytes`),

  // A call of the log, and what to do about its caller (`verb`: block or allow)
  'call.not_found': spec(['id'], (p) => `no call ${p.id}`),
  'call.internal': spec(
    ['id', 'caller', 'verb'],
    (p) =>
      `call ${p.id} came from the internal extension ${q(p.caller)}: internal callers are never filtered, so there is nothing to ${p.verb}`,
  ),
  'call.local': spec(
    ['id', 'caller'],
    (p) =>
      `call ${p.id} came from ${q(p.caller)}, a local number that could not be read without the home area code (callfilter setup --area-code …); add an entry with its full number instead`,
  ),
  'call.withheld': spec(
    ['id', 'caller', 'verb'],
    (p) =>
      `call ${p.id} came from a withheld number (caller id ${q(p.caller)}): there is no number to ${p.verb}; the policy's withheld step decides such calls`,
  ),
  'call.block_connect': spec([], () => 'a block entry cannot connect; use /allow'),
  /** `callerKind`: withheld, internal or local. */
  'call.no_number_to_report': spec(
    ['id', 'callerKind'],
    (p) => `call ${p.id} has no number to report (the caller was ${p.callerKind})`,
  ),
  'report.needs_key': spec(
    [],
    () => 'reporting to PhoneBlock needs its API key: set CALLFILTER_PHONEBLOCK_TOKEN (or add a PhoneBlock source)',
  ),

  // Spam lists, profiles, sources
  'list.not_found': spec(['id'], (p) => `no list ${p.id}`),
  'list.exists': spec(['name', 'id'], (p) => `a list named ${q(p.name)} already exists (id ${p.id})`),
  'list.connect': spec([], () => 'a spam list cannot connect; use allow entries'),
  'profile.not_found': spec(['name'], (p) => `no profile ${q(p.name)}`),
  'profile.exists': spec(
    ['name', 'path'],
    (p) => `a profile named ${q(p.name)} exists already; PUT ${p.path} replaces it`,
  ),
  'profile.default_read_only': spec(
    [],
    () => 'the default profile is set in the config file (CALLFILTER_CONFIG), not here',
  ),
  'profile.file_read_only': spec(
    ['name'],
    (p) =>
      `the profile ${q(p.name)} is defined in the config file (CALLFILTER_CONFIG); change it there or pick another name`,
  ),
  'profile.did_taken': spec(['did', 'profile'], (p) => `${p.did} belongs to the profile ${q(p.profile)} already`),
  'profile.name_differs': spec(
    ['value', 'name'],
    (p) => `${q(p.value)} differs from the name in the path (${q(p.name)})`,
  ),
  'source.not_found': spec(['name'], (p) => `no source ${q(p.name)}`),
  'source.exists': spec(['name', 'id'], (p) => `a source named "${p.name}" already exists (id ${p.id})`),
  /** A source's settings refused, in the checker's own (English) words. */
  'source.invalid': spec(['detail'], (p) => `${p.detail}`),
} as const;
