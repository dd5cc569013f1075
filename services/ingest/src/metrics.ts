import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one ingest process (prom-client), served on `/metrics`. */
export function createIngestMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'qtled_ingest_process_' });
  const metrics = {
    registry,
    messages: new Counter({
      name: 'qtled_ingest_messages_total',
      help: 'MQTT messages received, by outcome (valid, or the reason they were set aside)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    readings: new Counter({
      name: 'qtled_ingest_readings_total',
      help: 'Readings received, by outcome (stored, or the reason they were set aside)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    pointsWritten: new Counter({
      name: 'qtled_ingest_points_written_total',
      help: 'Readings written to the store',
      registers: [registry],
    }),
    writeFailures: new Counter({
      name: 'qtled_ingest_write_failures_total',
      help: 'Store writes that failed and will be retried',
      registers: [registry],
    }),
    writeSeconds: new Histogram({
      name: 'qtled_ingest_write_seconds',
      help: 'Latency of one batch write to the store',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'qtled_ingest_batch_readings',
      help: 'Readings per batch written',
      buckets: [1, 10, 50, 100, 500, 1000, 2500, 5000, 10000],
      registers: [registry],
    }),
    backlogBatches: new Gauge({
      name: 'qtled_ingest_backlog_batches',
      help: 'Batches waiting on disk for the store',
      registers: [registry],
    }),
    backlogReadings: new Gauge({
      name: 'qtled_ingest_backlog_readings',
      help: 'Readings waiting on disk for the store',
      registers: [registry],
    }),
    staleReplicas: new Gauge({
      name: 'qtled_ingest_stale_replicas',
      help: 'Members of the share group offline longer than INGEST_STALE_REPLICA_AFTER_S whose session still takes a share',
      registers: [registry],
    }),
    acksSent: new Counter({
      name: 'qtled_ingest_acks_sent_total',
      help: 'Application-level acks published to gateways',
      registers: [registry],
    }),
    clockSkewFlagged: new Counter({
      name: 'qtled_ingest_clock_skew_flagged_total',
      help: 'Readings whose gateway clock differed from receive time by more than the tolerance',
      registers: [registry],
    }),
    gapsOpen: new Gauge({
      name: 'qtled_ingest_gaps_open',
      help: 'Seq ranges missing in the last 24 h (gap ledger)',
      registers: [registry],
    }),
  };
  return metrics;
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;
