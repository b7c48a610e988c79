import { fakeCall } from 'asterisk-agi/testing';
import { describe, expect, it, vi } from 'vitest';
import { listeningServer } from './helpers.js';

describe('load', () => {
  it('completes 1,000 concurrent sessions over TCP', async () => {
    const { server, address } = await listeningServer({ maxConnections: 2_000, backlog: 2_048 });
    server.route('screen', async (s) => {
      const caller = s.env.callerid;
      await s.setVariable('CALLFILTER_REASON', 'unknown');
      await s.setVariable('CALLFILTER_LABEL', `caller ${caller}`);
      await s.setVariable('CALLFILTER_ACTION', (await s.getVariable('PRESET')) ?? 'missing');
    });
    const n = 1_000;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        fakeCall(
          { port: address.port },
          {
            script: 'screen',
            env: { callerid: `+49301234${String(i).padStart(4, '0')}` },
            variables: { PRESET: 'voicemail' },
            timeoutMs: 15_000,
          },
        ),
      ),
    );
    const failed = results.filter(
      (r) => r.agiStatus !== 'SUCCESS' || !r.closedByServer || r.variables.CALLFILTER_ACTION !== 'voicemail',
    );
    expect(failed).toHaveLength(0);
    results.forEach((r, i) =>
      expect(r.variables.CALLFILTER_LABEL).toBe(`caller +49301234${String(i).padStart(4, '0')}`),
    );
    await vi.waitFor(() => expect(server.liveSessions).toBe(0), { timeout: 5_000 });
  });
});
