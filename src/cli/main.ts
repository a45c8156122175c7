// portcullis: one program, one subcommand per file in this folder. Each
// subcommand module is loaded only when used, so `portcullis knock` never
// touches the libpcap binding that `serve` needs.
import { VERSION } from './help/reference.js';
import { mainUsage } from './help/render-text.js';

export { VERSION };

type Subcommand = (argv: string[]) => Promise<number>;

/** The loaders; each command's summary, options and help are in src/cli/help/ (reference.test.ts checks both agree). */
export const SUBCOMMANDS: Record<string, () => Promise<Subcommand>> = {
  serve: async () => (await import('./serve.js')).run,
  knock: async () => (await import('./knock.js')).run,
  check: async () => (await import('./check.js')).run,
  rules: async () => (await import('./rules.js')).run,
  status: async () => (await import('./status.js')).run,
  revoke: async () => (await import('./revoke.js')).run,
  unban: async () => (await import('./unban.js')).run,
  reload: async () => (await import('./reload.js')).run,
  doctor: async () => (await import('./doctor.js')).run,
  spa: async () => (await import('./spa.js')).run,
  keygen: async () => (await import('./keygen.js')).run,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' && rest.length > 0) return main([...rest, '--help']); // `portcullis help serve`
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    console.log(mainUsage());
    return name === undefined ? 1 : 0;
  }
  if (name === '-V' || name === '--version' || name === 'version') {
    console.log(`portcullis ${VERSION}`);
    return 0;
  }
  const sub = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (!sub) {
    console.error(`portcullis: unknown command '${name}'\n\n${mainUsage()}`);
    return 1;
  }
  return (await sub())(rest);
}
