/**
 * The environment block Asterisk sends, in res_agi.c's order (launch_netscript() + setup_env()), one string per
 * line because Asterisk writes each line with its own ast_agi_send(). Mirrors asterisk-agi/testing's fake.
 */

import type { CallSpec } from './caller-mix.js';
import { DID } from './dataset.js';

export interface EnvTarget {
  /** FastAGI: `agi://127.0.0.1:4573/screen`; a script: its path (agi_request is the script name then). */
  request: string;
  network: boolean;
}

export function environmentLines(call: CallSpec, seq: number, target: EnvTarget): string[] {
  const hex = seq.toString(16).padStart(8, '0');
  const lines = target.network ? ['agi_network: yes\n', 'agi_network_script: screen\n'] : [];
  lines.push(
    `agi_request: ${target.request}\n`,
    `agi_channel: PJSIP/trunk-${hex}\n`,
    'agi_language: de\n',
    'agi_type: PJSIP\n',
    `agi_uniqueid: 1700000000.${seq}\n`,
    'agi_version: 22.1.0\n',
    `agi_callerid: ${call.callerid}\n`,
    `agi_calleridname: ${call.calleridname}\n`,
    `agi_callingpres: ${call.callingpres}\n`,
    'agi_callingani2: 0\n',
    'agi_callington: 0\n',
    'agi_callingtns: 0\n',
    'agi_dnid: 030999000\n',
    'agi_rdnis: unknown\n',
    'agi_context: from-trunk\n',
    'agi_extension: 030999000\n',
    'agi_priority: 1\n',
    'agi_enhanced: 0.0\n',
    'agi_accountcode: \n',
    'agi_threadid: 140245012345678\n',
    `agi_arg_1: ${DID}\n`,
    '\n',
  );
  return lines;
}
