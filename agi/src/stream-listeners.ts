import type { Duplex } from 'node:stream';

/** What a session hears from its stream. */
export interface StreamListeners {
  data(chunk: Buffer | string): void;
  end(): void;
  error(err: Error): void;
  close(): void;
}

/** The listener a closed stream keeps for a late 'error'. */
const ignoreError = (): void => {};

/**
 * Passes the stream's data, end, error and close to `to` until the stream closes (at once, on the next microtask, if
 * it was destroyed already), then takes them off again and leaves one 'error' listener that holds nothing: an unheard
 * 'error' would crash the process.
 *
 * Why take them off: a closed socket lives on until V8's next full collection (young-generation collections keep
 * Node's handle wrappers alive), and with a session's listeners on it, everything the session holds — environment,
 * buffers, timers, the handler's closures — would live on with it: copied by two young-generation collections and
 * moved to the old generation on every call.
 */
export function listenUntilClosed(stream: Duplex, to: StreamListeners): void {
  let listening = true;
  const close = (): void => {
    to.close();
    if (!listening) return;
    listening = false;
    stream.off('data', to.data);
    stream.off('end', to.end);
    stream.off('close', close);
    stream.on('error', ignoreError);
    stream.off('error', to.error);
  };
  stream.on('data', to.data);
  stream.on('end', to.end);
  stream.on('error', to.error);
  stream.on('close', close);
  if (stream.destroyed) queueMicrotask(close);
}
