/** Which sync each kind of source runs. Kinds without one yet (fritzbox, carddav, called) come with their issues. */
import type { SourceKind } from '../store/index.js';
import { phoneblockSync } from './phoneblock/sync.js';
import type { KindSync } from './types.js';
import { urlSync } from './url/sync.js';

export const KIND_SYNCS: Partial<Record<SourceKind, KindSync>> = {
  phoneblock: phoneblockSync,
  url: urlSync,
};
