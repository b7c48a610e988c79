import { describe, expect, it } from 'vitest';
import { digestAuthorization, parseDigestChallenge } from '../../../src/sources/fritzbox/digest.js';

describe('parseDigestChallenge', () => {
  it('reads a FRITZ!Box challenge', () => {
    expect(
      parseDigestChallenge('Digest realm="HTTPS Access",nonce="A1B2C3D4E5F60718",algorithm=MD5,qop="auth"'),
    ).toEqual({
      realm: 'HTTPS Access',
      nonce: 'A1B2C3D4E5F60718',
      qop: ['auth'],
      algorithm: 'MD5',
      stale: false,
    });
  });

  it('finds Digest among several schemes and headers, unescapes quoted strings, reads stale and opaque', () => {
    const c = parseDigestChallenge([
      'Basic realm="x"',
      'Negotiate, Digest realm="a \\"b\\", c", qop="auth-int, auth", nonce="n1", opaque="o", stale=TRUE',
    ]);
    expect(c).toEqual({
      realm: 'a "b", c',
      nonce: 'n1',
      qop: ['auth-int', 'auth'],
      algorithm: 'MD5',
      opaque: 'o',
      stale: true,
    });
  });

  it.each([
    undefined,
    '',
    'Basic realm="box"',
    'Digest realm="x"',
    'Digest realm="x", nonce="n", algorithm=SHA-512-256',
  ])('finds nothing to answer in %j', (header) => {
    expect(parseDigestChallenge(header)).toBeUndefined();
  });
});

describe('digestAuthorization', () => {
  it('matches RFC 2617 §3.5', () => {
    const challenge = parseDigestChallenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    )!;
    const header = digestAuthorization(challenge, {
      username: 'Mufasa',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nc: 1,
      cnonce: '0a4f113b',
    });
    expect(header).toBe(
      'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", ' +
        'algorithm=MD5, response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001, cnonce="0a4f113b"',
    );
  });

  it.each([
    ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
    ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
  ])('matches RFC 7616 §3.9.1 with %s', (algorithm, response) => {
    const challenge = parseDigestChallenge(
      `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
    )!;
    const header = digestAuthorization(challenge, {
      username: 'Mufasa',
      password: 'Circle of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nc: 1,
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    });
    expect(header).toContain(`response="${response}"`);
    expect(header).toContain('qop=auth, nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"');
  });

  it('answers an RFC 2069 challenge without qop, counts nc in hex and escapes the user name', () => {
    const challenge = parseDigestChallenge('Digest realm="r", nonce="n"')!;
    const header = digestAuthorization(challenge, {
      username: 'a"b',
      password: 'p',
      method: 'POST',
      uri: '/x',
      nc: 26,
    });
    expect(header).toMatch(
      /^Digest username="a\\"b", realm="r", nonce="n", uri="\/x", algorithm=MD5, response="[0-9a-f]{32}"$/,
    );
    const withQop = digestAuthorization(
      { ...challenge, qop: ['auth'] },
      { username: 'u', password: 'p', method: 'POST', uri: '/x', nc: 26 },
    );
    expect(withQop).toContain('nc=0000001a');
  });
});
