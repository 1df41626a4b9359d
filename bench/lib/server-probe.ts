import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/**
 * Preloaded (`--import`) into every server the bench starts, baselines and Parley alike, run with
 * `--expose-gc`. On SIGUSR2 it does what `<BENCH_PROBE_FILE>.cmd` says and writes the answer to
 * BENCH_PROBE_FILE: `memory` (the default) collects garbage first, so idle memory is compared after a full
 * GC; `profile-start` / `profile-stop` take a CPU profile of just the window between them.
 */
const file = process.env.BENCH_PROBE_FILE;
const gc = (globalThis as { gc?: () => void }).gc;
let session: Session | undefined;

function memory(): void {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  const out = {
    at: Date.now(),
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
  };
  writeFileSync(file ?? '', JSON.stringify(out));
}

function profileStart(): void {
  session = new Session();
  session.connect();
  session.post('Profiler.enable', () =>
    session?.post('Profiler.start', () =>
      writeFileSync(file ?? '', JSON.stringify({ at: Date.now(), started: true })),
    ),
  );
}

function profileStop(): void {
  session?.post('Profiler.stop', (err, result) => {
    writeFileSync(file ?? '', JSON.stringify({ at: Date.now(), profile: err ? null : result.profile }));
    session?.disconnect();
    session = undefined;
  });
}

if (file) {
  process.on('SIGUSR2', () => {
    const cmd = existsSync(`${file}.cmd`) ? readFileSync(`${file}.cmd`, 'utf8').trim() : 'memory';
    if (cmd === 'profile-start') profileStart();
    else if (cmd === 'profile-stop') profileStop();
    else memory();
  });
}
