export { type InfluxStoreOptions, createInfluxStore, parseGoDuration } from './influx-store.js';
