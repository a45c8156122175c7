// What kernel rules cannot do for a door, each said with the reason and what
// would work instead. A door with any of these is refused as a whole: a door
// must mean the same with or without the daemon.
import type { Door } from '../config/model.js';
import { parseAddress } from '../config/address.js';
import { formatStep } from '../config/sequence.js';

/** Reasons `door` cannot be kernel rules; `chosen` are the doors being generated (what `revokes` may name). */
export function refusals(door: Door, chosen: ReadonlySet<string>): string[] {
  // SPA doors (src/spa-server/): decrypting and authenticating a packet is beyond kernel rules.
  if (door.spa) return ['is an SPA door: its packets must be decrypted and authenticated, which kernel rules cannot do; expected the daemon (portcullis serve) for this door'];
  // sequence_secret doors (src/door/secret-sequence.ts): the ports change every window and each sequence is good once.
  if (door.sequenceSecret) return ['has Sequence_Secret: its ports are an HMAC of the secret and the time, new every window and each good for one knock, which fixed kernel rules cannot compute or remember; expected a Sequence (or the daemon, portcullis serve, for this door)'];
  const out: string[] = [];
  if (door.oneTimeSequences !== undefined) {
    out.push('uses One_Time_Sequences: each sequence is good for one knock and the file is rewritten, which fixed rules cannot do; expected a Sequence (or the daemon for this door)');
  }
  if (door.open.length === 0) {
    out.push('has no open ports: kernel rules open ports for the knocker, they cannot run Start_Command; expected open = PROTO/PORT, e.g. open = tcp/22');
  }
  door.sequence.forEach((step, i) => {
    if (step.proto === 'icmp') {
      out.push(`step ${i + 1} is an ICMP echo: the rules match TCP and UDP ports only; expected PORT or PORT:udp steps`);
    } else if (step.payload !== undefined) {
      out.push(`step ${i + 1} (${formatStep(step)}) has a payload, which the rules cannot match; expected steps without payload=`);
    }
  });
  if (door.forwards.length > 0) {
    out.push('has forward: address translation to inside hosts is not part of these rules; expected open only (or the daemon\'s firewall backend for forward)');
  }
  for (const name of door.revokes) {
    if (!chosen.has(name)) out.push(`revokes ${name}, which is not among the doors generated; expected ${name} to be generated too (--door ${name})`);
  }
  const target = door.target !== undefined ? parseAddress(door.target) : undefined;
  if (target && door.allow.length > 0 && !door.allow.some((c) => c.family === target.family)) {
    out.push(`Target is an IPv${target.family} address but Allow lists only IPv${target.family === 4 ? 6 : 4} networks, so no source could knock; expected an Allow network of the Target's family`);
  }
  return out;
}
