import type { MemoryProbe, RunningServer } from '../lib/servers.js';
import type { Metrics } from './context.js';

/** S4: the server's memory per 1,000 idle connections, after a full GC, over its own idle footprint. */
export async function idleMemory(
  server: RunningServer,
  before: MemoryProbe,
  connections: number,
): Promise<Metrics> {
  const after = await server.probe();
  const per1k = (bytes: number) => ((bytes / Math.max(1, connections)) * 1000) / 1e6;
  return {
    connections,
    rssBaseMB: before.rss / 1e6,
    rssMB: after.rss / 1e6,
    rssPer1kMB: per1k(after.rss - before.rss),
    heapPer1kMB: per1k(after.heapUsed - before.heapUsed),
    externalPer1kMB: per1k(after.external - before.external),
  };
}
