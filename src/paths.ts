import { existsSync } from 'node:fs';
import path from 'node:path';

/** The project root (where package.json is), whether running from src/ via tsx or from dist/src/ compiled. */
function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'views'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('project root not found');
    dir = up;
  }
}

export const ROOT = findRoot(__dirname);
/** Where compiled-or-source siblings of src/ live (migrations/, seeds/): beside this file's parent. */
export const CODE_ROOT = path.resolve(__dirname, '..');
export const CODE_EXT = path.extname(__filename); // '.ts' under tsx, '.js' compiled
