// ShellRunner.exec(): an argv without a shell, as another user, in a fixed
// environment (SPA command messages). Real processes; the uid/gid part needs root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ShellRunner, type ExecSpec } from './runner.js';
import { readableCopy } from '../util/readable-copy.js';

const ENV = { PATH: '/usr/bin:/bin' };
const spec = (argv: string[], o: Partial<ExecSpec> = {}): ExecSpec => ({
  argv, uid: process.getuid!(), gid: process.getgid!(), env: ENV, cwd: '/', timeoutMs: 5000, ...o,
});

test('exec runs the argv as is: shell syntax in an argument is just text; the environment is exactly env; cwd', async () => {
  const r = new ShellRunner();
  const echo = await r.exec(spec(['printf', '%s|', 'a b', '$(id)', ';', '*']));
  assert.equal(echo.exitCode, 0, echo.error);
  assert.equal(echo.output, 'a b|$(id)|;|*|', 'a name is found in env.PATH; nothing is expanded');
  const env = await r.exec(spec(['/usr/bin/env']));
  assert.equal(env.output, 'PATH=/usr/bin:/bin\n', 'nothing of the daemon\'s environment');
  const pwd = await r.exec(spec(['/bin/pwd'], { cwd: '/' }));
  assert.equal(pwd.output, '/\n');
  const missing = await r.exec(spec(['no-such-program-cx']));
  assert.equal(missing.exitCode, null);
  assert.match(missing.error ?? '', /cannot run command: spawn no-such-program-cx ENOENT/);
  const empty = await r.exec(spec([]));
  assert.match(empty.error ?? '', /empty argv/);
});

test('exec kills a command that outlives its time limit', async () => {
  const started = Date.now();
  const out = await new ShellRunner({ killGraceMs: 200 }).exec(spec(['/bin/sleep', '30'], { timeoutMs: 200 }));
  assert.equal(out.timedOut, true);
  assert.equal(out.signal, 'SIGTERM');
  assert.ok(Date.now() - started < 5000);
});

test('exec sets uid and gid and drops supplementary groups', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, async () => {
  const nobody = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' });
  if (nobody.status !== 0) return;
  const uid = Number(nobody.stdout.trim());
  const out = await new ShellRunner().exec(spec(['/usr/bin/id'], { uid, gid: 12345 }));
  assert.equal(out.exitCode, 0, out.error);
  assert.match(out.output, new RegExp(`^uid=${uid}\\(nobody\\) gid=12345 groups=12345\\n$`));
});

test('a daemon that is not root runs commands as itself without setuid, and cannot run them as anyone else', { skip: process.getuid?.() !== 0 ? 'needs root (to start the daemon stand-in as nobody)' : false }, (t) => {
  const nobody = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' });
  if (nobody.status !== 0) return;
  const uid = Number(nobody.stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).stdout.trim());
  const copy = readableCopy(); // nobody may not reach the checkout
  t.after(() => copy.remove());
  const runner = pathToFileURL(join(copy.root, 'dist/src/actions/runner.js')).href;
  const script = `import(${JSON.stringify(runner)}).then(async (m) => {
    const r = new m.ShellRunner();
    const spec = (uid, gid) => ({ argv: ['/usr/bin/id', '-u'], uid, gid, env: { PATH: '/usr/bin:/bin' }, cwd: '/', timeoutMs: 3000 });
    const own = await r.exec(spec(process.getuid(), process.getgid()));
    const root = await r.exec(spec(0, 0));
    console.log(JSON.stringify([own.output, own.error ?? null, root.error ?? null]));
  });`;
  const child = spawnSync(process.execPath, ['-e', script], { uid, gid, encoding: 'utf8', cwd: '/', timeout: 10_000 });
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout), [`${uid}\n`, null, 'cannot run command: spawn EPERM']);
});

test('exec: an aborted signal kills the running command, and a queued one never starts', async () => {
  const r = new ShellRunner({ maxConcurrent: 1, killGraceMs: 200 });
  const stop = new AbortController();
  const started = Date.now();
  const running = r.exec(spec(['/bin/sleep', '30'], { signal: stop.signal, timeoutMs: 60_000 }));
  const queued = r.exec(spec(['/bin/echo', 'never'], { signal: stop.signal }));
  await new Promise((resolve) => setTimeout(resolve, 100));
  stop.abort();
  const [a, b] = await Promise.all([running, queued]);
  assert.equal(a.signal, 'SIGTERM');
  assert.equal(a.timedOut, false);
  assert.ok(Date.now() - started < 5000);
  assert.equal(b.output, '');
  assert.equal(b.error, 'stopped before it could run');
});
