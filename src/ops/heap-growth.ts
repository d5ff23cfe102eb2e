import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';

/**
 * How far V8 may let the heap grow past what a full collection leaves live, in percent, for a heap of `liveBytes`:
 * `percent` of it, but at least `floorBytes` (a small heap bounded to a few MB of growth is collected again and again:
 * under signed-in pages, 32 MB live, a fixed 50% made 22–69 full collections in 8 s against 7–9 with the floor), and
 * at most 300%.
 */
export function growthPercentFor(liveBytes: number, percent: number, floorBytes: number): number {
  const floor = Math.ceil((100 * floorBytes) / Math.max(liveBytes, 1) / 10) * 10;
  return Math.min(300, Math.max(percent, floor));
}

/**
 * Bounds the heap's growth (`--heap-growing-percent`, which V8 reads each time a full collection sets the next one's
 * threshold) and sets it again after every full collection for what it left live (`growthPercentFor`). Under a high
 * allocation rate V8 alone lets the heap grow to about four times what is live; most of the server's resident memory
 * under load was that room (docs/benchmarks-history.md, memory). For the standalone server only: a flag of the whole process.
 * Returns a function that stops adjusting.
 */
export function boundHeapGrowth(percent: number, floorBytes = 32 * 1024 * 1024): () => void {
  let current = -1;
  const apply = () => {
    const want = growthPercentFor(getHeapStatistics().used_heap_size, percent, floorBytes);
    if (want === current) return;
    setFlagsFromString(`--heap-growing-percent=${want}`);
    current = want;
  };
  apply();
  const observer = new PerformanceObserver((list) => {
    if (list.getEntries().some((e) => (e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)) apply();
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
