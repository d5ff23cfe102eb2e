/**
 * Preloaded into a benchmarked server (`node --import ./bench/profile-on-signal.mjs`, by BENCH_PROFILE=1): SIGUSR2
 * starts V8's CPU profiler, the next SIGUSR2 stops it and writes the profile to BENCH_PROFILE_DIR as
 * `<n>.cpuprofile` (n counts from 1), then `<n>.done`. So a profile covers one measured phase of a running server
 * — not its start, its warm-up or the pauses between rows, which a whole-run `--cpu-prof` mixes in.
 * Plain JavaScript: it runs before anything else is loaded.
 */
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';

const dir = process.env.BENCH_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  let running = false;
  let n = 0;
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  process.on('SIGUSR2', async () => {
    if (!running) {
      running = true;
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 200 });
      await post('Profiler.start');
      return;
    }
    running = false;
    const { profile } = await post('Profiler.stop');
    n += 1;
    fs.writeFileSync(path.join(dir, `${n}.cpuprofile`), JSON.stringify(profile));
    fs.writeFileSync(path.join(dir, `${n}.done`), '');
  });
}
