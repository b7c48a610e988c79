/**
 * MQTT wired into the service, against a real broker (Debian's mosquitto): real calls screened over FastAGI by the
 * fake Asterisk are published after their decision; discovery in the household's language; the Home Assistant
 * buttons change the entries as the page's buttons do; the counter and the last call survive a restart; and a
 * broker killed while calls go on changes nothing about the calls, whose messages arrive after it is back.
 */
import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { registerNotifyMetrics } from '../../../src/notify/metrics.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { type Received, watch } from '../../helpers/mqtt-watcher.js';
import { startNotifyService } from '../../helpers/notify-service.js';
import { tempDir } from '../../helpers/service.js';

const json = (m: Received): Record<string, unknown> => JSON.parse(m.text) as Record<string, unknown>;

describe('MQTT from the service', () => {
  it('announces the device in German and publishes a real screened call end to end', async () => {
    const broker = await startMosquitto({ user: 'callfilter', password: 'broker-pw' });
    const auth = { username: 'callfilter', password: 'broker-pw' };
    const w = await watch(broker.url, ['homeassistant/#', 'callfilter/#'], auth);
    const svc = await startNotifyService({
      env: {
        CALLFILTER_MQTT_URL: broker.url,
        CALLFILTER_MQTT_USER: 'callfilter',
        CALLFILTER_MQTT_PASSWORD: 'broker-pw',
        CALLFILTER_PUBLIC_URL: 'https://cf.example.org',
      },
    });
    // German: the home country is DE (CALLFILTER_LANGUAGE unset)
    expect(json(await w.next((m) => m.topic === 'homeassistant/event/callfilter/call/config'))).toMatchObject({
      name: 'Anruf',
      state_topic: 'callfilter/call',
      event_types: ['connect', 'voicemail', 'hangup', 'announce'],
      device: { configuration_url: 'https://cf.example.org/' },
    });
    expect(json(await w.next((m) => m.topic === 'homeassistant/sensor/callfilter/last_caller/config'))).toMatchObject({
      name: 'Letzter Anrufer',
    });
    await w.next((m) => m.topic === 'callfilter/status' && m.text === 'online');

    await svc.ctx.store.entries.create({
      number: '+4930111111',
      kind: 'block',
      label: 'Energievertrieb',
      source: 'api',
    });
    const result = await svc.call('030 111111', { did: '030 999000' });
    expect(result.variables.CALLFILTER_ACTION).toBe('hangup');
    const callId = Number(result.variables.CALLFILTER_CALL_ID);
    const message = json(await w.next((m) => m.topic === 'callfilter/call'));
    expect(message).toMatchObject({
      event_type: 'hangup',
      call_id: callId,
      caller: '+4930111111',
      caller_national: '030 111111',
      caller_kind: 'number',
      label: 'Energievertrieb',
      called: '+4930999000',
      action: 'hangup',
      reason: 'blocklist',
      action_text: 'Aufgelegt',
      reason_text: 'auf Ihrer Sperrliste',
      display: 'Energievertrieb (030 111111)',
      url: `https://cf.example.org/#calls/${callId}`,
    });
    expect(message.time).toBe(new Date((await svc.ctx.store.calls.get(callId))!.at).toISOString());
    expect(json(await w.next((m) => m.topic === 'callfilter/last_call'))).toMatchObject({ call_id: callId });
    await w.next((m) => m.topic === 'callfilter/kept_away_today' && m.text === '1');
    // The password never reaches the log.
    expect(JSON.stringify(svc.logs)).not.toContain('broker-pw');
  });

  it("presses of the Home Assistant buttons block and allow the last caller, as the page's buttons do", async () => {
    const broker = await startMosquitto();
    const w = await watch(broker.url, ['homeassistant/button/#', 'callfilter/#']);
    const svc = await startNotifyService({
      env: {
        CALLFILTER_MQTT_URL: broker.url,
        CALLFILTER_MQTT_COMMANDS: 'true',
        CALLFILTER_HOME_COUNTRY: 'GB',
        CALLFILTER_HOME_AREA_CODE: '20',
      },
    });
    expect(
      json(await w.next((m) => m.topic === 'homeassistant/button/callfilter/block_last_caller/config')),
    ).toMatchObject({
      name: 'Block last caller',
      command_topic: 'callfilter/command/block_last_caller',
    });
    await w.next((m) => m.topic === 'callfilter/status' && m.text === 'online');

    const first = await svc.call('020 7946 0958', { env: { calleridname: 'Energy Sales Ltd' } });
    expect(first.variables.CALLFILTER_ACTION).toBe('voicemail');
    await w.next((m) => m.topic === 'callfilter/call');
    await w.publish('callfilter/command/block_last_caller', 'PRESS');
    await vi.waitFor(
      async () => expect(await svc.ctx.store.entries.findByNumber('+442079460958', false, 'block')).toHaveLength(1),
      { timeout: 5_000 },
    );
    // the entry the page's "Block" makes from a call row: the caller name as label, source call-log
    expect((await svc.ctx.store.entries.findByNumber('+442079460958', false, 'block'))[0]).toMatchObject({
      label: 'Energy Sales Ltd',
      source: 'call-log',
    });

    const second = await svc.call('020 7946 0958');
    expect(second.variables).toMatchObject({ CALLFILTER_ACTION: 'hangup', CALLFILTER_REASON: 'blocklist' });
    await w.next(
      (m) => m.topic === 'callfilter/call' && json(m).call_id === Number(second.variables.CALLFILTER_CALL_ID),
    );
    await w.publish('callfilter/command/allow_last_caller', 'PRESS');
    // allowing removes the block entry: the last click wins
    await vi.waitFor(
      async () => expect(await svc.ctx.store.entries.findByNumber('+442079460958', false, 'block')).toHaveLength(0),
      { timeout: 5_000 },
    );
    expect(await svc.ctx.store.entries.findByNumber('+442079460958', false, 'allow')).toHaveLength(1);
    expect((await svc.call('020 7946 0958')).variables.CALLFILTER_ACTION).toBe('connect');
  });

  it("after a restart continues today's kept-away count and acts on the last call from the call log", async () => {
    const broker = await startMosquitto();
    const dataDir = tempDir();
    const env = { CALLFILTER_MQTT_URL: broker.url, CALLFILTER_MQTT_COMMANDS: 'true' };
    const first = await startNotifyService({ dataDir, env });
    await first.ctx.store.entries.create({ number: '+4930111111', kind: 'block', source: 'api' });
    await first.call('030 111111');
    await first.call('030 111111');
    const last = await first.call('030 222222');
    await vi.waitFor(() => expect(first.jobs.notify.mqtt()?.stats()).toMatchObject({ queued: 0, inFlight: 0 }));
    await first.close();

    const w = await watch(broker.url, ['callfilter/kept_away_today', 'callfilter/status']);
    await w.next((m) => m.topic === 'callfilter/status' && m.text === 'offline');
    const count = w.messages.length;
    const second = await startNotifyService({ dataDir, env });
    // the counter the new process announces comes from the call log (two calls hung up on), not from 0
    expect(
      (await w.next((m, i = w.messages.indexOf(m)) => i >= count && m.topic === 'callfilter/kept_away_today')).text,
    ).toBe('2');
    await w.next((m) => m.topic === 'callfilter/status' && m.text === 'online');
    await w.publish('callfilter/command/block_last_caller', 'PRESS');
    await vi.waitFor(
      async () => expect(await second.ctx.store.entries.findByNumber('+4930222222', false, 'block')).toHaveLength(1),
      { timeout: 5_000 },
    );
    expect(Number(last.variables.CALLFILTER_CALL_ID)).toBe(
      (await second.ctx.store.calls.list({ limit: 1 })).items[0]?.id,
    );
  });

  it('decides calls as always while the broker is killed, and delivers their messages once it is back', async () => {
    const broker = await startMosquitto({ persistent: true });
    const svc = await startNotifyService({ env: { CALLFILTER_MQTT_URL: broker.url } });
    // A persistent session (clean: false, QoS 1): the broker keeps the messages for it across its own restart.
    const w = await watch(broker.url, ['callfilter/call'], { clientId: 'watcher', clean: false });
    const before = await svc.call('030 300000');
    await w.next((m) => json(m).call_id === Number(before.variables.CALLFILTER_CALL_ID));
    await new Promise((resolve) => setTimeout(resolve, 1200)); // the broker saves its sessions (autosave)
    await broker.kill();
    await vi.waitFor(() => expect(svc.jobs.notify.mqtt()?.stats().connected).toBe(false), { timeout: 5_000 });

    const registry = new Registry();
    registerNotifyMetrics(registry, svc.ctx.store, svc.jobs.notify);
    expect(await registry.getSingleMetricAsString('callfilter_mqtt_connected')).toMatch(
      /^callfilter_mqtt_connected 0$/m,
    );

    const during = [];
    for (let i = 1; i <= 8; i++) during.push(await svc.call(`030 30000${i}`));
    for (const r of during) {
      expect(r.agiStatus).toBe('SUCCESS');
      expect(r.variables).toMatchObject({ CALLFILTER_ACTION: 'voicemail', CALLFILTER_REASON: 'unknown' });
    }
    expect(svc.ctx.faults.get('failOpens', { why: 'error' })).toBe(0);
    await vi.waitFor(() => expect(svc.jobs.notify.mqtt()?.stats().queued).toBeGreaterThanOrEqual(8));

    await broker.start();
    for (const r of during) await w.next((m) => json(m).call_id === Number(r.variables.CALLFILTER_CALL_ID), 15_000);
    await vi.waitFor(
      () => expect(svc.jobs.notify.mqtt()?.stats()).toMatchObject({ connected: true, queued: 0, dropped: 0 }),
      { timeout: 5_000 },
    );
    const ids = w.messages.map((m) => json(m).call_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(await registry.getSingleMetricAsString('callfilter_mqtt_connected')).toMatch(
      /^callfilter_mqtt_connected 1$/m,
    );
    expect(await registry.getSingleMetricAsString('callfilter_mqtt_messages_dropped_total')).toMatch(
      /^callfilter_mqtt_messages_dropped_total 0$/m,
    );
  });
});
