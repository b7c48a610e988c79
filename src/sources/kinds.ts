/** Which sync each kind of source runs. */
import type { SourceKind } from '../store/index.js';
import { calledSync } from './called/sync.js';
import { carddavSync } from './carddav/sync.js';
import { fritzboxSync } from './fritzbox/sync.js';
import { phoneblockSync } from './phoneblock/sync.js';
import type { KindSync } from './types.js';
import { urlSync } from './url/sync.js';

export const KIND_SYNCS: Partial<Record<SourceKind, KindSync>> = {
  phoneblock: phoneblockSync,
  url: urlSync,
  fritzbox: fritzboxSync,
  carddav: carddavSync,
  called: calledSync,
};
