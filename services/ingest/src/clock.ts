/** Where ingest takes "now" from: receive times, batch age, ack times. Tests and the simulator pass their own. */
export interface Clock {
  now(): number;
}
