import type { NumberingConfig } from '../../src/numbers/index.js';

/** Berlin: home country DE, area code 30, sipgate delivering bare international numbers. */
export const berlin: NumberingConfig = {
  homeCountry: 'DE',
  homeAreaCode: '30',
  trunkRules: [
    { context: 'from-sipgate', format: 'international-bare' },
    { channelPrefix: 'PJSIP/outside-', format: 'national', stripPrefix: '0' },
  ],
};

/** The same without an area code. */
export const noArea: NumberingConfig = { homeCountry: 'DE', trunkRules: [] };

/** Berlin with short extensions (two to four digits, not starting with 0) counting as internal. */
export const withExtensions: NumberingConfig = { ...berlin, internalPattern: /^[1-9]\d{1,3}$/ };
