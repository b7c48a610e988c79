/**
 * What a cluster node learns of calls only after they were answered (PostgresStore.onCallsLogged) goes where a
 * decided call's news goes: every node's calls to this node's live view on the web page, and this node's own rows
 * that waited in its spool to the household's notifications and the PhoneBlock call reports as well (late, but not
 * lost). On SQLite every call is news when it is decided, and this does nothing.
 */
import type { Notifications } from '../notify/service.js';
import type { CallReporter } from '../sources/phoneblock/reports.js';
import type { Store } from '../store/index.js';
import type { CallEvents } from '../web/events.js';

/** Returns the unsubscribe function. */
export function relayLoggedCalls(
  store: Store,
  to: {
    events: Pick<CallEvents, 'publishLogged'>;
    notify?: Pick<Notifications, 'onCallsLogged'>;
    reporter?: Pick<CallReporter, 'onCallsLogged'>;
  },
): () => void {
  if (store.engine !== 'postgres') return () => {};
  return store.onCallsLogged((ids, whose) => {
    to.events.publishLogged(ids);
    if (whose !== 'own') return;
    to.notify?.onCallsLogged(ids);
    to.reporter?.onCallsLogged(ids);
  });
}
