import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one server process, served at `/metrics`. */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'parley_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly eventsCommitted = new Counter({
    name: 'parley_events_committed_total',
    help: 'Events committed, counted once by the node that committed them',
    registers: [this.registry],
  });
  readonly framesDelivered = new Counter({
    name: 'parley_realtime_frames_delivered_total',
    help: 'Event frames written to realtime connections',
    registers: [this.registry],
  });

  constructor(gauges: {
    sessions: () => number;
    connections: (transport: 'native' | 'stitch' | 'v2') => number;
  }) {
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_' });
    new Gauge({
      name: 'parley_realtime_sessions',
      help: 'Logged-in realtime sessions',
      registers: [this.registry],
      collect() {
        this.set(gauges.sessions());
      },
    });
    new Gauge({
      name: 'parley_realtime_connections',
      help: 'Open realtime connections by transport',
      labelNames: ['transport'] as const,
      registers: [this.registry],
      collect() {
        this.set({ transport: 'native' }, gauges.connections('native'));
        this.set({ transport: 'stitch' }, gauges.connections('stitch'));
        this.set({ transport: 'v2' }, gauges.connections('v2'));
      },
    });
  }
}
