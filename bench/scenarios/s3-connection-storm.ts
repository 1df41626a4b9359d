import type { ClientKind, ClientSpec } from '../load/messages.js';
import type { RunningServer } from '../lib/servers.js';
import type { BenchContext, Metrics } from './context.js';

/** S3, first half: every client connects (and logs in or joins) at once, a bounded number in flight per load process. */
export async function connectionStorm(
  ctx: BenchContext,
  server: RunningServer,
  kind: ClientKind,
  byWorker: ClientSpec[][],
  concurrency: number,
): Promise<{ opened: number; metrics: Metrics; errors: string[] }> {
  const cpu0 = server.cpuMicros();
  const open = await ctx.pool.open(kind, server.urls, byWorker, concurrency);
  const cpu = server.cpuMicros() - cpu0;
  if (open.failed > 0) ctx.log(`  ${open.failed} connects failed: ${open.errors.join('; ')}`);
  return {
    opened: open.opened,
    errors: open.failed > 0 ? [`connect failures: ${open.errors.join('; ')}`] : [],
    metrics: {
      connections: open.opened,
      connectFailed: open.failed,
      connectSeconds: open.elapsedMs / 1000,
      connectsPerSec: open.opened / (open.elapsedMs / 1000),
      connectP50Ms: open.p50Ms,
      connectP99Ms: open.p99Ms,
      serverCpuUsPerConnect: cpu / Math.max(1, open.opened),
    },
  };
}

/** S3, second half: every client was dropped; all reconnect at once and (Parley) fetch what they missed. */
export async function reconnectStorm(
  ctx: BenchContext,
  server: RunningServer,
  concurrency: number,
): Promise<Metrics> {
  const cpu0 = server.cpuMicros();
  const again = await ctx.pool.reconnect(concurrency);
  const cpu = server.cpuMicros() - cpu0;
  if (again.failed > 0) ctx.log(`  ${again.failed} reconnects failed: ${again.errors.join('; ')}`);
  return {
    reconnected: again.reconnected,
    reconnectFailed: again.failed,
    reconnectSeconds: again.elapsedMs / 1000,
    reconnectsPerSec: again.reconnected / (again.elapsedMs / 1000),
    reconnectP50Ms: again.p50Ms,
    reconnectP99Ms: again.p99Ms,
    caughtUp: again.caughtUp,
    serverCpuUsPerReconnect: cpu / Math.max(1, again.reconnected),
  };
}
