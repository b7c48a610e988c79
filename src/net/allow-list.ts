import { BlockList, isIP } from 'node:net';
import { ConfigError } from '../config/env.js';
import { boundedMemo } from '../memo.js';

/**
 * The FastAGI client allow-list (CALLFILTER_AGI_ALLOW): addresses and CIDR ranges, IPv4 and IPv6. Anyone who can
 * reach the AGI port can screen numbers and fill the call log, so by default only loopback may connect.
 */
export function createAllowList(entries: string[], key = 'CALLFILTER_AGI_ALLOW'): (address: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [addr = '', bits, ...rest] = entry.split('/');
    const family = isIP(addr);
    if (family === 0 || rest.length > 0)
      throw new ConfigError(key, `${JSON.stringify(entry)} is not an address or CIDR range`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) {
      list.addAddress(addr, type);
      continue;
    }
    const prefix = Number(bits);
    if (!/^\d+$/.test(bits) || prefix > (family === 4 ? 32 : 128))
      throw new ConfigError(key, `${JSON.stringify(entry)} has a bad prefix length`);
    list.addSubnet(addr, prefix, type);
  }
  const check = (address: string): boolean => {
    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
    const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const addr = v4 ?? address;
    const family = isIP(addr);
    if (family === 0) return false;
    return list.check(addr, family === 4 ? 'ipv4' : 'ipv6');
  };
  // Every call is a connection, and they come from one or two Asterisk hosts: remember the answers (BlockList.check
  // parses the address into a SocketAddress each time). The cap keeps a scan from many addresses from growing it.
  return boundedMemo(MAX_REMEMBERED_ADDRESSES, check);
}

const MAX_REMEMBERED_ADDRESSES = 256;
