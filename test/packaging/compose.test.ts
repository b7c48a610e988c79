import { BlockList } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANNOUNCEMENT } from '../../src/policy/defaults.js';
import {
  all,
  type ComposeService,
  ENV_KEYS,
  envDefault,
  envOf,
  interpolated,
  loadCompose,
  parseConf,
  parseDockerfile,
  read,
} from './helpers.js';

const compose = loadCompose();
const services = compose.services;
const callfilter = services.callfilter as ComposeService;
const asterisk = services.asterisk as ComposeService;
const runtime = parseDockerfile(read('Dockerfile')).at(-1);
const AGI_PORT = envDefault('CALLFILTER_AGI_PORT');
const HTTP_PORT = envDefault('CALLFILTER_HTTP_PORT');

const ipOf = (s: ComposeService) => Object.values(s.networks ?? {})[0]?.ipv4_address;
/** Compose's short volume syntax: source:target[:mode]. */
const volumes = (s: ComposeService) =>
  (s.volumes ?? []).map((v) => {
    const [source = '', target = '', mode] = v.split(':');
    return { source, target, mode };
  });
/** Port mappings as [host ip, host port(s), container port(s), protocol]. */
const ports = (s: ComposeService) =>
  (s.ports ?? []).map((p) => {
    const [mapping = '', protocol = 'tcp'] = p.split('/');
    const parts = mapping.split(':');
    const container = parts.pop() ?? '';
    const host = parts.pop() ?? '';
    return { ip: parts.pop() ?? '0.0.0.0', host, container, protocol };
  });

/** What `docker compose up` starts with no --profile: the services that name no profile. */
const byDefault = Object.keys(services)
  .filter((name) => services[name]?.profiles === undefined)
  .sort();
const inProfile = (profile: string) =>
  Object.keys(services)
    .filter((name) => services[name]?.profiles?.includes(profile))
    .sort();

describe('docker-compose.yml', () => {
  it('runs callfilter, built from this Dockerfile, beside a well-known public Asterisk image', () => {
    expect(byDefault).toEqual(['asterisk', 'callfilter']);
    expect(callfilter.build).toBe('.');
    expect(asterisk.image).toMatch(/^andrius\/asterisk:22(\.|$)/);
    for (const s of Object.values(services)) expect(s.restart).toBe('unless-stopped');
  });

  it("keeps callfilter's data in a named volume at the image's data folder", () => {
    const data = volumes(callfilter).find((v) => v.target === '/data');
    expect(data?.source).toBe('callfilter-data');
    expect(Object.keys(compose.volumes ?? {})).toContain('callfilter-data');
    expect(runtime && envOf(runtime).CALLFILTER_DATA_DIR).toBe('/data');
    expect(runtime && all(runtime, 'VOLUME').map((i) => i.args)).toEqual(['/data']);
  });

  it('sets only callfilter settings that exist in the schema', () => {
    const keys = Object.keys(callfilter.environment ?? {});
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(ENV_KEYS.has(key), `${key} is not in env-schema.ts`).toBe(true);
    // The listen addresses and the data folder come from the image.
    expect(keys).not.toContain('CALLFILTER_AGI_PORT');
  });

  it('gives the optional FastAGI key to both containers, and the compose dialplan sends it', () => {
    expect(callfilter.environment?.CALLFILTER_AGI_SECRET).toBe('${CALLFILTER_AGI_SECRET:-}');
    expect(asterisk.environment?.CALLFILTER_AGI_SECRET).toBe('${CALLFILTER_AGI_SECRET:-}');
    const globals = parseConf(read('deploy/asterisk/extensions.conf')).sections.find((s) => s.name === 'globals');
    expect(globals?.options).toContainEqual(['CALLFILTER_KEY', '${ENV(CALLFILTER_AGI_SECRET)}']);
  });

  it("opens the FastAGI allow-list to the Asterisk container's fixed address only", () => {
    const subnet = compose.networks?.voice?.ipam?.config?.[0]?.subnet ?? '';
    const [net = '', bits = ''] = subnet.split('/');
    const inside = new BlockList();
    inside.addSubnet(net, Number(bits), 'ipv4');
    const asteriskIp = ipOf(asterisk) ?? '';
    const callfilterIp = ipOf(callfilter) ?? '';
    expect(inside.check(asteriskIp, 'ipv4')).toBe(true);
    expect(inside.check(callfilterIp, 'ipv4')).toBe(true);
    expect(asteriskIp).not.toBe(callfilterIp);
    expect(callfilter.environment?.CALLFILTER_AGI_ALLOW).toBe(asteriskIp);
    // The PJSIP templates treat the same subnet as local (no NAT rewriting inside it).
    for (const file of ['deploy/asterisk/pjsip.conf', 'deploy/asterisk/pjsip-fritzbox-phone.conf']) {
      for (const t of parseConf(read(file)).sections.filter((s) =>
        s.options.some(([k, v]) => k === 'type' && v === 'transport'),
      )) {
        expect(t.options.find(([k]) => k === 'local_net')?.[1], `${file} [${t.name}]`).toBe(subnet);
      }
    }
  });

  it("publishes the admin API on the host's loopback only, and never the FastAGI port", () => {
    expect(ports(callfilter)).toEqual([{ ip: '127.0.0.1', host: HTTP_PORT, container: HTTP_PORT, protocol: 'tcp' }]);
    for (const s of Object.values(services)) {
      for (const p of ports(s)) expect(p.container).not.toBe(AGI_PORT);
    }
  });

  it('publishes SIP and RTP of Asterisk as the templates configure them', () => {
    const published = ports(asterisk);
    expect(published.every((p) => p.protocol === 'udp')).toBe(true);
    // Both transports: the LAN one for the FRITZ!Box, the WAN one that env.example says to forward from the router.
    for (const name of ['transport-lan', 'transport-wan']) {
      const transport = parseConf(read('deploy/asterisk/pjsip.conf')).sections.find((s) => s.name === name);
      const sipPort = transport?.options.find(([k]) => k === 'bind')?.[1]?.split(':')[1];
      expect(published, name).toContainEqual({ ip: '0.0.0.0', host: sipPort, container: sipPort, protocol: 'udp' });
    }
    const rtp = parseConf(read('deploy/asterisk/rtp.conf')).sections[0]?.options ?? [];
    const range = `${rtp.find(([k]) => k === 'rtpstart')?.[1]}-${rtp.find(([k]) => k === 'rtpend')?.[1]}`;
    expect(published).toContainEqual({ ip: '0.0.0.0', host: range, container: range, protocol: 'udp' });
  });

  it('checks the health of both containers; callfilter on /healthz at the default HTTP port', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.healthcheck?.test, name).toBeDefined();
      expect(s.healthcheck?.interval, name).toMatch(/^\d+s$/);
      expect(s.healthcheck?.retries, name).toBeGreaterThan(0);
    }
    const test = callfilter.healthcheck?.test as string[];
    expect(test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(test[3]).toContain(`http://127.0.0.1:${HTTP_PORT}/healthz`);
    expect(String(asterisk.healthcheck?.test)).toMatch(/asterisk -rx/);
  });

  it('starts Asterisk even when callfilter is unhealthy (fail-open)', () => {
    expect(asterisk.depends_on?.callfilter?.condition).toBe('service_started');
  });

  it("mounts the project's dialplan/ and deploy/asterisk/ read-only into Asterisk, and start.sh renders from there", () => {
    const mounts = volumes(asterisk);
    const dialplan = mounts.find((v) => v.source === './dialplan');
    const deploy = mounts.find((v) => v.source === './deploy/asterisk');
    expect(dialplan?.mode).toBe('ro');
    expect(deploy?.mode).toBe('ro');
    expect(asterisk.entrypoint).toEqual(['/bin/bash', `${deploy?.target}/start.sh`]);
    const start = read('deploy/asterisk/start.sh');
    expect(start).toContain(`shipped=\${CALLFILTER_DIALPLAN_DIR:-${dialplan?.target}}`);
    expect(asterisk.command?.[0]).toBe('/usr/sbin/asterisk');
    expect(asterisk.command).toContain('-f');
    // Voicemail outlives the container.
    expect(mounts.find((v) => v.target === '/var/spool/asterisk')?.source).toBe('asterisk-spool');
  });

  it("shares Asterisk's spool with callfilter read-only, and points CALLFILTER_VOICEMAIL_DIR at its voicemail folder", () => {
    const spool = volumes(asterisk).find((v) => v.source === 'asterisk-spool');
    const shared = volumes(callfilter).find((v) => v.source === 'asterisk-spool');
    expect(shared).toEqual({ source: 'asterisk-spool', target: spool?.target, mode: 'ro' });
    expect(callfilter.environment?.CALLFILTER_VOICEMAIL_DIR).toBe(`${spool?.target}/voicemail`);
    // The spool of the Asterisk image's app_voicemail (VM_SPOOL_DIR = <spool>/voicemail).
    expect(spool?.target).toBe('/var/spool/asterisk');
  });

  it('points the compose dialplan at the callfilter service on the default FastAGI port', () => {
    expect(asterisk.environment?.FASTAGI_ADDRESS).toBe(`callfilter:${AGI_PORT}`);
    expect(Object.keys(services)).toContain('callfilter');
  });

  it('mounts the announcements where the default announcement is looked for', () => {
    const folder = DEFAULT_ANNOUNCEMENT.split('/').slice(0, -1).join('/');
    const sounds = volumes(asterisk).find((v) => v.source === './deploy/asterisk/sounds');
    expect(sounds?.target).toBe(`/var/lib/asterisk/sounds/${folder}`);
  });

  it('passes the templates every variable they use, and documents each one in deploy/env.example', () => {
    const templateVars = new Set<string>();
    for (const file of [
      'deploy/asterisk/pjsip.conf',
      'deploy/asterisk/pjsip-fritzbox-phone.conf',
      'deploy/asterisk/voicemail.conf',
    ]) {
      for (const name of interpolated(read(file))) templateVars.add(name);
    }
    const passed = Object.keys(asterisk.environment ?? {});
    for (const name of templateVars) expect(passed, name).toContain(name);
    const example = read('deploy/env.example');
    for (const name of interpolated(read('docker-compose.yml')))
      expect(example, `${name} in deploy/env.example`).toMatch(new RegExp(`^${name}=`, 'm'));
  });

  it('rotates the container logs', () => {
    for (const s of Object.values(services)) {
      expect(s.logging?.driver).toBe('json-file');
      expect(s.logging?.options?.['max-size']).toBeDefined();
    }
  });
});

describe('docker-compose.yml, profile cluster', () => {
  const postgres = services.postgres as ComposeService;
  const nodes = ['node-a', 'node-b'].map((name) => [name, services[name] as ComposeService] as const);
  const urlOf = (s: ComposeService) => s.environment?.CALLFILTER_DATABASE_URL ?? '';

  it('adds PostgreSQL and two callfilter nodes, and nothing else; none of them starts without the profile', () => {
    expect(inProfile('cluster')).toEqual(['node-a', 'node-b', 'postgres']);
    for (const name of inProfile('cluster')) expect(byDefault).not.toContain(name);
  });

  it('runs the official PostgreSQL image with its data in a named volume, checked by pg_isready', () => {
    expect(postgres.image).toMatch(/^postgres:\d+$/);
    const data = volumes(postgres).find((v) => v.target === '/var/lib/postgresql/data');
    expect(data?.source).toBe('postgres-data');
    expect(Object.keys(compose.volumes ?? {})).toContain('postgres-data');
    expect(String(postgres.healthcheck?.test)).toMatch(/pg_isready -U callfilter -d callfilter/);
    // Not published on the host: only the nodes reach it, on a network with no way out.
    expect(postgres.ports).toBeUndefined();
    expect(Object.keys(postgres.networks ?? {})).toEqual(['store']);
    expect(compose.networks?.store?.internal).toBe(true);
  });

  it('points both nodes at the same database, the one the postgres service creates', () => {
    const [[, a], [, b]] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    expect(urlOf(a)).not.toBe('');
    expect(urlOf(b)).toBe(urlOf(a));
    const url = new URL(urlOf(a));
    expect(url.protocol).toBe('postgres:');
    expect(url.hostname).toBe('postgres');
    expect(url.port).toBe('5432');
    expect(url.username).toBe(postgres.environment?.POSTGRES_USER);
    expect(url.pathname).toBe(`/${postgres.environment?.POSTGRES_DB}`);
    // The password is interpolated from the same variable on both sides (URL() would percent-encode the braces).
    expect(urlOf(a)).toContain(`:${postgres.environment?.POSTGRES_PASSWORD}@`);
  });

  it('builds the nodes like the callfilter service, starts them once PostgreSQL is healthy, each with its own data and port', () => {
    const hostPorts = new Set<string>();
    const dataVolumes = new Set<string>();
    for (const [name, node] of nodes) {
      expect(node.build, name).toBe(callfilter.build);
      expect(node.image, name).toBe(callfilter.image);
      expect(node.restart, name).toBe('unless-stopped');
      expect(node.depends_on?.postgres?.condition, name).toBe('service_healthy');
      expect(node.environment?.CALLFILTER_AGI_HOST, name).toBe('0.0.0.0');
      // The Asterisk container may call them, as it calls the callfilter service.
      expect(node.environment?.CALLFILTER_AGI_ALLOW, name).toBe(callfilter.environment?.CALLFILTER_AGI_ALLOW);
      expect(Object.keys(node.networks ?? {}).sort(), name).toEqual(['store', 'voice']);
      expect(node.healthcheck, name).toEqual(callfilter.healthcheck);
      for (const p of ports(node)) {
        expect(p.ip, name).toBe('127.0.0.1');
        expect(p.container, name).toBe(HTTP_PORT);
        hostPorts.add(p.host);
      }
      const data = volumes(node).find((v) => v.target === '/data');
      expect(data?.source, name).toMatch(/-data$/);
      dataVolumes.add(data?.source ?? '');
      expect(Object.keys(compose.volumes ?? {}), name).toContain(data?.source);
    }
    expect([...hostPorts].sort()).toEqual(['8081', '8082']);
    expect(hostPorts.has(HTTP_PORT)).toBe(false);
    expect(dataVolumes.size).toBe(nodes.length);
    expect(dataVolumes.has('callfilter-data')).toBe(false);
  });

  it('sets only settings that exist, besides the database URL the PostgreSQL store will read (issue 22)', () => {
    for (const [name, node] of nodes) {
      for (const key of Object.keys(node.environment ?? {})) {
        if (key === 'CALLFILTER_DATABASE_URL') continue;
        expect(ENV_KEYS.has(key), `${name}: ${key} is not in env-schema.ts`).toBe(true);
      }
    }
  });
});
