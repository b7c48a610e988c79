#!/usr/bin/env python3
"""Peer B: a classic per-call AGI script, as FreePBX's CID Superfecta and many blocklist scripts work.

Asterisk (here: the bench's load client) starts one process per call, writes the agi_* environment to its stdin,
and answers every command line on stdout with "200 result=1". The script opens the SQLite database, normalises the
caller the way such scripts do (string rules, no libphonenumber), runs the same lookups as our service — personal
entries (exact and prefix, longest wins), the spam list's active version, recent calls for the repeat-caller rule —
logs the call and sets the same CALLFILTER_* variables.

Usage: agi-script.py <database file>   (then AGI environment on stdin)
"""
import re
import sqlite3
import sys
import time

WITHHELD = {"", "unknown", "anonymous", "restricted", "private", "unavailable", "withheld"}
SEPARATORS = re.compile(r"[\s\-./()]")
HOME_CC, HOME_AREA = "49", "30"


def agi(command):
    sys.stdout.write(command + "\n")
    sys.stdout.flush()
    return sys.stdin.readline()


def quote(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def read_env():
    env = {}
    while True:
        line = sys.stdin.readline()
        if not line or line == "\n":
            return env
        key, _, value = line.rstrip("\n").partition(": ")
        env[key] = value


def normalise(raw, pres):
    if pres & 0x60 or raw.strip().lower() in WITHHELD or not re.search(r"\d", raw):
        return "withheld", None
    s = SEPARATORS.sub("", raw.strip())
    if s.startswith("*"):
        return "internal", None
    if s.startswith("+"):
        return "number", s
    if s.startswith("00"):
        return "number", "+" + s[2:]
    if s.startswith("0"):
        return "number", "+" + HOME_CC + s[1:]
    if len(s) <= 8:
        return "number", "+" + HOME_CC + HOME_AREA + s
    return "number", "+" + s


def decide(db, kind, e164, now):
    if kind == "withheld":
        return {"action": "voicemail", "reason": "anonymous"}
    if kind == "internal":
        return {"action": "connect", "reason": "internal"}
    parts = [e164[:i] for i in range(2, len(e164) + 1)]
    marks = ",".join("?" * len(parts))
    row = db.execute(
        f"SELECT id, kind, label, contact_id FROM entries WHERE number IN ({marks}) AND (is_prefix = 1 OR number = ?)"
        " AND (expires_at IS NULL OR expires_at > ?) ORDER BY is_prefix, length(number) DESC, kind LIMIT 1",
        (*parts, e164, now),
    ).fetchone()
    if row and row[1] == "allow":
        return {"action": "connect", "reason": "contact" if row[3] else "allowlist", "label": row[2], "entry_id": row[0]}
    if row:
        return {"action": "hangup", "reason": "blocklist", "cause": "21", "label": row[2], "entry_id": row[0]}
    hit = db.execute(
        "SELECT le.id, l.id, coalesce(le.label, l.label, l.name) FROM list_entries le JOIN lists l ON l.id = le.list_id"
        f" WHERE le.number IN ({marks}) AND (le.is_prefix = 1 OR le.number = ?) AND le.version = l.active_version"
        " AND l.enabled = 1 AND le.score >= l.threshold ORDER BY le.is_prefix, length(le.number) DESC, le.score DESC LIMIT 1",
        (*parts, e164),
    ).fetchone()
    if hit:
        return {"action": "announce", "reason": "spam-list", "announcement": "callfilter/polite-decline",
                "label": "SPAM: " + hit[2], "list_id": hit[1], "list_entry_id": hit[0]}
    digits = len(e164) - 1
    reason = "implausible" if not 8 <= digits <= 15 else "unknown" if e164.startswith("+" + HOME_CC) else "foreign"
    recent = db.execute("SELECT count(*) FROM calls WHERE caller = ? AND at >= ?", (e164, now - 5 * 60_000)).fetchone()[0]
    if recent:
        return {"action": "connect", "reason": "repeat-caller"}
    return {"action": "voicemail", "reason": reason}


def main():
    started = time.perf_counter()
    env = read_env()
    db = sqlite3.connect(sys.argv[1], timeout=5)
    db.execute("PRAGMA synchronous = NORMAL")  # as our service: a committed call survives a process crash
    raw = env.get("agi_callerid", "")
    pres = int(env.get("agi_callingpres", "0") or 0)
    now = int(time.time() * 1000)
    kind, e164 = normalise(raw, pres)
    d = decide(db, kind, e164, now)
    cur = db.execute(
        "INSERT INTO calls (at, caller_raw, caller, caller_kind, presentation, did, action, reason, cause, label, entry_id,"
        " list_id, list_entry_id, profile, unique_id, channel, latency_us) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,'default',?,?,?)",
        (now, raw, e164, kind, pres, env.get("agi_arg_1"), d["action"], d["reason"], d.get("cause"), d.get("label"),
         d.get("entry_id"), d.get("list_id"), d.get("list_entry_id"), env.get("agi_uniqueid"), env.get("agi_channel"),
         int((time.perf_counter() - started) * 1e6)),
    )
    db.commit()
    call_id = cur.lastrowid
    db.close()
    variables = [("CALLFILTER_REASON", d["reason"])]
    if d.get("label"):
        variables.append(("CALLFILTER_LABEL", d["label"]))
    variables.append(("CALLFILTER_CALL_ID", str(call_id)))
    if d.get("cause"):
        variables.append(("CALLFILTER_CAUSE", d["cause"]))
    if d.get("announcement"):
        variables.append(("CALLFILTER_ANNOUNCEMENT", d["announcement"]))
    if d.get("label"):
        variables.append(("CALLERID(name)", d["label"]))
    variables.append(("CALLFILTER_ACTION", d["action"]))
    for name, value in variables:
        agi(f"SET VARIABLE {name} {quote(value)}")


if __name__ == "__main__":
    main()
