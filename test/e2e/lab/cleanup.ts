// Labs still alive when the process ends, however it ends (normal exit, an
// uncaught error, Ctrl-C, the test runner's SIGTERM), are torn down here.
export interface Disposable {
  destroySync(): void;
}

const live = new Set<Disposable>();
let installed = false;

export function track(lab: Disposable): void {
  live.add(lab);
  if (!installed) install();
}

export function untrack(lab: Disposable): void {
  live.delete(lab);
}

function destroyAll(): void {
  for (const lab of [...live]) {
    try {
      lab.destroySync();
    } catch {
      // Keep going: the other labs must still be removed.
    }
  }
  live.clear();
}

function install(): void {
  installed = true;
  process.on('exit', destroyAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      destroyAll();
      // Die of the same signal, as if no handler had been installed.
      process.kill(process.pid, signal);
    });
  }
}
