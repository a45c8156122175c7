// `npm run package` (scripts/package.sh): the Debian package builds in well
// under a minute, installs with the real dpkg into a throw-away root
// (`dpkg --root`, the maintainer scripts honouring $DPKG_ROOT, so the host's
// users are untouched), and what it installs works: the installed program
// accepts the shipped default config (which has no active door), the man pages
// render, the unit verifies with systemd-analyze and keeps its hardening, and
// remove/purge leave the conffile/nothing behind. Needs root for dpkg --root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labSkipReason, REPO_ROOT } from './lab.js';

const skip = labSkipReason(['dpkg', 'dpkg-deb', 'systemd-analyze', 'man', 'groff', 'useradd', 'tar', 'gzip']);

function run(argv: readonly string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
}

function ok(argv: readonly string[], env: NodeJS.ProcessEnv = {}): string {
  const r = run(argv, env);
  assert.equal(r.status, 0, `${argv.join(' ')}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** An empty root dpkg can install into: its database and the account files useradd --prefix edits. */
function throwAwayRoot(dir: string): string {
  const root = join(dir, 'root');
  for (const d of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'var/lib/dpkg/triggers', 'etc']) mkdirSync(join(root, d), { recursive: true });
  for (const f of ['var/lib/dpkg/status', 'var/lib/dpkg/available']) writeFileSync(join(root, f), '');
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\n');
  writeFileSync(join(root, 'etc/shadow'), 'root:*:19000:0:99999:7:::\n', { mode: 0o640 });
  writeFileSync(join(root, 'etc/gshadow'), 'root:*::\n', { mode: 0o640 });
  return root;
}

/** `Key=value` lines of a unit, values of repeated keys joined by a space. */
function unitSettings(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (kv) m.set(kv[1]!, m.has(kv[1]!) ? `${m.get(kv[1]!)} ${kv[2]}` : kv[2]!);
  }
  return m;
}

test('npm run package builds a .deb that installs into a throw-away root and works there', { skip, timeout: 180_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sv-package-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const hostAccounts = readFileSync('/etc/passwd', 'utf8') + readFileSync('/etc/group', 'utf8');

  // The tests run from the dist/ they built; the script's own compile is the same tsc.
  const started = Date.now();
  const deb = ok([join(REPO_ROOT, 'scripts', 'package.sh')], { PORTCULLIS_SKIP_BUILD: '1', PORTCULLIS_PACKAGE_OUT: join(dir, 'out') }).trim().split('\n').at(-1)!;
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds < 60, `packaging took ${seconds} s`);
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  assert.match(deb, new RegExp(`portcullis_${version.replace(/\./g, '\\.')}_[a-z0-9]+\\.deb$`));

  const info = ok(['dpkg-deb', '--info', deb]);
  assert.match(info, /Package: portcullis/);
  assert.match(info, /Depends: nodejs \(>= 20\), nodejs \(<< 21\), libpcap0\.8/);
  assert.equal(ok(['dpkg-deb', '--field', deb, 'Version']).trim(), version);
  assert.equal(ok(['sh', '-c', 'dpkg-deb --ctrl-tarfile "$1" | tar -xOf - ./conffiles', 'sh', deb]).trim(), '/etc/portcullis/portcullis.conf');
  const files = ok(['dpkg-deb', '--contents', deb]);
  for (const f of ['./usr/bin/portcullis -> ../lib/portcullis/bin/portcullis', './lib/systemd/system/portcullis.service', './etc/portcullis/portcullis.conf',
    './usr/share/man/man8/portcullis.8.gz', './usr/share/man/man5/portcullis.conf.5.gz', './usr/share/doc/portcullis/copyright',
    './usr/lib/portcullis/node_modules/cap/build/Release/cap.node', './usr/lib/portcullis/dist/src/cli/main.js']) {
    assert.ok(files.includes(f), `the package has ${f}`);
  }
  assert.doesNotMatch(files, /\.test\.js|\.map\b|dist\/test\//, 'no tests or source maps');

  // Install with dpkg itself; the maintainer scripts work on $DPKG_ROOT.
  const root = throwAwayRoot(dir);
  ok(['dpkg', `--root=${root}`, '--force-depends', '--force-script-chrootless', '-i', deb]);
  assert.equal(readFileSync('/etc/passwd', 'utf8') + readFileSync('/etc/group', 'utf8'), hostAccounts, 'the host\'s accounts are untouched');
  const user = /^portcullis:x:(\d+):(\d+):[^:]*:\/var\/lib\/portcullis:\/usr\/sbin\/nologin$/m.exec(readFileSync(join(root, 'etc/passwd'), 'utf8'));
  assert.ok(user, 'postinst made the system user');
  const [uid, gid] = [Number(user[1]), Number(user[2])];
  assert.ok(uid < 1000, 'a system uid');
  const conf = statSync(join(root, 'etc/portcullis/portcullis.conf'));
  assert.deepEqual([conf.uid, conf.gid, conf.mode & 0o777], [0, gid, 0o640], 'the config: root writes, the daemon\'s group reads');
  const state = statSync(join(root, 'var/lib/portcullis'));
  assert.deepEqual([state.uid, state.gid, state.mode & 0o777], [uid, gid, 0o700], 'the state directory is the daemon\'s');

  // The installed program, its binding and the default config.
  const bin = join(root, 'usr/bin/portcullis');
  assert.equal(ok([process.execPath, bin, '--version']).trim(), `portcullis ${version}`);
  const checked = ok([process.execPath, bin, 'check', '-c', join(root, 'etc/portcullis/portcullis.conf')]);
  assert.match(checked, /valid, 0 door\(s\)/, 'the default config is valid and opens (and closes) nothing');
  ok([process.execPath, '-e', 'require(process.argv[1])', join(root, 'usr/lib/portcullis/node_modules/cap')]);

  // The man pages render without a warning.
  for (const [page, title] of [['man8/portcullis.8.gz', 'PORTCULLIS(8)'], ['man5/portcullis.conf.5.gz', 'PORTCULLIS.CONF(5)']]) {
    const r = run(['man', '--warnings', '-l', join(root, 'usr/share/man', page!)], { MANWIDTH: '80', MAN_KEEP_FORMATTING: '', PAGER: 'cat' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', `${page}: ${r.stderr}`);
    assert.ok(r.stdout.startsWith(title!), r.stdout.slice(0, 80));
  }

  // The installed unit: verified (its ExecStart pointed into the root, its
  // man: links found there) and still hardened as documented.
  const unitText = readFileSync(join(root, 'lib/systemd/system/portcullis.service'), 'utf8');
  const units = join(dir, 'units');
  mkdirSync(units);
  writeFileSync(join(units, 'portcullis.service'), unitText.replaceAll('/usr/bin/portcullis', bin));
  const verify = run(['systemd-analyze', 'verify', join(units, 'portcullis.service')], { MANPATH: join(root, 'usr/share/man') });
  assert.equal(verify.status, 0, verify.stderr);
  assert.equal(verify.stderr, '', verify.stderr);
  const s = unitSettings(unitText);
  assert.equal(s.get('User'), 'portcullis');
  assert.equal(s.get('AmbientCapabilities'), 'CAP_NET_RAW CAP_NET_ADMIN');
  assert.equal(s.get('CapabilityBoundingSet'), 'CAP_NET_RAW CAP_NET_ADMIN');
  assert.equal(s.get('NoNewPrivileges'), 'yes');
  assert.equal(s.get('ProtectSystem'), 'strict');
  assert.equal(s.get('StateDirectory'), 'portcullis');
  assert.equal(s.get('RuntimeDirectory'), 'portcullis');
  assert.equal(s.get('ExecReload'), '/bin/kill -HUP $MAINPID');
  assert.equal(s.get('Restart'), 'on-failure');
  assert.equal(s.get('ExecStart'), '/usr/bin/portcullis serve -c /etc/portcullis/portcullis.conf');
  const security = run(['systemd-analyze', 'security', '--offline=yes', join(units, 'portcullis.service')]);
  const exposure = /Overall exposure level for portcullis\.service: ([\d.]+)/.exec(security.stdout);
  if (exposure) assert.ok(Number(exposure[1]) <= 3, `systemd-analyze security: exposure ${exposure[1]} (OK is below 4; this unit scored 1.9)`);

  // Remove keeps the conffile, purge removes it and the state.
  ok(['dpkg', `--root=${root}`, '--force-depends', '--force-script-chrootless', '-r', 'portcullis']);
  assert.ok(!existsSync(bin) && existsSync(join(root, 'etc/portcullis/portcullis.conf')), 'remove: program gone, conffile kept');
  ok(['dpkg', `--root=${root}`, '--force-depends', '--force-script-chrootless', '--purge', 'portcullis']);
  assert.ok(!existsSync(join(root, 'etc/portcullis/portcullis.conf')) && !existsSync(join(root, 'var/lib/portcullis')), 'purge: conffile and state gone');
});
