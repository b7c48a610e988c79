// asterisk-agi/ami: a small typed client for Asterisk's manager interface (AMI), no dependencies.
export { AmiClient, type AmiClientOptions, type AmiClientState, type AmiDisconnect } from './client.js';
export { AmiConnection, type AmiActionOptions, type AmiConnectionOptions, type AmiLogin } from './connection.js';
export { AmiMessage, AmiParser, buildAction, type AmiFields, type AmiParseResult, type AmiParserLimits } from './message.js';
export { CDR_FIELDS, formatCdrTime, parseCdrEvent, parseCdrTime, type CdrDisposition, type CdrEvent, type CdrField } from './cdr.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { AmiActionError, AmiAuthError, AmiClosedError, AmiError, AmiProtocolError, AmiTimeoutError, type AmiErrorOptions } from './errors.js';
export * as amiLimits from './limits.js';
