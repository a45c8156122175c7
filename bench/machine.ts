// The machine and software a run measured, for the report's header.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { PORTCULLIS_BIN } from '../test/e2e/lab.js';

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly ramGiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly portcullis: string;
  readonly knockd: string;
  /** fwknopd's version line and Debian package (the SPA section). */
  readonly fwknopd?: string;
  readonly hping3: string;
  readonly nft: string;
  /** 1-minute load average when the run started: other work on the machine skews results. */
  readonly loadAtStart: number;
}

export function describeMachine(): MachineInfo {
  return {
    cpu: cpuModel(),
    cores: cpus().length,
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    portcullis: firstLine([process.execPath, PORTCULLIS_BIN, '--version']),
    knockd: `${firstLine(['knockd', '-V'])} (Debian ${packageVersion('knockd')})`,
    fwknopd: `${firstLine(['fwknopd', '--version'])} (Debian ${packageVersion('fwknop-server')})`,
    hping3: packageVersion('hping3'),
    nft: firstLine(['nft', '--version']),
    loadAtStart: loadavg()[0] ?? NaN,
  };
}

/** "model name" from /proc/cpuinfo (x86), else "Model"/"Hardware" lines (ARM). */
export function parseCpuModel(cpuinfo: string): string | undefined {
  const m = /^(?:model name|Model|Hardware)\s*:\s*(.+)$/m.exec(cpuinfo);
  return m?.[1]?.trim();
}

/** The model, its clock and whether it is a virtual machine (the `hypervisor` CPU flag). */
export function describeCpu(cpuinfo: string): string | undefined {
  const model = parseCpuModel(cpuinfo);
  if (model === undefined) return undefined;
  const mhz = /^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo)?.[1];
  const virtual = /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo);
  return `${model}${mhz ? ` @ ${Math.round(Number(mhz))} MHz` : ''}${virtual ? ' (virtual machine)' : ''}`;
}

function cpuModel(): string {
  try {
    return describeCpu(readFileSync('/proc/cpuinfo', 'utf8')) ?? cpus()[0]?.model ?? 'unknown';
  } catch {
    return cpus()[0]?.model ?? 'unknown';
  }
}

function firstLine(argv: string[]): string {
  const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8', timeout: 10_000 });
  const text = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim();
  return text.split('\n')[0]?.trim() || 'unknown';
}

function packageVersion(pkg: string): string {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout ? r.stdout.trim() : 'unknown';
}
