import { Duplex } from 'node:stream';

interface Side extends Duplex {
  peer?: Side;
  /** End of stream has been pushed into this side's readable half. */
  eof?: boolean;
  /** A peer's write callback held back until this side reads again (backpressure). */
  held?: (() => void) | undefined;
}

function epipe(): NodeJS.ErrnoException {
  return Object.assign(new Error('write EPIPE'), { code: 'EPIPE', errno: -32, syscall: 'write' });
}

function pushEof(side: Side | undefined): void {
  if (!side || side.eof || side.destroyed) return;
  side.eof = true;
  side.push(null);
}

/**
 * Two connected in-memory Duplex streams that behave like the two ends of a TCP connection: bytes written to one
 * are read from the other (on a later tick, never synchronously inside write()), end() is a FIN, destroy() is
 * seen by the peer as end of stream, and writing to a destroyed peer fails with EPIPE. Both sides may keep
 * writing after the other's FIN (half-open), as Asterisk does when it answers our close with `HANGUP`.
 * Backpressure works: a write is acknowledged once the peer's readable buffer has room again.
 */
export function duplexPair(): [Duplex, Duplex] {
  const make = (): Side =>
    new Duplex({
      allowHalfOpen: true,
      read() {
        const self = this as Side;
        const held = self.held;
        self.held = undefined;
        held?.();
      },
      write(chunk: Buffer, _encoding, callback) {
        const peer = (this as Side).peer;
        process.nextTick(() => {
          if (!peer || peer.destroyed || peer.eof) {
            callback(epipe());
            return;
          }
          if (peer.push(chunk)) callback();
          else peer.held = () => callback();
        });
      },
      final(callback) {
        const peer = (this as Side).peer;
        process.nextTick(() => {
          pushEof(peer);
          callback();
        });
      },
      destroy(err, callback) {
        const self = this as Side;
        const held = self.held;
        self.held = undefined;
        process.nextTick(() => {
          // The peer sees the connection close, as with a socket: end of stream, not an error on its side.
          pushEof(self.peer);
          held?.();
        });
        callback(err);
      },
    }) as Side;
  const a = make();
  const b = make();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
