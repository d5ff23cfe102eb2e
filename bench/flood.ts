/**
 * `npm run bench:flood`: the anonymous floods of issue 12 against the real server (`npm start`'s entry, demo data, a
 * fresh SQLite file, or PostgreSQL with BENCH_DB=postgres): 300 objections to one case in its notice period, 50 at a
 * time, then 500 vendor registrations all at once. Prints the answers by status, how long a health probe took while
 * each flood ran (worst and median), and the server's peak resident memory (VmRSS, sampled every 50 ms). A
 * benchmark, not a test: nothing here fails on a slow machine; docs/reliability.md keeps the figures.
 */
import { readFileSync } from 'node:fs';
import { creditCode } from '../test/helpers/factories';
import { startServer, type RunningServer } from '../test/helpers/server';

const OBJECTIONS = Number(process.env.BENCH_OBJECTIONS ?? 300);
const REGISTRATIONS = Number(process.env.BENCH_REGISTRATIONS ?? 500);

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** Samples the server's memory and health-probe latency while `work` runs. */
async function during<T>(server: RunningServer, work: () => Promise<T>): Promise<{ result: T; peakRss: number; probes: number[] }> {
  const pid = server.child.pid as number;
  let peakRss = rssMb(pid);
  const probes: number[] = [];
  let running = true;
  const sampler = (async () => {
    while (running) {
      peakRss = Math.max(peakRss, rssMb(pid));
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const prober = (async () => {
    while (running) {
      const t0 = performance.now();
      await fetch(`${server.url}/healthz`).then((r) => r.arrayBuffer());
      probes.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const result = await work();
  running = false;
  await Promise.all([sampler, prober]);
  return { result, peakRss, probes };
}

const tally = (statuses: number[]) =>
  Object.entries(statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {}))
    .map(([s, n]) => `${n} × ${s}`)
    .join(', ');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main(): Promise<void> {
  const server = await startServer({ demoData: true, env: { LOG_LEVEL: 'error' }, startTimeoutMs: 600_000 });
  try {
    const db = server.db;
    if (!db) throw new Error('no database handle');
    const open = await db('fp_cases').where({ status: 'notice' }).orderBy('id').first('id');
    if (!open) throw new Error('the demo data has no case in its notice period');
    const baseRss = rssMb(server.child.pid as number);
    console.log(`server up: RSS ${baseRss.toFixed(0)} MB; case ${open.id} in its notice period`);

    const objections = await during(server, async () => {
      const statuses: number[] = [];
      for (let i = 0; i < OBJECTIONS; i += 50) {
        const batch = Array.from({ length: Math.min(50, OBJECTIONS - i) }, (_, k) =>
          fetch(`${server.url}/api/v1/first-purchases/${open.id}/objections`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: `质疑人${i + k}`, organization: '某公司', contact: '13800000000', content: '对单一来源采购理由有异议。' }),
          }).then((r) => r.status),
        );
        statuses.push(...(await Promise.all(batch)));
      }
      return statuses;
    });
    const accepted = Number((await db('objections').where({ case_id: open.id }).count({ n: '*' }).first())?.n);
    console.log(`objections: ${OBJECTIONS} sent → ${tally(objections.result)}; on record for the case: ${accepted}`);
    console.log(`  health probe during: median ${median(objections.probes).toFixed(0)} ms, worst ${Math.max(...objections.probes).toFixed(0)} ms; peak RSS ${objections.peakRss.toFixed(0)} MB`);

    const registrations = await during(server, async () =>
      Promise.all(
        Array.from({ length: REGISTRATIONS }, (_, i) =>
          fetch(`${server.url}/api/v1/vendors`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ enterpriseName: `洪水测试企业${i}有限公司`, creditCode: creditCode(900_000 + i), city: '杭州', contact: '张三', username: `flood${i}`, password: `Flood-pass-${i}-x9` }),
          }).then((r) => r.status),
        ),
      ),
    );
    console.log(`registrations: ${REGISTRATIONS} at once → ${tally(registrations.result)}`);
    console.log(`  health probe during: median ${median(registrations.probes).toFixed(0)} ms, worst ${Math.max(...registrations.probes).toFixed(0)} ms; peak RSS ${registrations.peakRss.toFixed(0)} MB`);
  } finally {
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
