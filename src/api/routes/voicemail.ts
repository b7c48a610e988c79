/**
 * GET /api/v1/calls/{id}/voicemail: the message the call left on Asterisk's voicemail, in a format the browser plays
 * (src/voicemail: found by channel and time in the read-only spool, wherever it moved). Byte ranges (RFC 9110 §14)
 * so the page's audio element can seek; one range per request, as browsers ask for media.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import type { AppContext } from '../../context.js';
import { coded } from '../../messages/index.js';
import type { CallRecord } from '../../store/index.js';
import { matchVoicemail, type VoicemailAudio, type VoicemailSpool } from '../../voicemail/index.js';
import { HttpError, notFound } from '../errors.js';
import { ERRORS, IdParams } from '../schemas.js';

export type ByteRange = { start: number; end: number } | 'unsatisfiable' | undefined;

/**
 * `Range: bytes=a-b`, `bytes=a-`, `bytes=-n` against a file of `size` bytes: the inclusive range, 'unsatisfiable'
 * (416), or undefined for no range, another unit, several ranges or a malformed one (then the whole file, 200).
 */
export function byteRange(header: string | undefined, size: number): ByteRange {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const [first, last] = [m[1] as string, m[2] as string];
  if (first === '') {
    const n = Number(last);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return undefined;
  return start >= size ? 'unsatisfiable' : { start, end };
}

/**
 * Opens the call's recording. A message moved (listened to: INBOX → Old, renumbered) since the index was read is
 * looked up once more in a fresh walk before the answer is 404.
 */
async function openMessage(
  spool: VoicemailSpool,
  call: CallRecord,
): Promise<{ handle: FileHandle; audio: VoicemailAudio }> {
  for (let fresh = false; ; fresh = true) {
    const match = fresh ? matchVoicemail(call, await spool.refresh()) : await spool.find(call);
    if (!match) throw notFound(coded('voicemail.none', { id: call.id }));
    const audio = match.message.audio;
    if (!audio) throw notFound(coded('voicemail.format', { id: call.id, formats: match.message.formats.join(', ') }));
    try {
      return { handle: await open(audio.path, 'r'), audio };
    } catch (err) {
      if (fresh)
        throw notFound(
          coded('voicemail.unreadable', { id: call.id, reason: (err as NodeJS.ErrnoException).code ?? 'error' }),
        );
    }
  }
}

const Audio = Type.Unsafe<Buffer>({
  type: 'string',
  format: 'binary',
  description: 'The recording: audio/wav (PCM) or audio/ogg.',
});

export function voicemailRoutes(app: FastifyInstance, ctx: AppContext, spool: VoicemailSpool | undefined): void {
  app.get<{ Params: Static<typeof IdParams> }>(
    '/calls/:id/voicemail',
    {
      schema: {
        tags: ['calls'],
        summary: 'The voicemail message this call left, as audio',
        description:
          "From Asterisk's voicemail spool (CALLFILTER_VOICEMAIL_DIR), in a format browsers play (PCM WAV, or Ogg). Supports Range requests (206). 404 when the call left no message, or only in formats a browser cannot play (wav49, gsm).",
        params: IdParams,
        response: { 200: Audio, 206: Audio, ...ERRORS },
      },
    },
    async (req, reply) => {
      const call = await ctx.store.calls.get(req.params.id);
      if (!call) throw notFound(coded('call.not_found', { id: req.params.id }));
      if (!spool) throw notFound(coded('voicemail.no_spool'));
      const { handle: file, audio } = await openMessage(spool, call);
      const { size } = await file.stat().catch(async (err: unknown) => {
        await file.close();
        throw err;
      });
      const range = byteRange(req.headers.range, size);
      reply.header('accept-ranges', 'bytes').header('cache-control', 'private, no-cache');
      if (range === 'unsatisfiable') {
        await file.close();
        reply.header('content-range', `bytes */${size}`);
        throw new HttpError(416, coded('voicemail.range', { size }));
      }
      const { start, end } = range ?? { start: 0, end: size - 1 };
      if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
      reply.type(audio.format.contentType).header('content-length', String(Math.max(0, end - start + 1)));
      // An empty file gives an empty body (a stream with end < start would read it all).
      if (size === 0) {
        await file.close();
        return reply.send(Buffer.alloc(0));
      }
      return reply.send(file.createReadStream({ start, end }));
    },
  );
}
