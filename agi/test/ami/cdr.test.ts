import { AmiMessage, AmiParser, CDR_FIELDS, formatCdrTime, parseCdrEvent, parseCdrTime } from 'asterisk-agi/ami';
import { describe, expect, it } from 'vitest';

/** An `Event: Cdr` as cdr_manager.c's manager_log() writes it, with one `[mappings]` field (linkedid => LinkedID). */
const WIRE =
  'Asterisk Call Manager/11.0.0\r\n' +
  'Event: Cdr\r\nPrivilege: cdr,all\r\n' +
  'AccountCode: \r\nSource: 100\r\nDestination: 00441632960123\r\nDestinationContext: from-internal\r\n' +
  'CallerID: "Kitchen" <100>\r\nChannel: PJSIP/100-0000002a\r\nDestinationChannel: PJSIP/sipgate-0000002b\r\n' +
  'LastApplication: Dial\r\nLastData: PJSIP/00441632960123@sipgate,60,T\r\nStartTime: 2025-03-01 14:05:02\r\n' +
  'AnswerTime: 2025-03-01 14:05:09\r\nEndTime: 2025-03-01 14:06:41\r\nDuration: 99\r\nBillableSeconds: 92\r\n' +
  'Disposition: ANSWERED\r\nAMAFlags: DOCUMENTATION\r\nUniqueID: 1740837902.42\r\nUserField: \r\n' +
  'LinkedID: 1740837902.42\r\n\r\n';

describe('parseCdrEvent', () => {
  it('reads the fields cdr_manager sends, and the mapped ones as extra', () => {
    const [message] = new AmiParser().push(WIRE).messages;
    expect(parseCdrEvent(message!)).toEqual({
      accountCode: '',
      source: '100',
      destination: '00441632960123',
      destinationContext: 'from-internal',
      callerId: '"Kitchen" <100>',
      channel: 'PJSIP/100-0000002a',
      destinationChannel: 'PJSIP/sipgate-0000002b',
      lastApplication: 'Dial',
      lastData: 'PJSIP/00441632960123@sipgate,60,T',
      startTime: '2025-03-01 14:05:02',
      answerTime: '2025-03-01 14:05:09',
      endTime: '2025-03-01 14:06:41',
      duration: 99,
      billableSeconds: 92,
      disposition: 'ANSWERED',
      amaFlags: 'DOCUMENTATION',
      uniqueId: '1740837902.42',
      userField: '',
      extra: { LinkedID: '1740837902.42' },
    });
  });

  it('lists the 18 fields in manager_log() order', () => {
    expect(CDR_FIELDS).toHaveLength(18);
    expect(CDR_FIELDS[0]).toBe('AccountCode');
    expect(CDR_FIELDS[17]).toBe('UserField');
  });

  it('is undefined for other messages, and reads missing fields as empty', () => {
    expect(parseCdrEvent(new AmiMessage([['Event', 'Hangup']]))).toBeUndefined();
    expect(parseCdrEvent(new AmiMessage([['Response', 'Success']]))).toBeUndefined();
    expect(
      parseCdrEvent(
        new AmiMessage([
          ['Event', 'Cdr'],
          ['Duration', 'x'],
        ]),
      ),
    ).toMatchObject({ destination: '', duration: 0, extra: {} });
  });
});

describe('CDR times', () => {
  it('reads local `YYYY-MM-DD HH:MM:SS` and writes it back', () => {
    const d = parseCdrTime('2025-03-01 14:05:09');
    expect(d).toEqual(new Date(2025, 2, 1, 14, 5, 9));
    expect(formatCdrTime(d!)).toBe('2025-03-01 14:05:09');
  });

  it.each(['', '2025-03-01', '2025-02-30 10:00:00', '2025-03-01T14:05:09', 'yesterday'])('refuses %j', (text) => {
    expect(parseCdrTime(text)).toBeUndefined();
  });
});
