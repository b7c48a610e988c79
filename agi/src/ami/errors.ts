/**
 * AMI errors carry their meaning: Asterisk refused the login, refused an action (with its `Message:`), the peer is
 * not an Asterisk manager, no answer came in time, or the connection was gone before the answer.
 */

export interface AmiErrorOptions {
  cause?: unknown;
}

/** Base class of every error the AMI client produces on purpose. */
export class AmiError extends Error {
  constructor(message: string, options: AmiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/**
 * Asterisk refused the Login (`Response: Error`, `Message: Authentication failed` from action_login(); it closes the
 * connection right after). Retrying with the same secret cannot help, so the client stops instead of retrying.
 */
export class AmiAuthError extends AmiError {
  /** Asterisk's `Message:` text. */
  readonly asteriskMessage: string;

  constructor(message: string, asteriskMessage: string) {
    super(message);
    this.asteriskMessage = asteriskMessage;
  }
}

/** `Response: Error` to an action: `message` is Asterisk's `Message:` text (e.g. `Permission denied`). */
export class AmiActionError extends AmiError {
  readonly action: string;
  readonly asteriskMessage: string;

  constructor(action: string, asteriskMessage: string) {
    super(`Asterisk refused ${action}: ${asteriskMessage || 'no reason given'}`);
    this.action = action;
    this.asteriskMessage = asteriskMessage;
  }
}

/** The peer does not speak AMI: no `Asterisk Call Manager/` banner, an oversize line or message. */
export class AmiProtocolError extends AmiError {}

/** No banner, login answer or action response within the configured time. */
export class AmiTimeoutError extends AmiError {}

/** The connection ended (or was closed by us) before the answer came, or there is no connection to send on. */
export class AmiClosedError extends AmiError {}
