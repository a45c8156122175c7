// One run of `portcullis spa`: resolve what needs resolving, build the packet
// with the codec, check it by decoding it again (as `fwknop -T` does), show
// it with -v / --test in fwknop's words, and send it. Effects are the
// transport and the injected clock, random value and salt.
import { decodeSpa, describeSpa, encodeSpa, FKO_PROTOCOL_VERSION } from '../spa/codec.js';
import { SpaError, type SpaMessage } from '../spa/types.js';
import { SpaClientError } from './errors.js';
import type { SpaPlan } from './plan.js';
import { isIpv4 } from './settings.js';
import { describeTransmit, httpRequest, sendPacket, type Resolved, type SpaTransport } from './transport.js';

export interface SpaRunDeps {
  readonly transport: SpaTransport;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** 16 digits (the codec's randomValue()). */
  readonly random: () => string;
  /** 8 bytes; random when absent (tests fix it). */
  readonly salt?: () => Uint8Array;
  readonly out: (line: string) => void;
}

export interface SpaResult {
  readonly packet: string;
  /** Bytes on the wire; 0 in --test mode. */
  readonly sent: number;
  readonly to?: Resolved;
}

export async function runSpa(plan: SpaPlan, test: boolean, deps: SpaRunDeps): Promise<SpaResult> {
  const nat = plan.nat ? { host: await natAddress(plan.nat.host, deps.transport), port: plan.nat.port } : undefined;
  const message: SpaMessage = {
    random: deps.random(),
    username: plan.username,
    timestamp: Math.floor(deps.now() / 1000),
    version: FKO_PROTOCOL_VERSION,
    type: plan.type,
    allowIp: plan.allowIp,
    access: plan.access,
    ...(nat ? { nat } : {}),
    ...(plan.clientTimeout !== undefined ? { clientTimeout: plan.clientTimeout } : {}),
    ...(plan.command !== undefined ? { command: plan.command } : {}),
  };
  let packet: string;
  try {
    // -C: for fwknopd's ENABLE_CMD_EXEC stanzas (or enable_cmd_exec doors), which take longer packets.
    packet = encodeSpa(message, plan.keys, { digest: plan.digest, ...(deps.salt ? { salt: deps.salt() } : {}), ...(plan.command !== undefined && { commands: true }) });
  } catch (e) {
    if (e instanceof SpaError) throw new SpaClientError('SPA_CLIENT_BUILD', `cannot build the SPA packet: ${e.message}`, { cause: e });
    throw e;
  }
  const check = decodeSpa(packet, { ...plan.keys, ...(plan.command !== undefined && { commands: true }) });
  if (!check.ok) throw new SpaClientError('SPA_CLIENT_BUILD', `the packet does not decode again (${check.error.code}: ${check.error.message})`, { cause: check.error });
  const show = plan.verbose || test;
  if (show) for (const line of describeSpa(check.value)) deps.out(line);

  const dest = plan.destination;
  if (test) {
    if (show && dest) {
      deps.out('');
      for (const line of describeTransmit(dest)) deps.out(line);
      if (dest.proto === 'http') for (const line of httpRequest(packet, dest.host).split('\r\n').slice(0, -2)) deps.out(line);
    }
    deps.out('');
    deps.out('test mode enabled, SPA packet not actually sent.');
    return { packet, sent: 0 };
  }
  if (!dest) throw new SpaClientError('SPA_CLIENT_USAGE', 'no SPA server: give -D HOST');
  const to = await resolveServer(dest.host, dest.family, deps.transport);
  if (plan.verbose) {
    deps.out('');
    for (const line of describeTransmit(dest, to)) deps.out(line);
  }
  let sent: number;
  try {
    sent = await sendPacket(packet, dest, to, deps.transport);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new SpaClientError('SPA_CLIENT_SEND', `sending over ${dest.proto} to ${to.address} port ${dest.port} failed: ${why}`, { cause: e });
  }
  if (plan.verbose) deps.out(`send_spa_packet: bytes sent: ${sent}`);
  return { packet, sent, to };
}

async function resolveServer(host: string, family: 0 | 4, t: SpaTransport): Promise<Resolved> {
  try {
    return await t.resolve(host, family);
  } catch (e) {
    const why = e instanceof Error ? ((e as NodeJS.ErrnoException).code ?? e.message) : String(e);
    throw new SpaClientError('SPA_CLIENT_RESOLVE', `cannot resolve the SPA server "${host}"${family === 4 ? ' to IPv4' : ''}: ${why}`, { cause: e });
  }
}

/** fwknop resolves a NAT host name on the client, IPv4 only (set_nat_access(): AF_INET). */
async function natAddress(host: string, t: SpaTransport): Promise<string> {
  if (isIpv4(host)) return host;
  try {
    return (await t.resolve(host, 4)).address;
  } catch (e) {
    const why = e instanceof Error ? ((e as NodeJS.ErrnoException).code ?? e.message) : String(e);
    throw new SpaClientError('SPA_CLIENT_RESOLVE', `cannot resolve the NAT target "${host}" to an IPv4 address: ${why}`, { cause: e });
  }
}
