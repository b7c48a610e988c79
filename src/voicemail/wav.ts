/**
 * The length of a WAV recording from its header (RIFF: "fmt " gives the bytes per second, "data" the byte count),
 * so the page can show it before the audio loads. Asterisk's format_wav writes the sizes when it closes the file; a
 * header whose data size is 0 or runs past the file (a recording still being written, or cut short) is measured by
 * the bytes actually there.
 */

/** Enough of the file for the RIFF header and the chunks Asterisk or an editor may put before "data". */
export const WAV_HEADER_BYTES = 4096;

export interface WavInfo {
  /** 1 = PCM, 49 = GSM 6.10 (Asterisk's wav49 / `.WAV`). */
  audioFormat: number;
  channels: number;
  sampleRate: number;
  byteRate: number;
  bitsPerSample: number;
  dataBytes: number;
  seconds: number;
}

/** Parses the start of a WAV file; `fileSize` is the whole file's. Undefined when it is not a WAV header. */
export function parseWavHeader(head: Buffer, fileSize: number): WavInfo | undefined {
  if (head.length < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE')
    return undefined;
  let fmt: Omit<WavInfo, 'dataBytes' | 'seconds'> | undefined;
  let offset = 12;
  while (offset + 8 <= head.length) {
    const id = head.toString('ascii', offset, offset + 4);
    const size = head.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ' && body + 16 <= head.length) {
      fmt = {
        audioFormat: head.readUInt16LE(body),
        channels: head.readUInt16LE(body + 2),
        sampleRate: head.readUInt32LE(body + 4),
        byteRate: head.readUInt32LE(body + 8),
        bitsPerSample: head.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt || fmt.byteRate === 0) return undefined;
      const present = Math.max(0, fileSize - body);
      const dataBytes = size === 0 || size > present ? present : size;
      return { ...fmt, dataBytes, seconds: dataBytes / fmt.byteRate };
    }
    // RIFF chunks are padded to an even size
    offset = body + size + (size % 2);
  }
  return undefined;
}
