/** Limits and timeouts of the TR-064 client, each with its reason. */

/** TR-064 over plain HTTP ("First Steps": http://<box>:49000/tr64desc.xml). */
export const TR064_HTTP_PORT = 49000;

/** TR-064 over TLS, with the box's self-signed certificate. */
export const TR064_HTTPS_PORT = 49443;

/** A SOAP call answers in well under a second on any box; a box busy with a firmware update may take a few. */
export const SOAP_TIMEOUT_MS = 15_000;

/** The box builds a phone-book XML on request; a book with thousands of contacts takes it a few seconds. */
export const PHONEBOOK_TIMEOUT_MS = 60_000;

/** SOAP answers are a few hundred bytes (GetCallBarringEntryByNum: one contact); more is not the box talking. */
export const MAX_SOAP_BYTES = 256 * 1024;

/**
 * A phone-book XML: the box keeps a few thousand contacts per book at about 0.5–1 KiB each (pictures are URLs, not
 * data). Far above that, and small enough to hold in memory on a Raspberry Pi.
 */
export const MAX_PHONEBOOK_BYTES = 32 * 1024 * 1024;
