export { buildCommandLine, quoteArg } from './command-line.js';
export type { AgiEnvironment, AgiRequest } from './env.js';
export { EnvParser, toEnvironment, toRequest } from './env.js';
export {
  AgiDeadChannelError,
  AgiError,
  type AgiErrorOptions,
  AgiHangupError,
  AgiProtocolError,
  AgiTimeoutError,
  AgiUnknownCommandError,
  AgiUsageError,
} from './errors.js';
export * as limits from './limits.js';
export { LineReader, type LineReaderResult } from './line-reader.js';
export { LogLimiter, type LogLimiterOptions } from './log-limit.js';
export { type AgiLogger, noopLogger } from './logger.js';
export type { AgiReply, ReplyEvent } from './reply.js';
export { parseSuccessLine, ReplyAssembler } from './reply.js';
export { type AgiHandler, type AgiRejectReason, AgiServer, type AgiServerOptions } from './server.js';
export { AgiSession, type AgiSessionOptions } from './session.js';
