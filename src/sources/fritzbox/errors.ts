/**
 * TR-064 errors carry their meaning, so a sync can tell the person what to do: wrong user or password, the box locked
 * logins after failed ones (do not hammer it), the certificate changed, the box refused an action (UPnP error code).
 */

export class FritzboxError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** 401 although we answered the digest challenge: user name or password wrong (or the user lacks TR-064 access). */
export class FritzboxAuthError extends FritzboxError {}

/**
 * 503: after failed logins the box refuses further ones for a while (AVM "First Steps"). Retrying at once prolongs the
 * lock, so the caller must wait for its next scheduled run.
 */
export class FritzboxLockedError extends FritzboxError {}

/** The box presented another certificate than the pinned one (a new box, a reset — or someone in between). */
export class FritzboxCertificateError extends FritzboxError {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `the FRITZ!Box presented a certificate with SHA-256 fingerprint ${actual}, not the pinned ${expected}; ` +
        'if the box was replaced or reset, check the fingerprint on the box and store the new one',
    );
  }
}

/** The box answered a SOAP action with a UPnP error (HTTP 500 with a SOAP fault). */
export class FritzboxSoapError extends FritzboxError {
  constructor(
    readonly action: string,
    /** The UPnP errorCode: 401 invalid action, 402 invalid arguments, 606 not authorized, 713 no such index, 714 no such entry, 820 internal error. */
    readonly code: number,
    readonly description: string,
  ) {
    super(`the FRITZ!Box refused ${action}: UPnP error ${code}${description ? ` (${description})` : ''}`);
  }
}

/** Any other unexpected answer (an HTTP status, a body that is not what the action returns). */
export class FritzboxProtocolError extends FritzboxError {}
