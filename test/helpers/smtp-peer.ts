/**
 * A real SMTP peer for the mail tests: the smtp-server package on loopback (plain SMTP; STARTTLS is not offered, so
 * the client sends in the clear as it would to a local relay), with optional AUTH PLAIN/LOGIN, recording each
 * message's envelope and raw text. `refuseRecipients` answers RCPT TO with a given SMTP reply code. Closed when the
 * test finishes.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { onTestFinished } from 'vitest';

export interface ReceivedMail {
  from: string;
  to: string[];
  user?: string;
  raw: string;
}

export interface SmtpPeer {
  port: number;
  mails: ReceivedMail[];
  refuseRecipients(code: number | undefined): void;
}

export async function startSmtpPeer(auth?: { user: string; pass: string }): Promise<SmtpPeer> {
  const mails: ReceivedMail[] = [];
  let refuse: number | undefined;
  const server = new SMTPServer({
    disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    // AUTH over plain text is allowed only because this is loopback in a test.
    allowInsecureAuth: true,
    authOptional: !auth,
    logger: false,
    onAuth(a, _session, cb) {
      if (auth && a.username === auth.user && a.password === auth.pass) cb(null, { user: a.username });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, cb) {
      if (refuse)
        cb(Object.assign(new Error(refuse >= 500 ? 'No such user here' : 'Try again later'), { responseCode: refuse }));
      else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          ...(typeof session.user === 'string' ? { user: session.user } : {}),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    refuseRecipients(code) {
      refuse = code;
    },
  };
}

/** The decoded text of a raw mail's headers and parts, enough to check what a person would read. */
export function readMail(raw: string): { headers: Record<string, string>; text: string; html: string } {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = decodeWords(line.slice(i + 1).trim());
  }
  const body = rest.join('\n\n');
  const part = (type: string): string => {
    const re = new RegExp(
      `Content-Type: ${type}[^\\n]*\\r?\\nContent-Transfer-Encoding: ([\\w-]+)\\r?\\n\\r?\\n([\\s\\S]*?)\\r?\\n--`,
      'i',
    );
    const m = re.exec(body);
    if (!m) return '';
    const [, encoding = '', content = ''] = m;
    if (encoding.toLowerCase() === 'base64') return Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('utf8');
    if (encoding.toLowerCase() === 'quoted-printable') return quotedPrintable(content);
    return content;
  };
  return { headers, text: part('text/plain'), html: part('text/html') };
}

function quotedPrintable(text: string): string {
  const bytes = text.replace(/=\r?\n/g, '').replace(/\r\n/g, '\n');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === '=' && /^[0-9A-F]{2}$/i.test(bytes.slice(i + 1, i + 3))) {
      out.push(parseInt(bytes.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(...Buffer.from(bytes[i] as string, 'utf8'));
  }
  return Buffer.from(out).toString('utf8');
}

/** RFC 2047 encoded words (B and Q), as in a Subject with umlauts. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : quotedPrintable(text.replace(/_/g, ' ')),
    );
}
