import type { ScenarioId } from '../scenarios/context.js';
import type { SummaryRow, Target } from './report.js';
import { PEERS, isPeer } from './servers.js';

const find = (rows: SummaryRow[], scenario: ScenarioId, system: string) =>
  rows.find((r) => r.scenario === scenario && r.system === system);

/** The issue's targets, judged on the medians of this run. A target whose inputs were not measured is `null`. */
export function evaluateTargets(rows: SummaryRow[]): Target[] {
  const targets: Target[] = [];
  const versus = (
    id: string,
    description: string,
    scenario: ScenarioId,
    system: string,
    baseline: string,
    metric: string,
    limit: number,
  ) => {
    const a = find(rows, scenario, system)?.metrics[metric];
    const b = find(rows, scenario, baseline)?.metrics[metric];
    const measured = a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b) && b > 0;
    const value = measured ? a / b : Number.NaN;
    targets.push({
      id,
      description,
      scenario,
      value,
      limit,
      comparison: '<=',
      unit: '×',
      pass: measured ? value <= limit : null,
      detail: measured
        ? `${system} ${a.toFixed(3)} vs ${baseline} ${b.toFixed(3)} (${metric})`
        : 'not measured',
    });
  };
  for (const s of ['S1', 'S2'] as const) {
    versus(
      `${s}-cpu-ws`,
      `${s} native CPU per delivered message vs B-ws`,
      s,
      'P-native',
      'B-ws',
      'serverCpuUsPerMsg',
      1.1,
    );
    versus(
      `${s}-cpu-sio`,
      `${s} native CPU per delivered message vs B-sio`,
      s,
      'P-native',
      'B-sio',
      'serverCpuUsPerMsg',
      0.5,
    );
    versus(
      `${s}-p99-ws`,
      `${s} native p99 latency vs B-ws (equal offered load)`,
      s,
      'P-native',
      'B-ws',
      'p99Ms',
      1.25,
    );
    versus(
      `${s}-rtc-cpu`,
      `${s} /rtc CPU per delivered message vs B-sio`,
      s,
      'P-rtc',
      'B-sio',
      'serverCpuUsPerMsg',
      1.1,
    );
  }
  // Against the better of ejabberd and Prosody (whichever ran), on Parley's native transport.
  const versusBestPeer = (
    id: string,
    description: string,
    scenario: ScenarioId,
    metric: string,
    limit: number,
    comparison: '<=' | '>=',
  ) => {
    const a = find(rows, scenario, 'P-native')?.metrics[metric];
    const peers = PEERS.map((p) => ({ p, v: find(rows, scenario, p)?.metrics[metric] })).filter(
      (x): x is { p: (typeof PEERS)[number]; v: number } =>
        x.v !== undefined && Number.isFinite(x.v) && x.v > 0,
    );
    const best = peers.sort((x, y) => (comparison === '<=' ? x.v - y.v : y.v - x.v))[0];
    const measured = a !== undefined && Number.isFinite(a) && best !== undefined;
    const value = measured ? a / best.v : Number.NaN;
    targets.push({
      id,
      description,
      scenario,
      value,
      limit,
      comparison,
      unit: '×',
      pass: measured ? (comparison === '<=' ? value <= limit : value >= limit) : null,
      detail: measured
        ? `P-native ${a.toFixed(3)} vs ${best.p} ${best.v.toFixed(3)} (${metric}; ${peers.map((x) => `${x.p} ${x.v.toFixed(3)}`).join(', ')})`
        : 'not measured (no peer ran)',
    });
  };
  versusBestPeer(
    'S1-cpu-peers',
    'S1 native CPU per delivered message vs the better peer',
    'S1',
    'serverCpuUsPerMsg',
    0.25,
    '<=',
  );
  versusBestPeer(
    'S2-cpu-peers',
    'S2 native CPU per delivered message vs the better peer',
    'S2',
    'serverCpuUsPerMsg',
    0.5,
    '<=',
  );
  versusBestPeer('S1-p99-peers', 'S1 native p99 latency vs the better peer', 'S1', 'p99Ms', 0.5, '<=');
  versusBestPeer('S2-p99-peers', 'S2 native p99 latency vs the better peer', 'S2', 'p99Ms', 0.5, '<=');
  versusBestPeer(
    'S4-mem-peers',
    'S4 native idle RSS per connection vs the better peer',
    'S4',
    'rssPer1kMB',
    0.5,
    '<=',
  );
  versusBestPeer(
    'S3-connects-peers',
    'S3 native connects (login included) per second vs the better peer',
    'S3',
    'connectsPerSec',
    2,
    '>=',
  );
  versus(
    'S4-mem-ws',
    'S4 native idle RSS per connection vs B-ws',
    'S4',
    'P-native',
    'B-ws',
    'rssPer1kMB',
    1.3,
  );
  versus(
    'S4-heap-ws',
    'S4 native idle V8 heap per connection vs B-ws (informational)',
    'S4',
    'P-native',
    'B-ws',
    'heapPer1kMB',
    1.3,
  );

  const ingest = find(rows, 'S5', 'P-native');
  const bdb = find(rows, 'S5', 'B-db');
  const acked = ingest?.metrics.ackedPerSec;
  const commits = bdb?.metrics.commitsPerSec;
  const ok = acked !== undefined && commits !== undefined && commits > 0;
  targets.push({
    id: 'S5-throughput',
    description: 'S5 acknowledged messages/s vs B-db commits/s',
    scenario: 'S5',
    value: ok ? acked / commits : Number.NaN,
    limit: 10,
    comparison: '>=',
    unit: '×',
    pass: ok ? acked / commits >= 10 : null,
    detail: ok ? `${acked.toFixed(0)} acked/s vs ${commits.toFixed(0)} commits/s` : 'not measured',
  });
  const p99 = ingest?.metrics.ackP99Ms;
  const fsync = bdb?.metrics.fsyncP99Ms;
  const ok2 = p99 !== undefined && fsync !== undefined;
  targets.push({
    id: 'S5-ack-p99',
    description: 'S5 ack p99 vs 3 × fsync p99 + 1 ms',
    scenario: 'S5',
    value: ok2 ? p99 : Number.NaN,
    limit: ok2 ? 3 * fsync + 1 : Number.NaN,
    comparison: '<=',
    unit: ' ms',
    pass: ok2 ? p99 <= 3 * fsync + 1 : null,
    detail: ok2
      ? `ack p99 ${p99.toFixed(2)} ms, fsync p99 ${fsync.toFixed(2)} ms (p50 ${bdb?.metrics.fsyncP50Ms?.toFixed(2)} ms)`
      : 'not measured',
  });

  for (const row of rows.filter(
    (r) => (r.system.startsWith('P-') || isPeer(r.system)) && r.metrics.loss !== undefined,
  )) {
    const loss = row.metrics.loss ?? Number.NaN;
    const reorder = row.metrics.reorder ?? Number.NaN;
    targets.push({
      id: `${row.scenario}-${row.system}-exact`,
      description: `${row.scenario} ${row.system}: zero loss and zero reordering`,
      scenario: row.scenario,
      value: loss + reorder,
      limit: 0,
      comparison: '<=',
      unit: '',
      pass: Number.isFinite(loss + reorder) ? loss === 0 && reorder === 0 : null,
      detail: `loss ${loss}, reorder ${reorder} (all repetitions)`,
    });
  }
  return targets;
}
