/**
 * The digest's HTML body: one small table per section, inline styles only (mail clients drop style sheets and
 * never load anything from elsewhere), every text escaped.
 */
import { actionText, callerText, reasonText, timeText } from '../texts.js';
import type { DigestModel, DigestSection } from './digest.js';

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);

const CELL = 'padding:4px 12px 4px 0;vertical-align:top';

function section(m: DigestModel, s: DigestSection): string {
  if (s.total === 0) return '';
  const rows = s.lines.map(({ call, link }) => {
    const who = esc(callerText(m.language, call));
    const name = link ? `<a href="${esc(link)}">${who}</a>` : who;
    return (
      `<tr><td style="${CELL};white-space:nowrap">${esc(timeText(m.language, call.at, m.timeZone))}</td>` +
      `<td style="${CELL}">${name}</td>` +
      `<td style="${CELL}">${esc(actionText(m.language, call.action))}: ${esc(reasonText(m.language, call.reason))}</td></tr>`
    );
  });
  const more =
    s.more > 0
      ? `<p>${m.callsLink ? `<a href="${esc(m.callsLink)}">${esc(m.words.more(s.more))}</a>` : esc(m.words.more(s.more))}</p>`
      : '';
  return `<h2 style="font-size:16px">${esc(s.title)} (${s.total})</h2><table style="border-collapse:collapse">${rows.join('')}</table>${more}`;
}

export function digestHtml(m: DigestModel): string {
  const nothing = m.keptAway.total === 0 && m.voicemail.total === 0 ? `<p>${esc(m.words.nothing)}</p>` : '';
  const open = m.callsLink ? ` <a href="${esc(m.callsLink)}">${esc(m.words.open)}</a>` : '';
  return [
    `<!doctype html><html lang="${m.language}"><head><meta charset="utf-8"><title>${esc(m.words.heading(m.period))}</title></head>`,
    '<body style="font-family:sans-serif;font-size:14px;color:#222">',
    `<h1 style="font-size:18px">${esc(m.words.heading(m.period))}</h1>`,
    nothing,
    section(m, m.keptAway),
    section(m, m.voicemail),
    `<p>${esc(m.words.totals(m.total, m.byAction))}${open}</p>`,
    `<p style="color:#777;font-size:12px">${esc(m.words.footer)}</p>`,
    '</body></html>',
  ].join('\n');
}
