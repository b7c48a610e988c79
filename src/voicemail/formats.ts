/**
 * The recording files Asterisk writes beside `msgNNNN.txt`, one per format in voicemail.conf's `format=` (the shipped
 * `wav49|wav` gives `msgNNNN.WAV` and `msgNNNN.wav`). File extensions per Asterisk's format modules — and case
 * matters: `.WAV` is wav49 (GSM 6.10 in a WAV container, format_wav_gsm.c), which no browser plays; `.wav` is 8 kHz
 * 16-bit PCM (format_wav.c), `.wav16` the same at 16 kHz, `.ogg` Ogg Vorbis (format_ogg_vorbis.c). Browsers play
 * PCM WAV everywhere and Ogg Vorbis in most; of the others (gsm, ulaw, alaw, g722, g729, sln, …) none.
 */

export interface AudioFormat {
  ext: string;
  contentType: string;
  /** A WAV file whose header tells its length. */
  wav: boolean;
}

/** Browser-playable formats, best first: PCM WAV at the higher rate, PCM WAV, then Ogg Vorbis (smaller, not Safari). */
export const PLAYABLE_FORMATS: readonly AudioFormat[] = [
  { ext: 'wav16', contentType: 'audio/wav', wav: true },
  { ext: 'wav', contentType: 'audio/wav', wav: true },
  { ext: 'ogg', contentType: 'audio/ogg', wav: false },
];

/** The best playable format among a message's file extensions (exact case), if any. */
export function playableFormat(exts: readonly string[]): AudioFormat | undefined {
  return PLAYABLE_FORMATS.find((f) => exts.includes(f.ext));
}

/** `msg0003.wav` → { base: 'msg0003', ext: 'wav' }; names that are not a message's files → undefined. */
export function messageFileName(name: string): { base: string; ext: string } | undefined {
  const m = /^(msg\d{4,})\.([A-Za-z0-9]+)$/.exec(name);
  return m ? { base: m[1] as string, ext: m[2] as string } : undefined;
}
