import { createInfluxStore } from '@qt-led/store-influx';
import type { TelemetryStore } from '@qt-led/store';
import { createIsolation, influxAdmin, type InfluxServer } from '@qt-led/test-harness';

/**
 * A fresh InfluxDB database of the test server with a store on it, for a test's run; the database is
 * dropped by the cleanup step pushed onto `cleanup`. Returns what an ingest process needs to write there.
 */
export async function freshInfluxStore(
  server: InfluxServer,
  prefix: string,
  cleanup: (() => Promise<unknown>)[],
): Promise<{ store: TelemetryStore; influx: InfluxServer & { database: string } }> {
  const database = createIsolation(prefix).database;
  await influxAdmin(server).createDatabase(database);
  cleanup.push(() => influxAdmin(server).dropDatabase(database));
  const auth = {
    ...(server.token === undefined ? {} : { token: server.token }),
    ...(server.username === undefined ? {} : { username: server.username }),
    ...(server.password === undefined ? {} : { password: server.password }),
  };
  return {
    store: await createInfluxStore({ url: server.url, database, minRetentionDays: 60, ...auth }),
    influx: { ...server, database },
  };
}
