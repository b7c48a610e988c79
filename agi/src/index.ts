export { AgiSession, type AgiSessionOptions } from './session.js';
export { AgiServer, type AgiHandler, type AgiServerOptions, type AgiRejectReason } from './server.js';
export type { AgiEnvironment, AgiRequest } from './env.js';
export { EnvParser, toEnvironment, toRequest } from './env.js';
export type { AgiReply, ReplyEvent } from './reply.js';
export { ReplyAssembler, parseSuccessLine } from './reply.js';
export { LineReader, type LineReaderResult } from './line-reader.js';
export { buildCommandLine, quoteArg } from './command-line.js';
export {
  AgiError,
  AgiUnknownCommandError,
  AgiDeadChannelError,
  AgiUsageError,
  AgiHangupError,
  AgiTimeoutError,
  AgiProtocolError,
  type AgiErrorOptions,
} from './errors.js';
export { noopLogger, type AgiLogger } from './logger.js';
export { LogLimiter, type LogLimiterOptions } from './log-limit.js';
export * as limits from './limits.js';
