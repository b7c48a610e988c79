/**
 * Every limit and timeout of the AMI client, each with the reason for its value (main/manager.c of Asterisk 22 where
 * the value follows from Asterisk). The timeouts can be overridden through AmiConnectionOptions / AmiClientOptions.
 */

/** The TCP port manager.conf's `[general] port` defaults to (DEFAULT_MANAGER_PORT in include/asterisk/manager.h). */
export const DEFAULT_AMI_PORT = 5038;

/**
 * Longest line we send, in UTF-8 bytes without the `\r\n`. get_input() reads into `inbuf[1025]` and gives up on a
 * line that does not end within 1024 bytes ("Failed to parse message: line too long"), so a line and its `\r\n` must
 * fit in 1024 bytes.
 */
export const MAX_ACTION_LINE_BYTES = 1022;

/** Most lines in one action: do_message() keeps AST_MAX_MANHEADERS (128) and refuses the rest ("Too many lines"). */
export const MAX_ACTION_FIELDS = 128;

/**
 * Longest line we accept from Asterisk, in bytes. Events are built in an ast_str without a cap, but no event of the
 * ones we read comes near this (a Cdr event is well under 2 KiB); a longer line is not Asterisk talking.
 */
export const MAX_LINE_BYTES = 64 * 1024;

/** Most bytes in one message from Asterisk: an event with every channel variable attached stays far below this. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Most lines in one message from Asterisk (a Status event with all variables has a few hundred). */
export const MAX_MESSAGE_FIELDS = 4096;

/** Actions waiting for their response at once. A client that runs past this is not reading its responses. */
export const MAX_PENDING_ACTIONS = 1024;

/** The banner must arrive this long after the TCP connection opened; session_do() writes it at once. */
export const BANNER_TIMEOUT_MS = 10_000;

/**
 * How long a Login may take. action_login() sleeps 1 s before it answers a refused login, and a loaded Asterisk may
 * take a little longer; manager.conf's authtimeout (30 s) is the most Asterisk itself would wait.
 */
export const LOGIN_TIMEOUT_MS = 10_000;

/** How long an action may wait for its response. Ping and Login answer at once; we send nothing slow. */
export const REPLY_TIMEOUT_MS = 10_000;

/** How long a TCP connect may take before the attempt counts as failed (Asterisk is local or on the LAN). */
export const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Time between keepalive Pings on an idle connection. A half-open connection (Asterisk restarted behind a NAT or a
 * container network) would otherwise look alive forever while no event arrives.
 */
export const KEEPALIVE_MS = 30_000;

/** First reconnect delay after a lost or failed connection. */
export const RECONNECT_INITIAL_MS = 1_000;

/** Reconnect delays grow up to this: an Asterisk that is down for hours is asked once a minute, not once a second. */
export const RECONNECT_MAX_MS = 60_000;

/** Each failed attempt multiplies the delay by this. */
export const RECONNECT_FACTOR = 2;

/** Each delay is spread by ±this fraction, so several clients do not reconnect in step after an Asterisk restart. */
export const RECONNECT_JITTER = 0.2;

/** After we send Logoff (or end our side), how long we keep the socket before destroying it. */
export const CLOSE_LINGER_MS = 1_000;
