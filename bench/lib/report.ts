import type { RepOutcome, ScenarioId } from '../scenarios/context.js';
import { SCENARIO_TITLES } from '../scenarios/context.js';
import { median } from './stats.js';

/** Metrics that add up over repetitions rather than take their median. */
const SUMMED = new Set([
  'loss',
  'reorder',
  'connectFailed',
  'sendErrors',
  'measuredLoss',
  'reconnectFailed',
  'ingestErrors',
]);

export interface SummaryRow {
  scenario: ScenarioId;
  system: string;
  offered: string;
  reps: number;
  /** Median over repetitions, or the sum for loss-like counts. */
  metrics: Record<string, number>;
  notes: string[];
}

export function summarize(outcomes: RepOutcome[]): SummaryRow[] {
  const groups = new Map<string, RepOutcome[]>();
  for (const o of outcomes) {
    const key = `${o.scenario}\u0000${o.system}`;
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  const rows: SummaryRow[] = [];
  for (const list of groups.values()) {
    const first = list[0] as RepOutcome;
    const names = new Set(list.flatMap((o) => Object.keys(o.metrics)));
    const metrics: Record<string, number> = {};
    for (const name of names) {
      const values = list.map((o) => o.metrics[name]).filter((v): v is number => v !== undefined);
      metrics[name] = SUMMED.has(name) ? values.reduce((a, b) => a + b, 0) : median(values);
    }
    rows.push({
      scenario: first.scenario,
      system: first.system,
      offered: first.offered,
      reps: list.length,
      metrics,
      notes: [...new Set(list.flatMap((o) => o.notes))],
    });
  }
  const order = (r: SummaryRow) =>
    `${r.scenario}-${['B-db', 'B-ws', 'B-sio', 'P-native', 'P-rtc', 'ejabberd', 'Prosody'].indexOf(r.system) + 10}-${r.system}`;
  return rows.sort((a, b) => order(a).localeCompare(order(b)));
}

export const fmtRate = (n: number): string =>
  !Number.isFinite(n) ? '–' : n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2);

const fmt = (n: number | undefined, digits = 2): string => {
  if (n === undefined || !Number.isFinite(n)) return '–';
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(digits);
};

export interface Column {
  title: string;
  value(row: SummaryRow): string;
}

/** The figures each scenario is judged on, in the console and markdown tables. */
export const COLUMNS: Column[] = [
  { title: 'scenario', value: (r) => r.scenario },
  { title: 'system', value: (r) => r.system },
  { title: 'offered load', value: (r) => r.offered },
  {
    title: 'delivered msg/s',
    value: (r) => fmt(r.metrics.deliveredPerSec ?? r.metrics.ackedPerSec ?? r.metrics.commitsPerSec),
  },
  { title: 'CPU µs/msg', value: (r) => fmt(r.metrics.serverCpuUsPerMsg ?? r.metrics.serverCpuUsPerConnect) },
  {
    title: 'p50 ms',
    value: (r) =>
      fmt(r.metrics.p50Ms ?? r.metrics.ackP50Ms ?? r.metrics.commitP50Ms ?? r.metrics.connectP50Ms),
  },
  {
    title: 'p99 ms',
    value: (r) =>
      fmt(r.metrics.p99Ms ?? r.metrics.ackP99Ms ?? r.metrics.commitP99Ms ?? r.metrics.connectP99Ms),
  },
  { title: 'loss', value: (r) => fmt(r.metrics.loss, 0) },
  { title: 'reorder', value: (r) => fmt(r.metrics.reorder, 0) },
  { title: 'RSS MB/1k conns', value: (r) => fmt(r.metrics.rssPer1kMB) },
];

export function consoleTable(rows: SummaryRow[]): string {
  const cells = [COLUMNS.map((c) => c.title), ...rows.map((r) => COLUMNS.map((c) => c.value(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    row.map((c, i) => (i < 3 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [
    line(cells[0] ?? []),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}

export function markdownTable(rows: SummaryRow[]): string {
  const head = `| ${COLUMNS.map((c) => c.title).join(' | ')} |`;
  const rule = `|${COLUMNS.map((_, i) => (i < 3 ? ' --- ' : ' ---: ')).join('|')}|`;
  return [head, rule, ...rows.map((r) => `| ${COLUMNS.map((c) => c.value(r)).join(' | ')} |`)].join('\n');
}

export interface Target {
  id: string;
  description: string;
  scenario: ScenarioId;
  /** The measured value (a ratio, or an absolute figure) and the limit it is held to. */
  value: number;
  limit: number;
  comparison: '<=' | '>=';
  unit: string;
  pass: boolean | null;
  detail: string;
}

export function targetsTable(targets: Target[]): string {
  const head = '| target | measured | limit | result |\n| --- | ---: | ---: | --- |';
  return [
    head,
    ...targets.map(
      (t) =>
        `| ${t.id} ${t.description} | ${fmt(t.value)}${t.unit} | ${t.comparison} ${fmt(t.limit)}${t.unit} | ${t.pass === null ? 'not measured' : t.pass ? 'met' : '**missed**'} |`,
    ),
  ].join('\n');
}

export function scenarioHeading(id: ScenarioId): string {
  return `${id} ${SCENARIO_TITLES[id]}`;
}
