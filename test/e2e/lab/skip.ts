// Whether this machine can run lab tests. In CI they must run, so there is
// never a reason to skip there: a missing tool is a failure, not a skip.
import { spawnSync } from 'node:child_process';

export function labSkipReason(programs: readonly string[] = []): string | false {
  if (process.env.CI === 'true') return false;
  if (process.platform !== 'linux') return 'network namespace tests need Linux';
  if (process.getuid?.() !== 0) return 'network namespace tests need root (run: sudo ./scripts/test.sh)';
  if (spawnSync('ip', ['netns', 'list']).status !== 0) return '`ip netns` is unavailable (install iproute2)';
  for (const p of programs) {
    if (spawnSync('sh', ['-c', 'command -v "$1"', 'sh', p]).status !== 0) return `${p} is not installed (run: ./scripts/setup.sh)`;
  }
  return false;
}
