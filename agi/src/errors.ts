/**
 * Errors carry their meaning: an AGI result code where Asterisk sent one, a type per failure that a handler may
 * want to tell apart (the caller hung up vs. Asterisk refused the command vs. the peer is not speaking AGI).
 */

export interface AgiErrorOptions {
  code?: number;
  cause?: unknown;
}

/** Base class of every error the library produces on purpose. `code` is the AGI result code, when there is one. */
export class AgiError extends Error {
  readonly code: number | undefined;

  constructor(message: string, options: AgiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
  }
}

/** `510 Invalid or unknown command` (res_agi.c, agi_handle_command()). */
export class AgiUnknownCommandError extends AgiError {}

/**
 * `511 Command Not Permitted on a dead channel` — the channel is gone and the command is not one that runs dead
 * (res_agi.c marks SET/GET VARIABLE, EXEC, VERBOSE, NOOP, DATABASE … as dead-safe).
 */
export class AgiDeadChannelError extends AgiError {}

/**
 * `520` — Asterisk did not accept the arguments. `usage` holds the usage text of a multi-line
 * `520-Invalid command syntax.  Proper usage follows:` … `520 End of proper usage.` reply, or '' for the
 * single-line `520 Invalid command syntax.  Proper usage not available.`.
 */
export class AgiUsageError extends AgiError {
  readonly usage: string;

  constructor(message: string, usage: string, options: AgiErrorOptions = {}) {
    super(message, { code: 520, ...options });
    this.usage = usage;
  }
}

/** The connection ended, or the session was closed, before the reply came. */
export class AgiHangupError extends AgiError {}

/** No reply (or no complete environment) within the configured time. */
export class AgiTimeoutError extends AgiError {}

/** The peer does not speak AGI: a garbage reply, an oversize line, an environment that breaks the rules. */
export class AgiProtocolError extends AgiError {}
