import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryFileStore, NodeFileStore } from './atomic-file.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-state-'));
  try { fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('NodeFileStore writes, reads, replaces and removes, leaving no temporary files', () => {
  withDir((dir) => {
    const store = new NodeFileStore();
    const path = join(dir, 'grants.json');
    assert.equal(store.read(path), undefined);
    store.writeAtomic(path, 'one');
    assert.equal(store.read(path), 'one');
    store.writeAtomic(path, 'two ✓');
    assert.equal(store.read(path), 'two ✓');
    assert.deepEqual(readdirSync(dir), ['grants.json']);
    store.remove(path);
    store.remove(path);
    assert.equal(store.read(path), undefined);
    assert.deepEqual(readdirSync(dir), []);
  });
});

test('a new file is created 0600, or with the mode asked for', () => {
  withDir((dir) => {
    const store = new NodeFileStore();
    store.writeAtomic(join(dir, 'a'), 'x');
    assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o600);
    store.writeAtomic(join(dir, 'b'), 'x', { mode: 0o640 });
    assert.equal(statSync(join(dir, 'b')).mode & 0o777, 0o640);
  });
});

test('a replaced file keeps its mode', () => {
  withDir((dir) => {
    const path = join(dir, 'sequences');
    writeFileSync(path, 'old');
    chmodSync(path, 0o664);
    new NodeFileStore().writeAtomic(path, 'new');
    assert.equal(statSync(path).mode & 0o777, 0o664);
  });
});

test('a failed write throws and leaves no temporary file behind', () => {
  withDir((dir) => {
    const store = new NodeFileStore();
    assert.throws(() => store.writeAtomic(join(dir, 'missing-dir', 'f'), 'x'), { code: 'ENOENT' });
    // Renaming a file over a non-empty directory fails after the temporary file was written.
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    writeFileSync(join(sub, 'inner'), '');
    assert.throws(() => store.writeAtomic(sub, 'x'));
    assert.deepEqual(readdirSync(dir), ['sub']);
  });
});

test('read errors other than a missing file are thrown', () => {
  withDir((dir) => {
    assert.throws(() => new NodeFileStore().read(dir), { code: 'EISDIR' });
  });
});

test('MemoryFileStore behaves like a file store and can be made to fail', () => {
  const store = new MemoryFileStore();
  assert.equal(store.read('/x'), undefined);
  store.writeAtomic('/x', 'a');
  assert.equal(store.read('/x'), 'a');
  assert.equal(store.writes, 1);
  store.failWrites = true;
  assert.throws(() => store.writeAtomic('/x', 'b'), { code: 'ENOSPC' });
  assert.equal(store.read('/x'), 'a');
  store.remove('/x');
  assert.equal(store.read('/x'), undefined);
});

test('writeAtomicAsync: same results as the sync form (0600 new, mode kept on replace, no temporary files left)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-state-'));
  try {
    const store = new NodeFileStore();
    const path = join(dir, 'firewall-grants.json');
    await store.writeAtomicAsync(path, 'one');
    assert.equal(store.read(path), 'one');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    chmodSync(path, 0o640);
    await Promise.all([store.writeAtomicAsync(path, 'two'), store.writeAtomicAsync(path, 'three')]);
    assert.ok(['two', 'three'].includes(store.read(path)!));
    assert.equal(statSync(path).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(dir), ['firewall-grants.json']);
    await assert.rejects(store.writeAtomicAsync(join(dir, 'missing', 'x'), 'y'), /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
