import { describe, expect, it } from 'vitest';
import { displayNumber, type NumberingConfig, nationalNumber, nationalPrefix } from '../../src/numbers/index.js';

const berlin: NumberingConfig = { homeCountry: 'DE', homeAreaCode: '30', trunkRules: [] };
const vienna: NumberingConfig = { homeCountry: 'AT', homeAreaCode: '1', trunkRules: [] };
const london: NumberingConfig = { homeCountry: 'GB', trunkRules: [] };

describe('numbers as people at home write them', () => {
  it.each<[string, NumberingConfig, string]>([
    ['+49301234567', berlin, '030 1234567'],
    ['+491701234567', berlin, '0170 1234567'],
    ['+498001234567', berlin, '0800 1234567'],
    ['+442079460018', berlin, '+44 20 7946 0018'],
    ['+12025550143', berlin, '+1 202 555 0143'],
    ['+442079460018', london, '020 7946 0018'],
    ['+49301234567', london, '+49 30 1234567'],
    ['+4316641234', vienna, '01 6641234'],
    // Too short to be valid: formatted as far as its digits go, never cut to the bare digits.
    ['+493012', berlin, '030 12'],
    // Not E.164 (an extension, a withheld caller id): as it is.
    ['**610', berlin, '**610'],
    ['anonymous', berlin, 'anonymous'],
  ])('%s in %s: %s', (e164, cfg, shown) => {
    expect(nationalNumber(e164, cfg)).toBe(shown);
  });

  it.each<[string, NumberingConfig, string]>([
    ['+4930123', berlin, '030 123'],
    ['+49170', berlin, '0170'],
    ['+4420', berlin, '+44 20'],
    ['+49', berlin, '+49'],
    ['+44', berlin, '+44'],
  ])('the prefix %s in %s: %s', (prefix, cfg, shown) => {
    expect(nationalPrefix(prefix, cfg)).toBe(shown);
    expect(displayNumber(prefix, true, cfg)).toBe(shown);
  });
});
