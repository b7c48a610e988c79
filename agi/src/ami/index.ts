// asterisk-agi/ami: a small typed client for Asterisk's manager interface (AMI), no dependencies.

export { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
export {
  CDR_FIELDS,
  type CdrDisposition,
  type CdrEvent,
  type CdrField,
  formatCdrTime,
  parseCdrEvent,
  parseCdrTime,
} from './cdr.js';
export { AmiClient, type AmiClientOptions, type AmiClientState, type AmiDisconnect } from './client.js';
export { type AmiActionOptions, AmiConnection, type AmiConnectionOptions, type AmiLogin } from './connection.js';
export {
  AmiActionError,
  AmiAuthError,
  AmiClosedError,
  AmiError,
  type AmiErrorOptions,
  AmiProtocolError,
  AmiTimeoutError,
} from './errors.js';
export * as amiLimits from './limits.js';
export {
  type AmiFields,
  AmiMessage,
  type AmiParseResult,
  AmiParser,
  type AmiParserLimits,
  buildAction,
} from './message.js';
