/**
 * The Stats view: calls per day by action for the last 30 days as a stacked bar chart (SVG drawn here; colours
 * come from the stylesheet), and the callers blocked most often.
 */
import { get } from './api.js';
import { errorText } from './calls.js';
import { byId, emptyState, h, say, svg } from './dom.js';
import { callTime, type Key, num, shortDate, t, tn } from './i18n.js';
import { numberView } from './numbers.js';
import type { Action, Stats } from './types.js';

const DAYS = 30;
/** Bottom to top. */
const STACK: readonly Action[] = ['connect', 'voicemail', 'announce', 'hangup'];
const W = 960;
const H = 260;
const PAD = { left: 36, right: 8, top: 12, bottom: 28 };

/** A round step for the y axis: 1, 2, 5, 10, 20, 50 … so that about four gridlines fit. */
function step(max: number): number {
  const raw = Math.max(1, max) / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
}

function chart(stats: Stats): SVGElement {
  const days = stats.days;
  const max = Math.max(1, ...days.map((d) => d.total));
  const s = step(max);
  const top = Math.ceil(max / s) * s;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, days.length);
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const totals = { total: 0, connect: 0, voicemail: 0, blocked: 0 };
  for (const d of days) {
    totals.total += d.total;
    totals.connect += d.byAction.connect ?? 0;
    totals.voicemail += d.byAction.voicemail ?? 0;
    totals.blocked += (d.byAction.hangup ?? 0) + (d.byAction.announce ?? 0);
  }
  const summary = tn('stats.summary', totals.total, {
    total: num(totals.total),
    connect: num(totals.connect),
    voicemail: num(totals.voicemail),
    blocked: num(totals.blocked),
  });
  const root = svg(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': summary, class: 'bars' },
    svg('title', {}, summary),
  );
  for (let v = 0; v <= top; v += s) {
    root.append(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: 'grid' }));
    root.append(svg('text', { x: PAD.left - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, num(v)));
  }
  days.forEach((d, i) => {
    const x = PAD.left + i * slot + slot * 0.15;
    const g = svg(
      'g',
      {},
      svg(
        'title',
        {},
        `${tn('stats.day', d.total, { day: shortDate(d.from), total: num(d.total) })} — ${STACK.map((a) => `${t(`legend.${a}` as Key)} ${d.byAction[a] ?? 0}`).join(', ')}`,
      ),
    );
    let base = 0;
    for (const a of STACK) {
      const n = d.byAction[a] ?? 0;
      if (n === 0) continue;
      g.append(svg('rect', { x, width: slot * 0.7, y: y(base + n), height: y(base) - y(base + n), class: `bar ${a}` }));
      base += n;
    }
    root.append(g);
    if (i % 7 === (days.length - 1) % 7)
      root.append(
        svg('text', { x: x + slot * 0.35, y: H - 8, class: 'axis', 'text-anchor': 'middle' }, shortDate(d.from)),
      );
  });
  return root;
}

async function load(): Promise<void> {
  try {
    const stats = await get<Stats>(`/api/v1/stats?days=${DAYS}`);
    say(byId('stats-error'), '');
    byId('chart').replaceChildren(chart(stats));
    byId('legend').replaceChildren(
      ...STACK.map((a) =>
        h('li', {}, h('span', { class: `swatch ${a}`, 'aria-hidden': 'true' }), t(`legend.${a}` as Key)),
      ),
    );
    byId('top-body').replaceChildren(
      ...stats.topBlocked.map((c) =>
        h(
          'tr',
          {},
          h(
            'td',
            { class: 'caller' },
            numberView(c.caller, c.callerNational),
            c.label ? h('span', { class: 'label' }, c.label) : '',
          ),
          h('td', { class: 'num' }, num(c.calls)),
          h('td', { class: 'time' }, callTime(c.lastAt)),
          h('td', {}, t(`reason.${c.reason}`)),
        ),
      ),
    );
    emptyState(byId('top-body'), byId('top-empty'));
  } catch (err) {
    say(byId('stats-error'), errorText(err));
  }
}

export function initStats(): { refresh: () => Promise<void> } {
  return { refresh: load };
}
