import type { CdrEvent } from 'asterisk-agi/ami';
import { describe, expect, it } from 'vitest';
import { type CalledConfig, readCalledNumber } from '../../../src/sources/called/index.js';

/** Berlin, FreePBX's phone context, extensions of 2–4 digits. */
const config: CalledConfig = {
  contexts: ['from-internal'],
  numbering: { homeCountry: 'DE', homeAreaCode: '30', internalPattern: /^[1-9]\d{1,3}$/, trunkRules: [] },
};
const withPrefix: CalledConfig = { ...config, outsideLinePrefix: '0' };
const received = new Date(2025, 2, 1, 15, 0, 0);

/** An answered outgoing call from extension 100 straight out over a PJSIP trunk, as cdr_manager reports it. */
function cdr(overrides: Partial<CdrEvent> = {}): CdrEvent {
  return {
    accountCode: '',
    source: '100',
    destination: '03012345678',
    destinationContext: 'from-internal',
    callerId: '"Kitchen" <100>',
    channel: 'PJSIP/100-00000001',
    destinationChannel: 'PJSIP/sipgate-00000002',
    lastApplication: 'Dial',
    lastData: 'PJSIP/03012345678@sipgate,300,Tb(func-apply-sipheaders^s^1)',
    startTime: '2025-03-01 14:05:02',
    answerTime: '2025-03-01 14:05:09',
    endTime: '2025-03-01 14:06:41',
    duration: 99,
    billableSeconds: 92,
    disposition: 'ANSWERED',
    amaFlags: 'DOCUMENTATION',
    uniqueId: '1740837902.1',
    userField: '',
    extra: {},
    ...overrides,
  };
}

/** The two records of a call that went out through a Local channel (a FreePBX ring group with an outside member, a follow-me, Dial(Local/…)). */
const viaLocal = {
  originating: cdr({
    source: '101',
    destination: '01701234567',
    channel: 'PJSIP/101-00000003',
    destinationChannel: 'Local/01701234567@from-internal-00000001;1',
    lastData: 'Local/01701234567@from-internal,60',
    uniqueId: '1740837902.10',
  }),
  localLeg: cdr({
    source: '101',
    destination: '01701234567',
    channel: 'Local/01701234567@from-internal-00000001;2',
    destinationChannel: 'PJSIP/sipgate-00000005',
    uniqueId: '1740837902.12',
  }),
};

describe('readCalledNumber', () => {
  it.each([
    ['a direct PJSIP call to a Berlin number', cdr(), config, '+493012345678'],
    ['the originating record of a call through a Local channel', viaLocal.originating, config, '+491701234567'],
    ['a national number in another city', cdr({ destination: '08912345678' }), config, '+498912345678'],
    ['an international number', cdr({ destination: '00442079460958' }), config, '+442079460958'],
    ['a number dialled with + from a phone book', cdr({ destination: '+442079460958' }), config, '+442079460958'],
    ['a local number without area code', cdr({ destination: '1234567' }), config, '+49301234567'],
    [
      'a national number behind the outside-line prefix 0',
      cdr({ destination: '001701234567' }),
      withPrefix,
      '+491701234567',
    ],
    [
      'an international number behind the outside-line prefix 0',
      cdr({ destination: '000442079460958' }),
      withPrefix,
      '+442079460958',
    ],
    [
      'a + number on a PBX with an outside-line prefix',
      cdr({ destination: '+491701234567' }),
      withPrefix,
      '+491701234567',
    ],
  ])('counts %s', (_what, record, cfg, number) => {
    expect(readCalledNumber(record, cfg, received)).toEqual({
      counts: true,
      number,
      answeredAt: new Date(2025, 2, 1, 14, 5, 9),
      dialled: record.destination,
      callKey: `${record.uniqueId}|${number}`,
    });
  });

  it.each([
    ['an unanswered call', cdr({ disposition: 'NO ANSWER', answerTime: '' }), config, 'not-answered'],
    ['a busy number', cdr({ disposition: 'BUSY', answerTime: '' }), config, 'not-answered'],
    ['a failed trunk', cdr({ disposition: 'FAILED', answerTime: '' }), config, 'not-answered'],
    [
      'an inbound call from the trunk (another context)',
      cdr({
        source: '01751234567',
        destination: '0309876543',
        destinationContext: 'from-pstn',
        channel: 'PJSIP/sipgate-00000007',
        destinationChannel: 'PJSIP/100-00000008',
      }),
      config,
      'other-context',
    ],
    ['the Local channel leg of a call through a Local channel', viaLocal.localLeg, config, 'local-channel-leg'],
    [
      'a call to an extension',
      cdr({ destination: '101', destinationChannel: 'PJSIP/101-00000004' }),
      config,
      'internal-extension',
    ],
    [
      'an extension on a PBX with an outside-line prefix',
      cdr({ destination: '101' }),
      withPrefix,
      'no-outside-line-prefix',
    ],
    ['a feature code (CLIR per call)', cdr({ destination: '*6703012345678' }), config, 'not-dialled-digits'],
    ['the s extension', cdr({ destination: 's' }), config, 'not-dialled-digits'],
    [
      'an emergency number',
      cdr({ destination: '112' }),
      { ...config, numbering: { ...config.numbering, internalPattern: undefined } },
      'too-short',
    ],
    ['a directory service', cdr({ destination: '11833' }), config, 'too-short'],
  ])('skips %s', (_what, record, cfg, why) => {
    expect(readCalledNumber(record, cfg, received)).toMatchObject({ counts: false, why });
  });

  it('names the same call the same way: LinkedID when cdr_manager maps it, else Party A’s UniqueID', () => {
    const linked = { LinkedID: '1740837902.1' };
    const a = readCalledNumber(cdr({ uniqueId: '1740837902.1', extra: linked }), config, received);
    const b = readCalledNumber(cdr({ uniqueId: '1740837902.4', extra: linked }), config, received);
    expect(a.counts && b.counts && a.callKey === b.callKey).toBe(true);
    expect(readCalledNumber(cdr({ extra: { linkedid: '' } }), config, received)).toMatchObject({
      callKey: '1740837902.1|+493012345678',
    });
  });

  it('takes EndTime, then the time it was received, when AnswerTime is missing or malformed', () => {
    expect(readCalledNumber(cdr({ answerTime: '' }), config, received)).toMatchObject({
      answeredAt: new Date(2025, 2, 1, 14, 6, 41),
    });
    expect(readCalledNumber(cdr({ answerTime: 'soon', endTime: '' }), config, received)).toMatchObject({
      answeredAt: received,
    });
  });

  it('uses every configured phone context', () => {
    const plain: CalledConfig = { ...config, contexts: ['phones', 'office-phones'] };
    expect(readCalledNumber(cdr({ destinationContext: 'office-phones' }), plain, received)).toMatchObject({
      counts: true,
    });
    expect(readCalledNumber(cdr(), plain, received)).toMatchObject({ counts: false, why: 'other-context' });
  });
});
