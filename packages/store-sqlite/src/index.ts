export { type SqliteStoreOptions, createSqliteStore } from './sqlite-store.js';
