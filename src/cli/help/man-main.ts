// node dist/src/cli/help/man-main.js DIR: writes DIR/portcullis.8 and
// DIR/portcullis.conf.5 (scripts/package.sh gzips them into the package).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configPage, programPage } from './render-man.js';

export function writeManPages(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const pages: Array<[string, string]> = [['portcullis.8', programPage()], ['portcullis.conf.5', configPage()]];
  return pages.map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}

const dir = process.argv[2];
if (import.meta.url === `file://${process.argv[1]}`) {
  if (dir === undefined) {
    console.error('usage: node dist/src/cli/help/man-main.js DIR');
    process.exitCode = 1;
  } else {
    for (const path of writeManPages(dir)) console.log(path);
  }
}
