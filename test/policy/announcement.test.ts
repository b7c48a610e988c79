/**
 * The announcement: the default sound with the language in force, which the dialplan makes the channel's language for
 * Playback (CALLFILTER_ANNOUNCEMENT_LANGUAGE); a sound a person named — in the config, on an entry or a list — as
 * given, in the channel's own language.
 */
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/policy/decide.js';
import type { Decision, PolicyConfig } from '../../src/policy/types.js';
import { baseConfig, entry, hit, num, WED_NOON } from './fixtures.js';

const A = '+49301234567';
const spamHit = (announcement?: string) =>
  hit({ entryId: 1, number: A, score: 10, threshold: 4, ...(announcement && { action: 'announce', announcement }) });

function sound(
  matches: Parameters<typeof decide>[1],
  config: Partial<PolicyConfig> = {},
): Pick<Decision, 'announcement' | 'announcementLanguage'> {
  const { announcement, announcementLanguage } = decide({ caller: num(A) }, matches, [], WED_NOON, {
    ...baseConfig(),
    ...config,
  });
  return { announcement, announcementLanguage };
}

describe('the announcement', () => {
  it.each([
    ['DE', undefined, 'de'],
    ['AT', undefined, 'de'],
    ['GB', undefined, 'en'],
    ['DE', 'en', 'en'],
    ['US', 'de', 'de'],
  ] as const)('by default: home %s, CALLFILTER_LANGUAGE %s plays it in %s', (homeCountry, language, played) => {
    const config = { homeCountry, ...(language && { language }) };
    const expected = { announcement: 'callfilter/polite-decline', announcementLanguage: played };
    expect(sound({ entries: [], lists: [spamHit()] }, config)).toEqual(expected);
    // A block entry whose own action is announce, without a sound of its own, too.
    expect(
      sound({ entries: [entry({ id: 2, number: A, kind: 'block', action: 'announce' })], lists: [] }, config),
    ).toEqual(expected);
  });

  it("plays a sound a list, an entry or the config names as given, in the channel's language", () => {
    expect(sound({ entries: [], lists: [spamHit('custom/go-away')] }, { language: 'en' })).toEqual({
      announcement: 'custom/go-away',
      announcementLanguage: undefined,
    });
    const named = entry({
      id: 3,
      number: A,
      kind: 'block',
      action: 'announce',
      announcement: 'callfilter/polite-decline',
    });
    expect(sound({ entries: [named], lists: [] })).toEqual({
      announcement: 'callfilter/polite-decline',
      announcementLanguage: undefined,
    });
    const config = baseConfig();
    config.defaultProfile.actions.list = { action: 'announce', announcement: 'callfilter/polite-decline' };
    expect(sound({ entries: [], lists: [spamHit()] }, config)).toEqual({
      announcement: 'callfilter/polite-decline',
      announcementLanguage: undefined,
    });
  });

  it('monitor mode plays nothing, so it names no language either', () => {
    expect(sound({ entries: [], lists: [spamHit()] }, { monitor: true })).toEqual({
      announcement: undefined,
      announcementLanguage: undefined,
    });
  });
});
