/**
 * The voicemail message beside a call: a button with its length that turns into an audio player when pressed (the
 * audio comes from the same origin, /api/v1/calls/{id}/voicemail, as the page's Content-Security-Policy wants, with
 * the session cookie). Nothing is loaded before the press: a screenful of calls costs no audio.
 */
import { h } from './dom.js';
import { t } from './i18n.js';
import type { Call } from './types.js';

/** `0:42`, `12:05`. */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** The play button of a call that left a message; nothing for one that did not. */
export function voicemailButton(c: Call): HTMLElement | undefined {
  if (!c.voicemail) return undefined;
  const length = duration(c.voicemail.seconds);
  if (!c.voicemail.playable)
    return h(
      'span',
      { class: 'vm muted', title: t('vm.unplayable.title') },
      t('vm.unplayable', { duration: length }).trim(),
    );
  return h(
    'button',
    { type: 'button', class: 'small vm', 'data-vm': c.id, 'aria-label': t('vm.play.label', { duration: length }) },
    `▶ ${t('vm.play', { duration: length }).trim()}`,
  );
}

/** Replaces the button by a player of the message and starts it (the press is the user gesture autoplay needs). */
export function playVoicemail(button: HTMLButtonElement): void {
  const audio = h('audio', {
    controls: true,
    preload: 'metadata',
    class: 'vm',
    src: `/api/v1/calls/${button.dataset.vm}/voicemail`,
    'aria-label': t('vm.audio.label'),
  });
  button.replaceWith(audio);
  audio.focus();
  // A refused autoplay leaves the controls to press.
  audio.play().catch(() => undefined);
}
