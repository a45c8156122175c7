// portcullis: one program, one subcommand per file in this folder. Each
// subcommand module is loaded only when used, so `portcullis knock` never
// touches the libpcap binding that `serve` needs.

type Subcommand = (argv: string[]) => Promise<number>;

const SUBCOMMANDS: Record<string, { summary: string; load: () => Promise<Subcommand> }> = {
  serve: { summary: 'run the knock daemon (knockd-compatible)', load: async () => (await import('./serve.js')).run },
  knock: { summary: 'send a knock sequence (knock-compatible)', load: async () => (await import('./knock.js')).run },
  check: { summary: 'validate a config and show its doors and capture filter', load: async () => (await import('./check.js')).run },
  rules: { summary: 'print the doors as kernel rules (iptables recent, nftables sets): no daemon', load: async () => (await import('./rules.js')).run },
  status: { summary: "show the running daemon's doors, open grants and counters", load: async () => (await import('./status.js')).run },
  revoke: { summary: 'close the grants of an address (or --all) now', load: async () => (await import('./revoke.js')).run },
  reload: { summary: 'make the running daemon re-read its config (as SIGHUP)', load: async () => (await import('./reload.js')).run },
  doctor: { summary: 'check this host for what stops knocks from working, with fixes', load: async () => (await import('./doctor.js')).run },
  spa: { summary: 'send an fwknop SPA packet (fwknop-compatible); spa decode shows one', load: async () => (await import('./spa.js')).run },
  keygen: { summary: 'make SPA keys as fwknop --key-gen does (--qr for Fwknop2)', load: async () => (await import('./keygen.js')).run },
};

export const VERSION = '0.1.0';

function usage(): string {
  const lines = ['usage: portcullis <command> [options]', '', 'commands:'];
  for (const [name, { summary }] of Object.entries(SUBCOMMANDS)) lines.push(`  ${name.padEnd(8)} ${summary}`);
  lines.push('', 'Run `portcullis <command> --help` for the options of a command.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    console.log(usage());
    return name === undefined ? 1 : 0;
  }
  if (name === '-V' || name === '--version' || name === 'version') {
    console.log(`portcullis ${VERSION}`);
    return 0;
  }
  const sub = SUBCOMMANDS[name];
  if (!sub) {
    console.error(`portcullis: unknown command '${name}'\n\n${usage()}`);
    return 1;
  }
  return (await sub.load())(rest);
}
