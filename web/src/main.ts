/**
 * The page's entry: text in the reader's language, sign-in and sign-out, the four views behind #calls, #lists,
 * #explain and #stats, and the live feed while signed in.
 */
import { ApiError, del, request, type SessionInfo, type SessionState, setCsrf, whenSignedOut } from './api.js';
import { connectLive, initCalls } from './calls.js';
import { byId, field, say } from './dom.js';
import { initExplain } from './explain.js';
import { type Key, message, t, translatePage } from './i18n.js';
import { initLists } from './lists.js';
import { initSetup, offerSetup } from './setup.js';
import { initStats } from './stats.js';

const VIEWS = ['calls', 'lists', 'explain', 'stats'] as const;
type View = (typeof VIEWS)[number];

let signedIn = false;
let stopLive: (() => void) | undefined;
let refreshers: Partial<Record<View, () => Promise<void>>> = {};

function currentView(): View {
  const name = location.hash.slice(1);
  return (VIEWS as readonly string[]).includes(name) ? (name as View) : 'calls';
}

function showView(focus: boolean): void {
  if (!signedIn) return;
  const view = currentView();
  for (const v of VIEWS) byId(`view-${v}`).hidden = v !== view;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('#nav a')) {
    if (a.dataset.view === view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${t(`nav.${view}` as Key)} · callfilter`;
  void refreshers[view]?.();
  if (focus) {
    const heading = byId(`${view}-title`);
    heading.tabIndex = -1;
    heading.focus();
  }
}

function setLive(live: boolean): void {
  const el = byId('live');
  el.textContent = t(live ? 'live.on' : 'live.off');
  el.title = t(live ? 'live.title.on' : 'live.title.off');
  el.classList.toggle('off', !live);
}

function showSignIn(message?: Key): void {
  signedIn = false;
  setCsrf(undefined);
  stopLive?.();
  stopLive = undefined;
  byId('loading').hidden = true;
  for (const v of VIEWS) byId(`view-${v}`).hidden = true;
  byId('nav').hidden = true;
  byId('session-bar').hidden = true;
  byId('view-signin').hidden = false;
  document.title = `${t('signin.title')} · callfilter`;
  say(byId('signin-error'), message ? t(message) : '');
  byId<HTMLInputElement>('signin-token').focus();
}

function showApp(session: SessionInfo): void {
  signedIn = true;
  setCsrf(session.csrfToken);
  byId('loading').hidden = true;
  byId('view-signin').hidden = true;
  byId('nav').hidden = false;
  byId('session-bar').hidden = false;
  setLive(false);
  let opened = false;
  const onState = (live: boolean) => {
    setLive(live);
    // A feed that reconnects (dropped, or cut off for falling behind) missed the calls decided meanwhile.
    if (live && opened && currentView() === 'calls') void refreshers.calls?.();
    if (live) opened = true;
  };
  stopLive = connectLive(onState, () => void checkSession('signin.ended'));
  showView(false);
  void offerSetup();
}

/** Whether the browser still has a live session (after a reload, or when the live feed was refused). */
async function checkSession(messageIfNot?: Key): Promise<void> {
  try {
    const session = await request<SessionState>('GET', '/session');
    if (session.signedIn) {
      if (!signedIn) showApp(session);
    } else if (signedIn) showSignIn(messageIfNot);
    // Already on the sign-in form (signing out ends the live feed too, and its check may come back after): keep its
    // message ("You are signed out.") rather than wiping it.
    else if (byId('view-signin').hidden) showSignIn();
  } catch {
    if (!signedIn) {
      showSignIn();
      say(byId('signin-error'), t('error.network'));
    }
  }
}

async function signIn(form: HTMLFormElement): Promise<void> {
  const input = field(form, 'token');
  const token = input.value.trim();
  const error = byId('signin-error');
  if (!token) {
    say(error, t('signin.empty'));
    input.focus();
    return;
  }
  try {
    const session = await request<SessionInfo>('POST', '/session', { token }, { quiet401: true });
    form.reset();
    say(error, '');
    showApp(session);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) say(error, t('signin.wrong'));
    else if (err instanceof ApiError && err.status === 0) say(error, t('error.network'));
    else
      say(
        error,
        t('signin.failed', {
          message: err instanceof ApiError ? message(err.body.code, err.body.params, err.message) : String(err),
        }),
      );
    input.select();
  }
}

async function signOut(): Promise<void> {
  try {
    await del('/session');
  } catch {
    // signed out already, or the server is gone: either way the page forgets the session
  }
  showSignIn('signin.out');
}

function init(): void {
  translatePage();
  refreshers = { calls: initCalls().refresh, lists: initLists().refresh, stats: initStats().refresh };
  initExplain();
  initSetup();
  whenSignedOut(() => showSignIn('signin.ended'));
  const form = byId<HTMLFormElement>('signin-form');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void signIn(form);
  });
  byId('sign-out').addEventListener('click', () => void signOut());
  window.addEventListener('hashchange', () => showView(true));
  void checkSession();
}

init();
