/**
 * `npm start`: the server, from JavaScript that esbuild makes of the sources — every .ts file of src/, migrations/ and
 * seeds/ to one .js file, as tsx would transpile each on the fly (the same esbuild, the same tsconfig.json) — run in
 * this process. Running plain JavaScript instead of through tsx's loader keeps some 45 MB less resident in the server
 * (and in the demo loader's worker thread), and starts it sooner; the build takes about half a second.
 *
 * The build goes to .run/<hash of the sources and esbuild's version>/ and is reused while the sources do not change.
 * Two starts at once build side by side into their own directories and the first to finish is kept (a rename), so a
 * server never loads a half-written build. Older builds beyond the last three are removed.
 *
 * Plain JavaScript (not TypeScript) so that it runs before anything is compiled. `npm run build` (tsc) type-checks and
 * compiles to dist/; tests and the other scripts run the sources through tsx.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILDS = path.join(ROOT, '.run');
const KEEP = 3;

/** Every TypeScript source the server may load, sorted (declaration files aside). */
function sources() {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(p);
    }
  };
  for (const dir of ['src', 'migrations', 'seeds']) walk(path.join(ROOT, dir));
  return out.sort();
}

const require = createRequire(import.meta.url);
const esbuildVersion = require('esbuild/package.json').version;
const files = sources();
const hash = createHash('sha256').update(`esbuild ${esbuildVersion}\n`).update(readFileSync(path.join(ROOT, 'tsconfig.json')));
for (const f of files) hash.update(`\n${path.relative(ROOT, f)}\n`).update(readFileSync(f));
const key = hash.digest('hex').slice(0, 16);
const out = path.join(BUILDS, key);

if (!existsSync(path.join(out, '.complete'))) {
  mkdirSync(BUILDS, { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  const { build } = await import('esbuild');
  // `import()` becomes require() (as tsc's CommonJS output has it): the sources import directories (`./db`) lazily.
  await build({ entryPoints: files, outdir: tmp, outbase: ROOT, format: 'cjs', platform: 'node', target: 'node20', supported: { 'dynamic-import': false }, logLevel: 'warning' });
  writeFileSync(path.join(tmp, '.complete'), `${new Date().toISOString()}\n`);
  try {
    renameSync(tmp, out);
  } catch {
    // Another start finished the same build first: use that one.
    rmSync(tmp, { recursive: true, force: true });
  }
  const done = readdirSync(BUILDS)
    .filter((d) => /^[0-9a-f]{16}$/.test(d) && d !== key)
    .map((d) => ({ d, at: statSync(path.join(BUILDS, d)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const { d } of done.slice(KEEP - 1)) rmSync(path.join(BUILDS, d), { recursive: true, force: true });
}

require(path.join(out, 'src', 'server.js'));
