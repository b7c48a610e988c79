/**
 * The command side of the fake Asterisk: which commands exist, which of them run on a dead channel, and what
 * each answers. Modelled on res_agi.c's commands[] table and agi_handle_command().
 */

/** What a command handler sees and may change. */
export interface FakeChannel {
  /** Channel variables: the initial ones plus every SET VARIABLE. */
  variables: Map<string, string>;
  /** Only what SET VARIABLE wrote, for the call result. */
  set: Record<string, string>;
  /** Set by the HANGUP command: the channel goes away after the reply. */
  hangupRequested: boolean;
}

/** One reply: the pieces are written one by one, like consecutive ast_agi_send() calls. */
export type FakeReply = string[];

interface FakeCommand {
  words: string[];
  /** res_agi.c's `dead` column: 1 = allowed after the channel hung up. */
  dead: boolean;
  handler: (argv: string[], channel: FakeChannel) => FakeReply;
}

export const REPLY_UNKNOWN = '510 Invalid or unknown command\n';
export const REPLY_DEAD = '511 Command Not Permitted on a dead channel or intercepted channel\n';
export const REPLY_NO_USAGE = '520 Invalid command syntax.  Proper usage not available.\n';

/** A multi-line 520 as agi_handle_command() writes it: header, the usage text, the closing line. */
export function usageReply(usage: string): FakeReply {
  return ['520-Invalid command syntax.  Proper usage follows:\n', usage, '520 End of proper usage.\n'];
}

const ok = (result: number | string, rest = ''): FakeReply => [`200 result=${result}${rest}\n`];

// Usage texts in the style of res_agi.c: indented lines, and one that looks like a reply on purpose.
const USAGE_GET_VARIABLE =
  ' Usage: GET VARIABLE <variablename>\n' +
  '\tReturns 0 if <variablename> is not set, 1 and the value in parentheses if it is.\n' +
  ' example return code: 200 result=1 (testvariable)\n';
const USAGE_STREAM_FILE =
  ' Usage: STREAM FILE <filename> <escape digits> [sample offset]\n' +
  '\tPlays the file; returns the digit pressed, 0, or -1 on hangup.\n';
const USAGE_EXEC =
  ' Usage: EXEC <application> <options>\n' + '\tRuns a dialplan application; -2 when it does not exist.\n';
const USAGE_GET_FULL_VARIABLE = ' Usage: GET FULL VARIABLE <expression> [<channel name>]\n';

function getVariable(argv: string[], channel: FakeChannel): FakeReply {
  if (argv.length !== 3) return usageReply(USAGE_GET_VARIABLE);
  const value = channel.variables.get(argv[2] ?? '');
  return value === undefined ? ok(0) : ok(1, ` (${value})`);
}

function getFullVariable(argv: string[], channel: FakeChannel): FakeReply {
  if (argv.length !== 4 && argv.length !== 5) return usageReply(USAGE_GET_FULL_VARIABLE);
  const value = (argv[3] ?? '').replace(/\$\{([^}]*)\}/g, (_, name: string) => channel.variables.get(name) ?? '');
  return ok(1, ` (${value})`);
}

function setVariable(argv: string[], channel: FakeChannel): FakeReply {
  // handle_setvariable() checks neither argc nor extra words: it sets argv[3] when there is one, answers 1.
  const name = argv[2];
  const value = argv[3];
  if (name !== undefined && value !== undefined) {
    channel.variables.set(name, value);
    channel.set[name] = value;
  }
  return ok(1);
}

const zero = (): FakeReply => ok(0);

const COMMANDS: FakeCommand[] = [
  { words: ['answer'], dead: false, handler: zero },
  { words: ['asyncagi', 'break'], dead: false, handler: zero },
  { words: ['channel', 'status'], dead: false, handler: () => ok(6) },
  { words: ['database', 'del'], dead: true, handler: () => ok(1) },
  { words: ['database', 'deltree'], dead: true, handler: () => ok(1) },
  { words: ['database', 'get'], dead: true, handler: () => ok(0) },
  { words: ['database', 'put'], dead: true, handler: () => ok(1) },
  { words: ['exec'], dead: true, handler: (argv) => (argv.length < 2 ? usageReply(USAGE_EXEC) : ok(0)) },
  { words: ['get', 'data'], dead: false, handler: () => ok('', ' (timeout)') },
  { words: ['get', 'full', 'variable'], dead: true, handler: getFullVariable },
  { words: ['get', 'option'], dead: false, handler: () => ok(0, ' endpos=0') },
  { words: ['get', 'variable'], dead: true, handler: getVariable },
  {
    words: ['hangup'],
    dead: false,
    handler: (argv, channel) => {
      if (argv.length === 1) channel.hangupRequested = true;
      return argv.length > 2 ? [REPLY_NO_USAGE] : ok(argv.length === 1 ? 1 : -1);
    },
  },
  { words: ['noop'], dead: true, handler: zero },
  { words: ['receive', 'char'], dead: false, handler: () => ok(0, ' (timeout)') },
  { words: ['receive', 'text'], dead: false, handler: () => ok(-1) },
  { words: ['record', 'file'], dead: false, handler: () => ok(0, ' (timeout) endpos=0') },
  { words: ['say', 'alpha'], dead: false, handler: zero },
  { words: ['say', 'digits'], dead: false, handler: zero },
  { words: ['say', 'number'], dead: false, handler: zero },
  { words: ['say', 'phonetic'], dead: false, handler: zero },
  { words: ['say', 'date'], dead: false, handler: zero },
  { words: ['say', 'time'], dead: false, handler: zero },
  { words: ['say', 'datetime'], dead: false, handler: zero },
  { words: ['send', 'image'], dead: false, handler: zero },
  { words: ['send', 'text'], dead: false, handler: zero },
  { words: ['set', 'autohangup'], dead: false, handler: zero },
  { words: ['set', 'callerid'], dead: false, handler: () => ok(1) },
  { words: ['set', 'context'], dead: false, handler: zero },
  { words: ['set', 'extension'], dead: false, handler: zero },
  { words: ['set', 'music'], dead: false, handler: zero },
  { words: ['set', 'priority'], dead: false, handler: zero },
  { words: ['set', 'variable'], dead: true, handler: setVariable },
  {
    words: ['stream', 'file'],
    dead: false,
    handler: (argv) => (argv.length < 4 || argv.length > 5 ? usageReply(USAGE_STREAM_FILE) : ok(0, ' endpos=0')),
  },
  { words: ['control', 'stream', 'file'], dead: false, handler: zero },
  { words: ['tdd', 'mode'], dead: false, handler: () => ok(1) },
  { words: ['verbose'], dead: true, handler: (argv) => (argv.length < 2 ? [REPLY_NO_USAGE] : ok(1)) },
  { words: ['wait', 'for', 'digit'], dead: false, handler: zero },
  { words: ['speech', 'create'], dead: false, handler: () => ok(1) },
  { words: ['speech', 'destroy'], dead: true, handler: () => ok(1) },
];

/** find_command(argv, 0): every word of the command must match (case-insensitively); more words are arguments. */
function findCommand(argv: string[]): FakeCommand | undefined {
  return COMMANDS.find((c) => c.words.length <= argv.length && c.words.every((w, i) => w === argv[i]?.toLowerCase()));
}

/** agi_handle_command(): 510 for an unknown command, 511 for one that does not run dead, else the handler. */
export function runCommand(argv: string[], dead: boolean, channel: FakeChannel): FakeReply {
  const command = findCommand(argv);
  if (!command) return [REPLY_UNKNOWN];
  if (dead && !command.dead) return [REPLY_DEAD];
  return command.handler(argv, channel);
}
