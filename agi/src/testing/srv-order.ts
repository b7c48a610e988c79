/**
 * The order in which Asterisk tries the targets of an SRV answer: a port of main/srv.c (srv_callback() and
 * process_weights(); the same in the old and the current sources).
 *
 * - Targets are sorted by priority, lowest first; equal priorities keep the order of the DNS answer (srv_callback()
 *   inserts each record before the first one with a higher priority).
 * - Only if some record has a weight > 0, each priority group is reordered by process_weights(): repeatedly draw
 *   `r = 1 + floor(sum * random)` over the weights left in the group and take the first record whose OWN weight is
 *   >= r (not the running sum RFC 2782 asks for), drawing again when none is; when only weight-0 records are left
 *   they follow in answer order. A record of weight 0 is therefore never taken before a weighted one.
 * - A target of "." means "no such service here" and is dropped (parse_srv()).
 */

export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/** Asterisk's ast_random() / (RAND_MAX + 1.0): a number in [0, 1). */
export type Random = () => number;

/**
 * With weights like [1, 1] half of all draws reach no record and srv.c draws again; a real random source gets out
 * at once, a fixed test sequence might never: fail loudly instead of hanging.
 */
const MAX_DRAWS = 10_000;

export function orderSrv(records: readonly SrvRecord[], random: Random = Math.random): SrvRecord[] {
  const sorted: SrvRecord[] = [];
  for (const record of records) {
    if (record.name === '' || record.name === '.') continue;
    const at = sorted.findIndex((current) => current.priority > record.priority);
    if (at === -1) sorted.push(record);
    else sorted.splice(at, 0, record);
  }
  if (!sorted.some((r) => r.weight > 0)) return sorted;

  const ordered: SrvRecord[] = [];
  while (sorted.length > 0) {
    const priority = sorted[0]!.priority;
    let group = sorted.filter((r) => r.priority === priority);
    sorted.splice(0, group.length);
    let draws = 0;
    while (group.length > 0) {
      if (++draws > MAX_DRAWS)
        throw new Error(`orderSrv: ${MAX_DRAWS} draws reached no weight in ${JSON.stringify(group)}`);
      const sum = group.reduce((total, r) => total + r.weight, 0);
      if (sum === 0) {
        ordered.push(...group);
        break;
      }
      const drawn = 1 + Math.floor(sum * random());
      const pick = group.findIndex((r) => r.weight >= drawn);
      if (pick === -1) continue; // no single weight reaches the draw: srv.c simply draws again
      ordered.push(group[pick]!);
      group = group.filter((_, i) => i !== pick);
    }
  }
  return ordered;
}
