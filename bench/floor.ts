/**
 * The floor: the least a FastAGI server can do. It reads until the environment block's empty line, then writes the
 * command lines our service sends — byte for byte, built with the same quoting — one at a time, each after the
 * previous reply's `\n`, and closes. No parsing beyond finding line ends, no lookups, no logging.
 *
 * Which lines: the service's lines depend on the decision (3 to 6 commands), so the floor cycles through the
 * decisions of the caller mix in the mix's proportions (bench/caller-mix.ts MIX) — the same commands per call on
 * average as our service, with no lookup to know which.
 *
 * Usage: node dist/bench/floor.js <port>
 */
import net from 'node:net';
import { buildCommandLine } from 'asterisk-agi';
import { VARIABLES } from '../src/screen/variables.js';
import { type Category, MIX } from './caller-mix.js';
import { prng } from './dataset.js';

const LF = 0x0a;

function lines(vars: [string, string][]): Buffer[] {
  return vars.map(([name, value]) => Buffer.from(buildCommandLine('SET VARIABLE', [name, value])));
}

/** What the handler sends (src/screen/variables.ts: decisionVariables, then closingVariables) for a typical caller of each category. */
function decisionLines(category: Category, n: number): Buffer[] {
  const callId = String(100_000 + n);
  const labelled = (reason: string, label: string, extra: [string, string][], action: string) =>
    lines([
      [VARIABLES.reason, reason],
      [VARIABLES.label, label],
      ...extra,
      ['CALLERID(name)', label],
      [VARIABLES.callId, callId],
      [VARIABLES.action, action],
    ]);
  const plain = (reason: string, extra: [string, string][], action: string) =>
    lines([[VARIABLES.reason, reason], ...extra, [VARIABLES.callId, callId], [VARIABLES.action, action]]);
  switch (category) {
    case 'contact':
      return labelled('contact', `Anna Müller ${n}`, [], 'connect');
    case 'blocked-exact': // a third of the blocklist entries have a label (bench/dataset.ts blockedLabel)
      return n % 3 === 0
        ? labelled('blocklist', 'Gewinnspiel', [[VARIABLES.cause, '21']], 'hangup')
        : plain('blocklist', [[VARIABLES.cause, '21']], 'hangup');
    case 'blocked-prefix':
      return labelled('blocklist', 'Callcenter', [[VARIABLES.cause, '21']], 'hangup');
    case 'spam-list':
      return labelled(
        'spam-list',
        'SPAM: Werbung',
        [[VARIABLES.announcement, 'callfilter/polite-decline']],
        'announce',
      );
    case 'withheld':
      return plain('anonymous', [], 'voicemail');
    case 'repeat':
      return plain('repeat-caller', [], 'connect');
    default:
      return plain(category, [], 'voicemail');
  }
}

/** The mix as a shuffled cycle of 1,000 decisions. */
function schedule(): Buffer[][] {
  const out: Buffer[][] = [];
  for (const [category, perMille] of Object.entries(MIX) as [Category, number][]) {
    for (let i = 0; i < perMille; i++) out.push(decisionLines(category, out.length));
  }
  const rng = prng(42);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j] as Buffer[], out[i] as Buffer[]];
  }
  return out;
}

const cycle = schedule();
let next = 0;

const server = net.createServer({ noDelay: true }, (socket) => {
  const commands = cycle[next++ % cycle.length] as Buffer[];
  let inEnv = true;
  let lastByte = 0;
  let replies = 0;
  let done = false;
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    if (done) return; // Asterisk's HANGUP after our close
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] as number;
      if (byte !== LF) {
        lastByte = byte;
        continue;
      }
      if (inEnv) {
        // The block ends with an empty line: "\n\n".
        if (lastByte === LF) {
          inEnv = false;
          socket.write(commands[0] as Buffer);
        }
        lastByte = LF;
        continue;
      }
      // A reply line ended: send the next command, or close after the last reply.
      replies++;
      if (replies < commands.length) {
        socket.write(commands[replies] as Buffer);
      } else {
        done = true;
        socket.end();
        return;
      }
    }
  });
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
