/** A small element builder: the page builds its rows with it (textContent only — never HTML from data). */

type Child = Node | string | number | false | null | undefined;
type Attrs = Record<string, string | number | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';

export function svg(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === false || c === null || c === undefined) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as T;
}

export function clear(el: Element): void {
  el.replaceChildren();
}

/** Shows a message in a role=alert element (empty text hides it). */
export function say(el: HTMLElement, text: string): void {
  el.textContent = text;
}

let toastTimer: number | undefined;

/** A short confirmation at the bottom of the screen, read out by screen readers. */
export function toast(text: string): void {
  const el = byId('toast');
  el.textContent = text;
  el.classList.add('show');
  window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => el.classList.remove('show'), 4000);
}

/** The form's field by name, typed. */
export function field<T extends HTMLInputElement | HTMLSelectElement = HTMLInputElement>(
  form: HTMLFormElement,
  name: string,
): T {
  const el = form.elements.namedItem(name);
  if (!el) throw new Error(`form field ${name} is missing`);
  return el as T;
}

/** An empty table is hidden and its "nothing here" line shown instead. */
export function emptyState(tbody: HTMLElement, message: HTMLElement): void {
  const empty = tbody.childElementCount === 0;
  message.hidden = !empty;
  const wrap = tbody.closest<HTMLElement>('.table-wrap');
  if (wrap) wrap.hidden = empty;
}
