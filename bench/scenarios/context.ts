import type { BenchConfig } from '../lib/config.js';
import type { LoadPool } from '../lib/load-pool.js';
import type { Seed } from '../lib/parley-seed.js';
import type { PreparedPeer } from '../lib/peers/peers.js';

export type ScenarioId = 'S1' | 'S2' | 'S3' | 'S4' | 'S5' | 'S6' | 'S7';

export const SCENARIO_TITLES: Record<ScenarioId, string> = {
  S1: 'one big room',
  S2: 'many small rooms',
  S3: 'connection and reconnect storm',
  S4: 'idle connections',
  S5: 'durable ingest',
  S6: 'two nodes over Redis',
  S7: 'slow consumers',
};

export interface BenchPaths {
  root: string;
  distDir: string;
  tmpDir: string;
}

export interface BenchContext {
  cfg: BenchConfig;
  paths: BenchPaths;
  pool: LoadPool;
  /** Present when a Parley system runs. */
  seed: Seed | undefined;
  /** The peers (ejabberd, Prosody) installed, wanted and seeded for this run. */
  peers: PreparedPeer[];
  log(message: string): void;
}

/** One repetition's figures for one system in one scenario. Names end in their unit. */
export type Metrics = Record<string, number>;

export interface RepOutcome {
  scenario: ScenarioId;
  system: string;
  rep: number;
  /** The load offered, in words (e.g. "20 msg/s into 1,000 members"). */
  offered: string;
  metrics: Metrics;
  notes: string[];
}
