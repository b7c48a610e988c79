/**
 * `AGI(hagi://<name>/<script>)` as res_agi.c's launch_ha_netscript() runs it: look up SRV `_agi._tcp.<name>`, order
 * the targets as main/srv.c does (./srv-order.ts), and try each as `agi://<target>:<port>/<script>` until one
 * connects. A target fails when its name does not resolve, or every address refuses or does not connect within
 * MAX_AGI_CONNECT (2 s, handle_connection()). Once connected there is no failover, whatever the server then does.
 * No target left (or no SRV answer): AGISTATUS=FAILURE. A port in the URL disables SRV (a plain agi:// connect).
 *
 * The resolver is a parameter: tests pass a node:dns Resolver pointed at a DNS server on loopback, since SRV comes
 * from DNS, never from /etc/hosts.
 */
import net from 'node:net';
import { type FakeCallOptions, type FakeCallResult, failedCall, fakeCallOn } from './fake-asterisk.js';
import { orderSrv, type Random, type SrvRecord } from './srv-order.js';

export interface SrvResolver {
  resolveSrv(name: string): Promise<SrvRecord[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

export interface HagiCallOptions extends Omit<FakeCallOptions, 'script'> {
  resolver: SrvResolver;
  /** The weight draw of srv.c (default Math.random). */
  random?: Random;
  /** MAX_AGI_CONNECT; a test may shorten it. Default 2000 ms. */
  connectTimeoutMs?: number;
}

export interface HagiAttempt {
  target: string;
  port: number;
  /** The address tried; absent when the target name did not resolve. */
  address?: string;
  outcome: 'connected' | 'refused' | 'timeout' | 'unresolved' | 'error';
  error?: string;
  ms: number;
}

export interface HagiCallResult extends FakeCallResult {
  /** Every connect in the order made (one per address of each target tried). */
  attempts: HagiAttempt[];
  /** The node that took the call; absent when all failed. */
  connected?: { target: string; port: number; address: string };
}

/** res_agi.c MAX_AGI_CONNECT. */
const MAX_AGI_CONNECT_MS = 2_000;
/** res_agi.c SRV_PREFIX. */
const SRV_PREFIX = '_agi._tcp.';
/** AGI_PORT: launch_netscript()'s default when the URL names none. */
const AGI_PORT = 4573;

export async function hagiCall(url: string, options: HagiCallOptions): Promise<HagiCallResult> {
  const started = performance.now();
  const m = /^hagi:\/\/([^/]+)(?:\/(.*))?$/i.exec(url);
  if (!m) throw new Error(`not a hagi:// URL: ${url}`);
  const host = m[1]!;
  const script = m[2] ?? '';
  const attempts: HagiAttempt[] = [];
  const failed = (error: Error): HagiCallResult => ({ ...failedCall(error, started), attempts });

  let targets: { target: string; port: number }[];
  if (host.includes(':')) {
    // "Specifying a port number disables SRV lookups": launch_netscript() on agi://host:port.
    const at = host.lastIndexOf(':');
    targets = [{ target: host.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(host.slice(at + 1)) || AGI_PORT }];
  } else {
    let records: SrvRecord[];
    try {
      records = await options.resolver.resolveSrv(SRV_PREFIX + host);
    } catch (err) {
      return failed(new Error(`SRV lookup failed for ${url}: ${(err as Error).message}`));
    }
    targets = orderSrv(records, options.random).map((r) => ({ target: r.name, port: r.port }));
  }

  for (const { target, port } of targets) {
    const addresses = await resolveHost(options.resolver, target);
    if (addresses.length === 0) {
      attempts.push({ target, port, outcome: 'unresolved', ms: 0 });
      continue;
    }
    for (const address of addresses) {
      const t0 = performance.now();
      const result = await connect(address, port, options.connectTimeoutMs ?? MAX_AGI_CONNECT_MS);
      const ms = performance.now() - t0;
      if ('socket' in result) {
        attempts.push({ target, port, address, outcome: 'connected', ms });
        // agi_request is the URL the dialplan gave, as run_agi() passes it to setup_env().
        const call = await fakeCallOn(result.socket, `hagi://${host}`, { ...options, script }, started);
        return { ...call, attempts, connected: { target, port, address } };
      }
      attempts.push({ target, port, address, outcome: result.outcome, error: result.error.message, ms });
    }
  }
  return failed(new Error(`no FastAGI server of ${url} accepted (${attempts.length} attempts)`));
}

/** launch_netscript() resolves the target with getaddrinfo(); here through the same resolver, A then AAAA. */
async function resolveHost(resolver: SrvResolver, host: string): Promise<string[]> {
  if (net.isIP(host)) return [host];
  const found: string[] = [];
  for (const lookup of [resolver.resolve4.bind(resolver), resolver.resolve6.bind(resolver)]) {
    try {
      found.push(...(await lookup(host)));
    } catch {
      // NXDOMAIN / no such record type: try the other family
    }
  }
  return found;
}

type ConnectResult = { socket: net.Socket } | { outcome: 'refused' | 'timeout' | 'error'; error: Error };

function connect(host: string, port: number, timeoutMs: number): Promise<ConnectResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host, allowHalfOpen: true, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ outcome: 'timeout', error: new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`) });
    }, timeoutMs);
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ outcome: error.code === 'ECONNREFUSED' ? 'refused' : 'error', error });
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve({ socket });
    });
  });
}
