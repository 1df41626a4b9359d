/** Relative width of a bucket: values are kept to within about 1 %. */
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
/** Values are microseconds; bucket 0 holds everything up to 1 µs. */
const BUCKETS = 1200;

/** A log-bucketed latency histogram in microseconds that merges across processes. */
export class Histogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  max = 0;

  recordMicros(us: number): void {
    const i = us <= 1 ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(us) / LOG_GROWTH));
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.count++;
    if (us > this.max) this.max = us;
  }

  recordNanos(ns: bigint): void {
    this.recordMicros(Number(ns) / 1000);
  }

  merge(other: SerializedHistogram): void {
    for (const [i, c] of other.buckets) this.counts[i] = (this.counts[i] ?? 0) + c;
    this.count += other.count;
    this.max = Math.max(this.max, other.max);
  }

  /** The value (µs) at percentile `p` (0–100): the upper edge of the bucket holding it. */
  percentileMicros(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(this.max, i === 0 ? 1 : GROWTH ** i);
    }
    return this.max;
  }

  percentileMs(p: number): number {
    return this.percentileMicros(p) / 1000;
  }

  serialize(): SerializedHistogram {
    const buckets: [number, number][] = [];
    this.counts.forEach((c, i) => {
      if (c > 0) buckets.push([i, c]);
    });
    return { buckets, count: this.count, max: this.max };
  }

  static from(...parts: SerializedHistogram[]): Histogram {
    const h = new Histogram();
    for (const part of parts) h.merge(part);
    return h;
  }
}

export interface SerializedHistogram {
  buckets: [number, number][];
  count: number;
  max: number;
}
