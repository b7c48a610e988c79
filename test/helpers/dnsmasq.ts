/**
 * A real DNS server on loopback for SRV tests: Debian's dnsmasq (package dnsmasq-base: the binary without the system
 * service), started for one test and stopped by its teardown (STYLE.md rule 12).
 *
 * It reads no system configuration (--conf-file=/dev/null, --no-resolv, --no-hosts), answers only what the test
 * gives it, binds only 127.0.0.1 at a free port (--bind-interfaces: never port 53, never another interface) and
 * keeps its pid file in a temp folder. Queries go through node:dns's Resolver pointed at it.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

export interface SrvHost {
  /** Owner name, e.g. `_agi._tcp.callfilter.test`. */
  name: string;
  target: string;
  port: number;
  priority: number;
  weight: number;
}

export interface DnsmasqOptions {
  srv?: SrvHost[];
  /** A records: name → IPv4 address (e.g. the SRV targets → 127.0.0.x). */
  hosts?: Record<string, string>;
  /** Domains answered only from the above (NXDOMAIN for anything else in them). Default: the TLD `test`. */
  localDomains?: string[];
}

export interface Dnsmasq {
  port: number;
  /** A resolver that asks only this server. */
  resolver: Resolver;
  close(): Promise<void>;
}

const BINARY = '/usr/sbin/dnsmasq';
/** dnsmasq is ready within milliseconds; this only bounds a broken start. */
const READY_TIMEOUT_MS = 10_000;
/** A port found free can be taken before dnsmasq binds it. */
const BIND_ATTEMPTS = 3;

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

function args(options: DnsmasqOptions, port: number, dir: string): string[] {
  const list = [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--listen-address=127.0.0.1',
    '--bind-interfaces',
    `--port=${port}`,
    `--pid-file=${join(dir, 'dnsmasq.pid')}`,
    '--log-facility=-',
    // Answers change between tests of one server only through a restart; no caching surprises either way.
    '--cache-size=0',
  ];
  for (const domain of options.localDomains ?? ['test']) list.push(`--local=/${domain}/`);
  for (const s of options.srv ?? []) list.push(`--srv-host=${s.name},${s.target},${s.port},${s.priority},${s.weight}`);
  for (const [name, address] of Object.entries(options.hosts ?? {})) list.push(`--host-record=${name},${address}`);
  return list;
}

async function launch(options: DnsmasqOptions, dir: string): Promise<{ port: number; stop: () => Promise<void> }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freeUdpPort();
    const child = spawn(BINARY, args(options, port, dir), { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stop = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    };
    const ready = await new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`dnsmasq did not start within ${READY_TIMEOUT_MS} ms: ${log}`)),
        READY_TIMEOUT_MS,
      );
      child.stderr.on('data', (d: Buffer) => {
        log += d.toString();
        // Logged after the sockets are bound.
        if (/started, version/.test(log)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(false);
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    }).catch(async (err: unknown) => {
      await stop();
      throw err;
    });
    if (ready) return { port, stop };
    if (attempt >= BIND_ATTEMPTS || !/Address already in use/i.test(log))
      throw new Error(`dnsmasq exited during start: ${log}`);
  }
}

/** dnsmasq on 127.0.0.1:<free port> with the given records, stopped when the calling test ends. */
export async function startDnsmasq(options: DnsmasqOptions = {}): Promise<Dnsmasq> {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} not found: apt-get install -y dnsmasq-base (see .ci/run)`);
  const dir = mkdtempSync(join(tmpdir(), 'callfilter-dnsmasq-'));
  let server: Awaited<ReturnType<typeof launch>>;
  try {
    server = await launch(options, dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    try {
      await server.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  onTestFinished(close);
  const resolver = new Resolver({ timeout: 1_000, tries: 2 });
  resolver.setServers([`127.0.0.1:${server.port}`]);
  return { port: server.port, resolver, close };
}
