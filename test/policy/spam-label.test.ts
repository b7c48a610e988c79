/**
 * What a phone shows for a spam-list hit: `SPAM: ` and the rating in the language in force (CALLFILTER_LANGUAGE, else
 * the home country's), whatever language the row was imported in; a list's own labels as they are.
 */
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/policy/decide.js';
import type { PolicyConfig } from '../../src/policy/types.js';
import { baseConfig, hit, num, WED_NOON } from './fixtures.js';

const A = '+49301234567';

function labelFor(label: string | undefined, config: Partial<PolicyConfig> = {}): string | undefined {
  const lists = [hit({ entryId: 1, number: A, score: 10, threshold: 4, ...(label !== undefined && { label }) })];
  return decide({ caller: num(A) }, { entries: [], lists }, [], WED_NOON, { ...baseConfig(), ...config }).label;
}

describe('the spam label', () => {
  it.each([
    // stored label, home country, CALLFILTER_LANGUAGE, what the phone shows
    ['fraud', 'DE', undefined, 'SPAM: Betrug'],
    ['Betrug', 'DE', undefined, 'SPAM: Betrug'],
    ['Betrug', 'GB', undefined, 'SPAM: fraud'],
    ['G_FRAUD', 'AT', undefined, 'SPAM: Betrug'],
    ['advertising', 'CH', undefined, 'SPAM: Werbung'],
    ['missed call', 'DE', undefined, 'SPAM: Unbekannt'],
    ['Werbung', 'DE', 'en', 'SPAM: advertising'],
    ['ping call', 'US', 'de', 'SPAM: Ping-Anruf'],
    ['Gewinnspiel', 'FR', undefined, 'SPAM: sweepstakes'],
  ] as const)('%j, home %s, language %s: %s', (label, homeCountry, language, shown) => {
    expect(labelFor(label, { homeCountry, ...(language && { language }) })).toBe(shown);
  });

  it("shows a list's own label as it is, and the list's name when the row has none", () => {
    expect(labelFor('Energie-Vertrieb', { homeCountry: 'GB' })).toBe('SPAM: Energie-Vertrieb');
    expect(labelFor(undefined)).toBe('SPAM: PhoneBlock');
  });
});
