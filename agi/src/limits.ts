/**
 * Every limit and timeout of the library, each with the reason for its value. All of the session ones can be
 * overridden through AgiSessionOptions, the server ones through AgiServerOptions.
 */

/**
 * Longest command line we send, in UTF-8 bytes including the trailing `\n`. res_agi.c's run_agi() reads a command
 * with fgets() into `char buf[AGI_BUF_LEN]` (2048): anything past 2047 bytes is cut off there and the rest is run
 * as a second command, so a longer line is refused before anything is written.
 */
export const MAX_COMMAND_LINE_BYTES = 2047;

/**
 * Longest line we accept from Asterisk, in bytes without the `\n`. GET VARIABLE answers are capped at 1 KiB by
 * handle_getvariable()'s `tempstr[1024]`; env lines are short. Anything longer is not Asterisk talking.
 */
export const MAX_LINE_BYTES = 16 * 1024;

/**
 * The environment block must be complete this long after the connection opened. Asterisk writes it in one go
 * right after connecting (launch_netscript() then setup_env()); a peer that takes longer is stuck or not Asterisk.
 */
export const ENV_TIMEOUT_MS = 5_000;

/**
 * Longest silence while the environment block is arriving. Asterisk has nothing to wait for between its lines: it
 * sends `agi_network: yes` as soon as the connection is up, then setup_env() writes the rest one line after the other
 * (res_agi.c). A loaded host delays a write by milliseconds; a second without a byte is a peer that stalled, and it
 * holds a connection slot meanwhile. Well under ENV_TIMEOUT_MS, so a half-sent block frees its slot in a fifth of
 * the time, while a peer that drips a byte now and then still meets the overall deadline.
 */
export const ENV_IDLE_MS = 1_000;

/** Most bytes the environment block may take. setup_env() sends ~20 short keys plus the AGI() arguments. */
export const MAX_ENV_BYTES = 64 * 1024;

/** Most lines in the environment block: ~22 fixed keys plus at most MAX_ARGS - 1 (127) `agi_arg_N` (res_agi.c). */
export const MAX_ENV_LINES = 200;

/**
 * How long one command may wait for its reply. res_agi.c never times out itself; SET/GET VARIABLE answer in
 * microseconds, but STREAM FILE / EXEC block for as long as the media plays, so this is generous. 0 disables it.
 */
export const REPLY_TIMEOUT_MS = 30_000;

/**
 * Longest a session may live. A screening conversation takes milliseconds; one that lasts ten minutes has a
 * stuck handler and holds a connection slot. Raise it for IVR-style use. 0 disables it.
 */
export const MAX_SESSION_MS = 10 * 60_000;

/**
 * After we close our side, how long we keep reading before destroying the socket. Asterisk answers our FIN at
 * once with a last `HANGUP` and closes (end of run_agi()); a peer that lingers is not reading anyway.
 */
export const CLOSE_LINGER_MS = 1_000;

/** Most lines of a multi-line `520-` usage reply; the longest XML usage text in res_agi.c is a few dozen lines. */
export const MAX_USAGE_LINES = 500;

/**
 * Default connection cap of a server. Far above the concurrent calls of any home or small-office PBX, and low
 * enough that a connection flood cannot use up the process's file descriptors.
 */
export const MAX_CONNECTIONS = 512;

/** How long server.close() lets live sessions finish before destroying them. A decision takes well under 1 s. */
export const CLOSE_GRACE_MS = 2_000;
