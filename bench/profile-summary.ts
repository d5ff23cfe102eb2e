import { readFileSync } from 'node:fs';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

/**
 * A V8 CPU profile as self time per function, in µs per request (`requests`: how many the profiled phase served),
 * largest first; idle time left out. Where one request's CPU goes, as a table's rows.
 */
export function selfTimePerRequest(file: string, requests: number, top = 15): Array<{ fn: string; us: number }> {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
  const byFn = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const f = frames.get(id)!;
    if (f.functionName === '(idle)') return;
    const where = f.url ? ` ${f.url.replace(/^.*node_modules\//, '').replace(/^.*\/\.run\/[0-9a-f]+\//, '').replace(/^file:\/\//, '')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'}${where}`;
    byFn.set(key, (byFn.get(key) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const total = [...byFn.values()].reduce((a, b) => a + b, 0);
  const rows = [...byFn].map(([fn, us]) => ({ fn, us: us / requests })).sort((a, b) => b.us - a.us);
  return [{ fn: '(all busy time)', us: total / requests }, ...rows.slice(0, top)];
}
