/**
 * Graceful shutdown of the real process: SIGTERM while calls are in flight. Sessions already open still get
 * their decision, no new connection is accepted, and the process exits 0 within the grace period.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/service.js';
import { type AbusiveClient, connect, envLines, sleep } from './clients.js';
import { startServer } from './processes.js';

/** AgiServer's CLOSE_GRACE_MS: how long close() waits for live sessions. */
const GRACE_MS = 2_000;

/** A hand-driven Asterisk: answers every command with `200 result=1` once `answering` is set, records SET VARIABLEs. */
function asterisk(client: AbusiveClient) {
  const vars: Record<string, string> = {};
  const state = { answering: false, pending: 0, buffer: '' };
  client.socket.on('data', (chunk: Buffer) => {
    state.buffer += chunk.toString('utf8');
    for (let lf = state.buffer.indexOf('\n'); lf !== -1; lf = state.buffer.indexOf('\n')) {
      const line = state.buffer.slice(0, lf);
      state.buffer = state.buffer.slice(lf + 1);
      const m = /^SET VARIABLE "([^"]*)" "([^"]*)"/.exec(line);
      if (m) vars[m[1] as string] = m[2] as string;
      if (state.answering) client.send('200 result=1\n');
      else state.pending++;
    }
  });
  return {
    vars,
    answer() {
      state.answering = true;
      for (; state.pending > 0; state.pending--) client.send('200 result=1\n');
    },
  };
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

describe('SIGTERM during live calls', () => {
  it('decides the sessions in flight, accepts no new connection, exits 0 within the grace period', async () => {
    const server = await startServer({
      CALLFILTER_DATA_DIR: tempDir(),
      CALLFILTER_ADMIN_TOKEN: 'reliability-test-token-0123456789',
    });
    // Distinct callers, so none of them is a repeat caller: all should go to voicemail (unknown).
    const env = (i: number) => envLines(`+4930${7_000_000 + i}`);
    // Ten callers whose environment is still arriving, ten already in the handler waiting for Asterisk's reply.
    const arriving = await Promise.all(Array.from({ length: 10 }, () => connect(server.agiPort)));
    arriving.forEach((c, i) => c.send(env(i).slice(0, -1).join('')));
    const waiting = await Promise.all(Array.from({ length: 10 }, () => connect(server.agiPort)));
    const peers = [...arriving, ...waiting].map((c) => ({ client: c, ast: asterisk(c) }));
    waiting.forEach((c, i) => c.send(env(10 + i).join('')));
    await sleep(300); // the ten complete ones have sent their first SET VARIABLE by now

    // And one peer that never finishes its environment: it must not hold the exit past the grace period.
    const idle = await connect(server.agiPort);

    const t0 = performance.now();
    server.child.kill('SIGTERM');
    await server.waitFor(/"msg":"AGI server closing; waiting for live sessions"/, 5_000);
    expect(await refused(server.agiPort)).toBe(true);

    // Asterisk goes on talking: the rest of the environment, the replies.
    for (const c of arriving) c.send('\n');
    for (const p of peers) p.ast.answer();
    await Promise.all(peers.map((p) => p.client.closed));
    const { code } = await server.exited;
    await idle.closed;
    const exitMs = performance.now() - t0;
    console.log(
      `[reliability] SIGTERM with 20 calls in flight: all decided, process exited ${code} after ${exitMs.toFixed(0)} ms`,
    );

    expect(peers.map((p) => p.ast.vars.CALLFILTER_ACTION)).toEqual(Array(20).fill('voicemail'));
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(GRACE_MS + 1_000);
  });

  it('stops accepting FastAGI connections at once and exits within the grace period even when an admin API request hangs', async () => {
    const token = 'reliability-test-token-0123456789';
    const server = await startServer({ CALLFILTER_DATA_DIR: tempDir(), CALLFILTER_ADMIN_TOKEN: token });
    // An HTTP client that sent its headers and a tenth of the body it announced, then nothing: close() waits for it.
    const url = new URL(server.httpUrl);
    const http = await connect(Number(url.port));
    http.send(
      `POST /api/v1/entries HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"number":`,
    );
    await sleep(200);

    const t0 = performance.now();
    server.child.kill('SIGTERM');
    await server.waitFor(/"msg":"shutting down"/, 5_000);
    await sleep(50);
    expect(await refused(server.agiPort)).toBe(true);
    const { code } = await server.exited;
    const exitMs = performance.now() - t0;
    console.log(`[reliability] SIGTERM with a stuck admin API request: exited ${code} after ${exitMs.toFixed(0)} ms`);
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(GRACE_MS + 1_000);
  });
});
