import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';

const load = (env: Record<string, string>) => loadConfig({ env: { CALLFILTER_DATA_DIR: '/tmp/x', ...env }, file: {} });

describe('contact source settings', () => {
  it('reads the FRITZ!Box, CardDAV and AMI settings with their defaults', () => {
    const c = load({
      CALLFILTER_FRITZBOX_URL: 'http://fritz.box:49000',
      CALLFILTER_FRITZBOX_USER: 'callfilter',
      CALLFILTER_FRITZBOX_PASSWORD: 'pw',
      CALLFILTER_FRITZBOX_PHONEBOOKS: 'Telefonbuch, Familie',
      CALLFILTER_CARDDAV_URL: 'https://dav.example/',
      CALLFILTER_AMI_URL: 'tcp://callfilter:s%40cret@127.0.0.1',
    }).contacts;
    expect(c).toEqual({
      syncMinutes: 15,
      fritzbox: {
        url: 'http://fritz.box:49000',
        user: 'callfilter',
        password: 'pw',
        phonebooks: ['Telefonbuch', 'Familie'],
        writeBarring: false,
      },
      carddav: { url: 'https://dav.example/' },
      called: {
        host: '127.0.0.1',
        port: 5038,
        username: 'callfilter',
        secret: 's@cret',
        contexts: ['from-internal'],
        trustDays: 180,
      },
    });
    expect(load({}).contacts).toEqual({ syncMinutes: 15 });
  });

  it('refuses bad values by name, never repeating a secret', () => {
    expect(() => load({ CALLFILTER_AMI_URL: 'http://callfilter:topsecret@host:5038' })).toThrow(
      'CALLFILTER_AMI_URL: must start with tcp:// (got http://)',
    );
    expect(() => load({ CALLFILTER_AMI_URL: 'tcp://host:5038' })).toThrow(
      'CALLFILTER_AMI_URL: needs the AMI user and secret: tcp://user:secret@host:5038',
    );
    expect(() => load({ CALLFILTER_FRITZBOX_URL: 'http://u:topsecret@fritz.box' })).toThrow(
      /^CALLFILTER_FRITZBOX_URL: put the user name and password into their own settings/,
    );
    expect(() => load({ CALLFILTER_FRITZBOX_URL: 'http://fritz.box', CALLFILTER_FRITZBOX_CERT_SHA256: 'abc' })).toThrow(
      'CALLFILTER_FRITZBOX_CERT_SHA256: "abc" is not a SHA-256 fingerprint',
    );
    expect(() => load({ CALLFILTER_AMI_URL: 'tcp://a:b@h', CALLFILTER_CALLED_OUTSIDE_PREFIX: 'x' })).toThrow(
      'CALLFILTER_CALLED_OUTSIDE_PREFIX: "x" is not an outside-line prefix',
    );
    for (const bad of ['http://callfilter:topsecret@host:5038', 'tcp://host']) {
      try {
        load({ CALLFILTER_AMI_URL: bad });
      } catch (err) {
        expect((err as Error).message).not.toContain('topsecret');
      }
    }
  });
});
