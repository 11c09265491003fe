/** Files shipped beside the code (schemas/, contracts/), found from the project root. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'schemas'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('project root (package.json + schemas/) not found');
    dir = parent;
  }
}

export const PROJECT_ROOT = findRoot();

export function projectPath(relative: string): string {
  return path.join(PROJECT_ROOT, relative);
}
