/** Sizes and durations of one run; `--quick` scales connection counts and durations down. */
export interface BenchConfig {
  quick: boolean;
  reps: number;
  /** Repetitions for the peers (ejabberd, Prosody), at most `reps`. */
  peerReps: number;
  /** Load-generator processes; each holds at most `clients / workers` sockets (well under 5,000). */
  workers: number;
  s1: { members: number; publishers: number; rate: number; warmupMs: number; measureMs: number };
  population: {
    rooms: number;
    roomSize: number;
    /** Texts per second per room (one publisher per room). */
    rate: number;
    concurrency: number;
    settleMs: number;
    warmupMs: number;
    measureMs: number;
  };
  s5: { senders: number; window: number; warmupMs: number; measureMs: number; bdbMs: number };
  s6: { members: number; publishers: number; rate: number; warmupMs: number; measureMs: number };
  /** Runs on S1's room and publishers, with larger texts. */
  s7: { slowFraction: number; padBytes: number; warmupMs: number; measureMs: number };
  /** Seconds the orchestrator may spend; repetitions that would overrun are skipped (and reported). */
  budgetS: number;
}

export function benchConfig(quick: boolean): BenchConfig {
  if (quick) {
    return {
      quick,
      reps: 3,
      peerReps: 1,
      workers: 4,
      s1: { members: 300, publishers: 8, rate: 2.5, warmupMs: 500, measureMs: 2000 },
      population: {
        rooms: 150,
        roomSize: 5,
        rate: 1,
        concurrency: 50,
        settleMs: 500,
        warmupMs: 500,
        measureMs: 2000,
      },
      s5: { senders: 32, window: 1, warmupMs: 300, measureMs: 1500, bdbMs: 1500 },
      s6: { members: 100, publishers: 4, rate: 5, warmupMs: 500, measureMs: 2000 },
      s7: { slowFraction: 0.01, padBytes: 1024, warmupMs: 300, measureMs: 2000 },
      budgetS: 90,
    };
  }
  return {
    quick,
    reps: 3,
    peerReps: 3,
    workers: 4,
    s1: { members: 1000, publishers: 8, rate: 2.5, warmupMs: 1000, measureMs: 4000 },
    population: {
      rooms: 500,
      roomSize: 5,
      rate: 0.5,
      concurrency: 50,
      settleMs: 1500,
      warmupMs: 1000,
      measureMs: 4000,
    },
    s5: { senders: 128, window: 1, warmupMs: 1000, measureMs: 4000, bdbMs: 4000 },
    s6: { members: 400, publishers: 4, rate: 5, warmupMs: 1000, measureMs: 4000 },
    s7: { slowFraction: 0.01, padBytes: 1024, warmupMs: 500, measureMs: 4000 },
    budgetS: 500,
  };
}
