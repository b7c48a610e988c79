/** Links from notifications to the page: the Calls view's fragment, never a token. */
import { describe, expect, it } from 'vitest';
import { callLink, callsLink, parsePublicUrl } from '../../src/notify/index.js';

describe('links to the page', () => {
  it('open the call in the Calls view, under a path or not', () => {
    expect(callLink('https://cf.example.org', 42)).toBe('https://cf.example.org/#calls/42');
    expect(callLink('https://home.example.org/callfilter', 7)).toBe('https://home.example.org/callfilter/#calls/7');
    expect(callsLink('http://192.168.178.20:8080/')).toBe('http://192.168.178.20:8080/#calls');
  });

  it.each([
    ['cf.example.org', 'not a URL'],
    ['ftp://cf.example.org/', 'must start with http:// or https://'],
    ['https://admin:token@cf.example.org/', 'must not carry a user name or password'],
    ['https://cf.example.org/?token=abc', 'must not carry a query or fragment'],
    ['https://cf.example.org/#calls', 'must not carry a query or fragment'],
  ])('refuse CALLFILTER_PUBLIC_URL %j', (url, message) => {
    expect(() => parsePublicUrl(url)).toThrow(message);
  });
});
