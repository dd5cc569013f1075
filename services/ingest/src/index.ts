export {
  type Ingest,
  type IngestDeps,
  type IngestOptions,
  type IngestStore,
  type Clock,
  createIngest,
} from './pipeline.js';
export { type MqttPort, type InboundPublish } from './mqtt-port.js';
export { AckTracker, toRanges } from './ack-tracker.js';
export { type AckSeqs, type Spool, type WriteBatch, openSpool } from './spool.js';
export { type IngestMetrics, createIngestMetrics } from './metrics.js';
export { createOperatorServer } from './http.js';
export {
  type IngestConfig,
  type IngestTuning,
  ingestEnvSchema,
  ingestOptionsFrom,
  ingestTuningFrom,
  INGEST_ENV_VARIABLES,
} from './config.js';
export {
  type IngestModule,
  type IngestModuleConfig,
  type IngestModuleDeps,
  createIngestModule,
  ingestModuleConfigFrom,
} from './module.js';
export { type IngestOperations, LISTED_PAYLOAD_CHARS, ingestOperations } from './operations.js';
export { type ReplicaWatch, createReplicaWatch, replicaLastWill } from './replica-watch.js';
export { type RetireOutcome, retireReplica } from './retire-replica.js';
