/**
 * Node selection of `AGI(hagi://…)` in the fake Asterisk, against a real DNS server (dnsmasq on loopback) and real
 * FastAGI servers: SRV priority order, the next node on a refused connection, the next node after 2 s when a node
 * does not answer at all, no failover once connected, FAILURE when none is left.
 */
import { AgiServer } from 'asterisk-agi';
import { hagiCall, startBlackHole } from 'asterisk-agi/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startDnsmasq } from '../helpers/dnsmasq.js';

const NAME = 'callfilter.test';
const SRV = `_agi._tcp.${NAME}`;
const URL = `hagi://${NAME}/screen`;

/** A FastAGI server that answers every call with NODE=<name>; closed when the test ends. */
async function node(name: string): Promise<{ port: number; calls: number; close(): Promise<void> }> {
  const server = new AgiServer();
  const state = { port: 0, calls: 0, close: () => server.close() };
  server.route('screen', async (session) => {
    state.calls++;
    await session.setVariable('NODE', name);
  });
  onTestFinished(() => server.close());
  state.port = (await server.listen(0, '127.0.0.1')).port;
  return state;
}

describe('hagi:// node selection', () => {
  it('sends every call to the node of the lowest priority while it accepts', async () => {
    const a = await node('a');
    const b = await node('b');
    const dns = await startDnsmasq({
      srv: [
        { name: SRV, target: 'node-b.callfilter.test', port: b.port, priority: 20, weight: 0 },
        { name: SRV, target: 'node-a.callfilter.test', port: a.port, priority: 10, weight: 0 },
      ],
      hosts: { 'node-a.callfilter.test': '127.0.0.1', 'node-b.callfilter.test': '127.0.0.2' },
    });
    for (let i = 0; i < 5; i++) {
      const r = await hagiCall(URL, { resolver: dns.resolver });
      expect(r.agiStatus).toBe('SUCCESS');
      expect(r.variables.NODE).toBe('a');
      expect(r.connected).toEqual({ target: 'node-a.callfilter.test', port: a.port, address: '127.0.0.1' });
    }
    expect([a.calls, b.calls]).toEqual([5, 0]);
  });

  it('moves to the next node when the first refuses the connection, and fails when none is left', async () => {
    const a = await node('a');
    const b = await node('b');
    const dns = await startDnsmasq({
      srv: [
        { name: SRV, target: '127.0.0.1', port: a.port, priority: 10, weight: 0 },
        { name: SRV, target: '127.0.0.1', port: b.port, priority: 20, weight: 0 },
      ],
    });
    await a.close();
    const r = await hagiCall(URL, { resolver: dns.resolver });
    expect(r.variables.NODE).toBe('b');
    expect(r.attempts.map((t) => t.outcome)).toEqual(['refused', 'connected']);

    await b.close();
    const none = await hagiCall(URL, { resolver: dns.resolver });
    expect(none.agiStatus).toBe('FAILURE');
    expect(none.attempts.map((t) => t.outcome)).toEqual(['refused', 'refused']);
  });

  it('moves on after 2 s when a node does not answer the connect at all', async () => {
    const hole = await startBlackHole();
    onTestFinished(() => hole.close());
    const b = await node('b');
    const dns = await startDnsmasq({
      srv: [
        { name: SRV, target: 'node-a.callfilter.test', port: hole.port, priority: 10, weight: 0 },
        { name: SRV, target: 'node-b.callfilter.test', port: b.port, priority: 20, weight: 0 },
      ],
      hosts: { 'node-a.callfilter.test': hole.host, 'node-b.callfilter.test': '127.0.0.1' },
    });
    const r = await hagiCall(URL, { resolver: dns.resolver });
    expect(r.variables.NODE).toBe('b');
    expect(r.attempts.map((t) => t.outcome)).toEqual(['timeout', 'connected']);
    // MAX_AGI_CONNECT is the rule, not a performance figure: the first attempt is given the full 2 s.
    expect(r.attempts[0]!.ms).toBeGreaterThanOrEqual(1_990);
  });

  it('does not fail over once connected, and skips targets whose name does not resolve', async () => {
    const closer = new AgiServer();
    // Accepts, then drops the call without a word: Asterisk carries on with AGISTATUS=SUCCESS, no second node.
    closer.route('screen', (session) => session.close());
    onTestFinished(() => closer.close());
    const port = (await closer.listen(0, '127.0.0.1')).port;
    const b = await node('b');
    const dns = await startDnsmasq({
      srv: [
        { name: SRV, target: 'gone.callfilter.test', port: 1, priority: 1, weight: 0 },
        { name: SRV, target: '127.0.0.1', port, priority: 10, weight: 0 },
        { name: SRV, target: '127.0.0.1', port: b.port, priority: 20, weight: 0 },
      ],
    });
    const r = await hagiCall(URL, { resolver: dns.resolver });
    expect(r.agiStatus).toBe('SUCCESS');
    expect(r.variables.NODE).toBeUndefined();
    expect(r.attempts.map((t) => t.outcome)).toEqual(['unresolved', 'connected']);
    expect(b.calls).toBe(0);
  });

  it('fails without an SRV record, and a port in the URL skips SRV', async () => {
    const a = await node('a');
    const dns = await startDnsmasq({});
    const none = await hagiCall(URL, { resolver: dns.resolver });
    expect(none.agiStatus).toBe('FAILURE');
    expect(none.error?.message).toMatch(/SRV lookup failed/);
    const direct = await hagiCall(`hagi://127.0.0.1:${a.port}/screen`, { resolver: dns.resolver });
    expect(direct.variables.NODE).toBe('a');
  });

  it('sends agi_request as the dialplan wrote it and the script as agi_network_script', async () => {
    const server = new AgiServer();
    let seen: Record<string, string> = {};
    server.route('screen', (session) => {
      seen = { request: session.env.request, script: session.env.networkScript };
    });
    onTestFinished(() => server.close());
    const port = (await server.listen(0, '127.0.0.1')).port;
    const dns = await startDnsmasq({ srv: [{ name: SRV, target: '127.0.0.1', port, priority: 0, weight: 0 }] });
    await hagiCall(URL, { resolver: dns.resolver });
    expect(seen).toEqual({ request: URL, script: 'screen' });
  });
});
