/** GET /api/v1/web/calls (the call log as the page shows it) and GET /api/v1/events (new calls, live). */
import { describe, expect, it } from 'vitest';
import { startWeb, type TestWeb } from '../helpers/web.js';

interface Described {
  id: number;
  caller?: string;
  action: string;
  reason: string;
  why?: string;
  others?: string[];
  current?: string;
}

async function calls(web: TestWeb, query = '') {
  const res = await web.app.inject({
    method: 'GET',
    url: `/api/v1/web/calls${query}`,
    headers: { authorization: `Bearer ${web.token}` },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ items: Described[]; nextCursor?: number; number?: string }>();
}

describe('the call log for the page', () => {
  it('needs the token or a session, like every /api route', async () => {
    const web = await startWeb();
    expect((await web.app.inject({ method: 'GET', url: '/api/v1/web/calls' })).statusCode).toBe(401);
    expect((await web.app.inject({ method: 'GET', url: '/api/v1/events' })).statusCode).toBe(401);
  });

  it("says why in the page's language, from the facts each row keeps: the entry, the list and its score, how often a caller called", async () => {
    const web = await startWeb();
    await web.ctx.store.entries.create({ number: '+4930111111', kind: 'block', label: 'Lottery', source: 'api' });
    const list = await web.ctx.store.lists.create({ name: 'Call centres', threshold: 3 });
    await web.ctx.store.lists.replaceEntries(list.id, [{ number: '+4940222222', score: 7 }]);
    await web.call('030 111111');
    await web.call('040 222222');
    await web.call('030 333333');
    await web.call('030 333333');
    const { items } = await calls(web, '?lang=en');
    expect(items.map((c) => [c.caller, c.action, c.reason])).toEqual([
      ['+4930333333', 'connect', 'repeat-caller'],
      ['+4930333333', 'voicemail', 'unknown'],
      ['+4940222222', 'announce', 'spam-list'],
      ['+4930111111', 'hangup', 'blocklist'],
    ]);
    expect(items.map((c) => c.why)).toEqual([
      'Called twice within 5 minutes: connected as a repeat caller.',
      'Unknown number 030 333333.',
      'On the spam list “Call centres” (7 reports, threshold 3).',
      expect.stringMatching(/^On your blocklist as “Lottery” since \d+ \w+ \d{4}\.$/),
    ]);
    expect(items[3]?.current).toBe('block');
    expect(items[1]?.current).toBeUndefined();
    // An entry changed after the call does not change why the call went as it did: the row keeps its facts.
    await web.ctx.store.lists.update(list.id, { threshold: 10 });
    expect((await calls(web, '?lang=de')).items[2]?.why).toBe(
      'Auf der Spamliste „Call centres“ (7 Meldungen, Schwelle 3).',
    );
  });

  it('names every other entry or list that matched, and why it did not decide', async () => {
    const web = await startWeb();
    await web.ctx.store.entries.create({ number: '+4930111111', kind: 'allow', label: 'Anna', source: 'vcard' });
    await web.ctx.store.entries.create({ number: '+4930111111', kind: 'block', source: 'api' });
    await web.call('030 111111');
    const [row] = (await calls(web, '?lang=en')).items;
    expect(row).toMatchObject({
      reason: 'contact',
      why: 'In your contacts as “Anna”.',
      others: [expect.stringMatching(/^Also on your blocklist since .*: allow beats block\.$/)],
    });
  });

  it('filters by what happened ("blocked" = hung up or announced) and by number, in pages', async () => {
    const web = await startWeb();
    await web.ctx.store.entries.create({ number: '+4930111111', kind: 'block', source: 'api' });
    const list = await web.ctx.store.lists.create({ name: 'spam', threshold: 1 });
    await web.ctx.store.lists.replaceEntries(list.id, [{ number: '+4940222222', score: 1 }]);
    await web.call('030 111111');
    await web.call('040 222222');
    await web.call('030 444444');
    await web.call('030 111111');

    const blocked = await calls(web, '?show=blocked&limit=2');
    expect(blocked.items.map((c) => c.action)).toEqual(['hangup', 'announce']);
    expect(blocked.nextCursor).toBe(blocked.items[1]?.id);
    const rest = await calls(web, `?show=blocked&limit=2&cursor=${blocked.nextCursor}`);
    expect(rest.items.map((c) => c.action)).toEqual(['hangup']);
    expect(rest.nextCursor).toBeUndefined();

    expect((await calls(web, '?show=voicemail')).items.map((c) => c.caller)).toEqual(['+4930444444']);
    expect((await calls(web, '?show=connected')).items).toEqual([]);
    const byNumber = await calls(web, `?number=${encodeURIComponent('030 111111')}`);
    expect(byNumber.number).toBe('+4930111111');
    expect(byNumber.items).toHaveLength(2);
    const bad = await web.app.inject({
      method: 'GET',
      url: '/api/v1/web/calls?show=everything',
      headers: { authorization: `Bearer ${web.token}` },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('streams each new call as a server-sent event, and ends the stream when the app closes', async () => {
    const web = await startWeb();
    const controller = new AbortController();
    const res = await fetch(`${web.url}/api/v1/events`, {
      headers: { authorization: `Bearer ${web.token}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      const deadline = Date.now() + 5_000;
      while (!pattern.test(text)) {
        if (Date.now() > deadline) throw new Error(`no ${pattern} in ${JSON.stringify(text)}`);
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      return pattern.exec(text);
    };
    await until(/^retry: 3000\n\n/);
    const result = await web.call('030 5556667');
    const m = await until(/event: call\nid: (\d+)\ndata: (.*)\n\n/);
    expect(m?.[1]).toBe(result.variables.CALLFILTER_CALL_ID);
    expect(JSON.parse(m?.[2] ?? '{}')).toMatchObject({
      caller: '+49305556667',
      action: 'voicemail',
      reason: 'unknown',
      callerKind: 'number',
    });

    // Closing the app ends the open stream instead of waiting for it forever.
    await web.app.close();
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
    controller.abort();
  });
});
