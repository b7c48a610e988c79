/**
 * A real MQTT broker for the tests: Debian's mosquitto, started on a loopback port with its config, password file
 * and nothing else in a temp folder (no persistence, no system service), and stopped by the test that started it.
 * `kill()` ends it the hard way (SIGKILL: no clean disconnect, as when a broker crashes) and `start()` brings it back
 * on the same port, so clients can be watched reconnecting.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';

const MOSQUITTO = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';
const START_TIMEOUT_MS = 10_000;

export interface Mosquitto {
  port: number;
  url: string;
  /** Starts (again) on the same port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** SIGKILL: the broker vanishes without a goodbye. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface MosquittoOptions {
  user?: string;
  password?: string;
  /**
   * Keep sessions and queued messages in the temp folder, saved after every change, so a subscriber's session
   * outlives a kill and a restart (as a broker with persistence on a real disk would).
   */
  persistent?: boolean;
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const dir = mkdtempSync(path.join(tmpdir(), 'callfilter-mosquitto-'));
  const port = await freePort();
  const lines = [
    `listener ${port} 127.0.0.1`,
    ...(options.persistent
      ? ['persistence true', `persistence_location ${dir}/`, 'autosave_on_changes true', 'autosave_interval 1']
      : ['persistence false']),
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    // Started as root (CI containers), mosquitto would switch to a user "mosquitto" that cannot read the temp folder.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
  ];
  if (options.user) {
    const file = path.join(dir, 'passwd');
    execFileSync('mosquitto_passwd', ['-c', '-b', file, options.user, options.password ?? ''], { stdio: 'ignore' });
    lines.push('allow_anonymous false', `password_file ${file}`);
  } else {
    lines.push('allow_anonymous true');
  }
  const config = path.join(dir, 'mosquitto.conf');
  writeFileSync(config, `${lines.join('\n')}\n`);

  let child: ChildProcess | undefined;
  let stderr = '';
  const exited = () =>
    new Promise<void>((resolve) =>
      child && child.exitCode === null && child.signalCode === null ? child.once('exit', () => resolve()) : resolve(),
    );

  const broker: Mosquitto = {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async start() {
      let failed: Error | undefined;
      child = spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      child.on('error', (err) => (failed = err));
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const deadline = Date.now() + START_TIMEOUT_MS;
      while (!(await accepts(port))) {
        if (failed)
          throw new Error(`cannot run ${MOSQUITTO} (${failed.message}): apt-get install mosquitto, as .ci/run does`);
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`mosquitto did not start: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async kill() {
      const done = exited();
      child?.kill('SIGKILL');
      await done;
    },
    async stop() {
      const done = exited();
      child?.kill('SIGTERM');
      await done;
    },
  };
  onTestFinished(async () => {
    await broker.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  await broker.start();
  return broker;
}
