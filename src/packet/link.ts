// Link-layer framings the decoder understands, and how the `cap` binding names them.

/**
 * `ethernet` (also Linux `lo`), `sll`/`sll2` (Linux cooked capture, e.g. `-i any`),
 * `null`/`loop` (BSD and macOS loopback, utun), `raw` (bare IP, e.g. tun, WireGuard).
 */
export type LinkType = 'ethernet' | 'sll' | 'sll2' | 'null' | 'loop' | 'raw';

// DLT numbers `cap` does not name, from pcap/dlt.h.
const BY_DLT: Readonly<Record<number, LinkType>> = {
  0: 'null',
  1: 'ethernet',
  12: 'raw', // DLT_RAW on most systems
  14: 'raw', // DLT_RAW on OpenBSD
  101: 'raw', // LINKTYPE_RAW
  108: 'loop',
  113: 'sll',
  228: 'raw', // DLT_IPV4
  229: 'raw', // DLT_IPV6
  276: 'sll2',
};

/**
 * Maps the string `Cap#open` returns ('ETHERNET', 'LINKTYPE_LINUX_SLL', 'RAW',
 * 'NULL' or 'Unknown linktype N') to a LinkType; undefined if unsupported.
 */
export function linkTypeFromCap(name: string): LinkType | undefined {
  switch (name) {
    case 'ETHERNET': return 'ethernet';
    case 'LINKTYPE_LINUX_SLL': return 'sll';
    case 'RAW': return 'raw';
    case 'NULL': return 'null';
  }
  const m = /^Unknown linktype (\d+)$/.exec(name);
  return m ? BY_DLT[Number(m[1])] : undefined;
}
