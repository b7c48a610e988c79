import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICE_NODE_FLAGS } from '../../src/node-flags.js';
import { tempDir } from '../helpers/service.js';
import { ENV_KEYS, ROOT, read } from './helpers.js';

const UNIT = read('deploy/callfilter.service');
/** [section, key, value] for every setting; repeated keys stay repeated. */
const settings = (() => {
  const out: [string, string, string][] = [];
  let section = '';
  for (const raw of UNIT.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) section = header[1] as string;
    else out.push([section, line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
  }
  return out;
})();
const get = (key: string) => settings.filter(([, k]) => k === key).map(([, , v]) => v);

describe('deploy/callfilter.service', () => {
  it('runs the compiled service as an unprivileged user with its own state directory', () => {
    expect(get('ExecStart')).toEqual([
      `/usr/bin/node ${SERVICE_NODE_FLAGS.join(' ')} /opt/callfilter/dist/src/server.js`,
    ]);
    expect(existsSync(join(ROOT, 'src/server.ts'))).toBe(true);
    expect(get('User')).toEqual(['callfilter']);
    expect(get('Group')).toEqual(['callfilter']);
    expect(get('StateDirectory')).toEqual(['callfilter']);
    expect(get('Environment')).toContain('CALLFILTER_DATA_DIR=/var/lib/callfilter');
    for (const env of get('Environment')) {
      const key = env.split('=')[0] as string;
      if (key !== 'NODE_ENV') expect(ENV_KEYS.has(key), key).toBe(true);
    }
    expect(get('EnvironmentFile')).toEqual(['-/etc/callfilter/callfilter.env']);
    // A configuration error (exit 78) is not fixed by restarting.
    expect(get('RestartPreventExitStatus')).toEqual(['78']);
  });

  it('is hardened, without the option that breaks V8', () => {
    for (const [key, value] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['PrivateDevices', 'yes'],
      ['RestrictAddressFamilies', 'AF_INET AF_INET6 AF_UNIX'],
      ['CapabilityBoundingSet', ''],
      ['SystemCallArchitectures', 'native'],
    ]) {
      expect(get(key as string), key).toEqual([value]);
    }
    expect(get('SystemCallFilter')).toContain('@system-service');
    // V8's JIT needs memory that is writable and executable.
    expect(get('MemoryDenyWriteExecute')).toEqual([]);
  });

  it.skipIf(spawnSync('systemd-analyze', ['--version']).status !== 0)('passes systemd-analyze verify', () => {
    const dir = tempDir();
    const unit = join(dir, 'callfilter.service');
    // verify checks that the binary exists; point it at this node.
    writeFileSync(unit, UNIT.replace('/usr/bin/node', process.execPath));
    const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
