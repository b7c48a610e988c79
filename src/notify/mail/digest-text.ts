/** The digest's plain-text body: readable in any mail client, links on their own lines so they stay clickable. */
import { actionText, callerText, reasonText, timeText } from '../texts.js';
import type { DigestModel, DigestSection } from './digest.js';

function section(m: DigestModel, s: DigestSection): string[] {
  if (s.total === 0) return [];
  const out = ['', `${s.title} (${s.total})`, ''];
  for (const { call, link } of s.lines) {
    const when = timeText(m.language, call.at, m.timeZone);
    out.push(`- ${when}  ${callerText(m.language, call)}`);
    out.push(`  ${actionText(m.language, call.action)}: ${reasonText(m.language, call.reason)}`);
    if (link) out.push(`  ${link}`);
  }
  if (s.more > 0) out.push(m.callsLink ? `${m.words.more(s.more)}: ${m.callsLink}` : m.words.more(s.more));
  return out;
}

export function digestText(m: DigestModel): string {
  const lines = [m.words.heading(m.period)];
  if (m.keptAway.total === 0 && m.voicemail.total === 0) lines.push('', m.words.nothing);
  lines.push(...section(m, m.keptAway), ...section(m, m.voicemail));
  lines.push('', m.words.totals(m.total, m.byAction));
  if (m.callsLink) lines.push(`${m.words.open}: ${m.callsLink}`);
  lines.push('', '-- ', m.words.footer);
  return `${lines.join('\n')}\n`;
}
