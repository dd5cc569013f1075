// A retired or crashed ingest replica whose persistent session outlives it keeps being handed its share of
// the group's messages. The shipped ingest module reports such a member (metric and log), and retiring it
// (qtled-retire-ingest-replica) ends its session: the live replica then gets every message. Real Mosquitto.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BootId, encodePayload, topicFor } from '@qt-led/contract';
import { type MqttConnectionConfig } from '@qt-led/infrastructure';
import { createLogger } from '@qt-led/runtime';
import { createSqliteStore } from '@qt-led/store-sqlite';
import { connectMqtt, createIsolation, waitFor } from '@qt-led/test-harness';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ingestEnvSchema, ingestTuningFrom } from './config.js';
import { batch, fleet, registry } from './testing/fixtures.js';
import { createIngestModule, type IngestModule } from './module.js';
import { retireReplica } from './retire-replica.js';

const server = inject('mqtt');
const BOOT = 'feed0000aa' as BootId;
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const connection: MqttConnectionConfig = {
  url: server.url,
  username: server.username,
  password: server.password,
  embedded: false,
};

describe('a stale ingest replica', () => {
  it('is reported while its session takes a share, and retiring it gives the live replica every message', async () => {
    const isolation = createIsolation('replicas');
    const root = isolation.topicRoot;
    const dir = await mkdtemp(join(tmpdir(), 'qtled-replicas-'));
    dirs.push(dir);
    const store = createSqliteStore({ path: join(dir, 'telemetry.sqlite') });
    const warnings: string[] = [];
    const logger = createLogger({
      name: 'replica-test',
      level: 'warn',
      destination: {
        write: (line: string) => {
          warnings.push(line);
        },
      },
    });
    const replica = (name: string): IngestModule =>
      createIngestModule(
        {
          mqtt: connection,
          topicRoot: root,
          tuning: {
            ...ingestTuningFrom(ingestEnvSchema.parse({})),
            clientId: isolation.clientId(name),
            shareGroup: `g${isolation.id}`,
            staleReplicaAfterS: 1,
          },
          shared: true,
          spoolPath: join(dir, `spool-${name}.sqlite`),
          operatorHttp: null,
          publishStoredReadings: false,
          sessionExpiryS: 3_600,
        },
        { logger, clock: { now: () => Date.now() }, store, registry },
      );
    const live = replica('live');
    const retired = replica('retired');
    await live.start();
    await retired.start();
    // Stopped without being retired: its session (and its share of the group) stays with the broker.
    await retired.stop();
    const stale = async (): Promise<number> =>
      Number(/^qtled_ingest_stale_replicas (\d+)$/m.exec(await live.operations.metricsText())?.[1]);
    await waitFor(async () => (await stale()) === 1, {
      timeoutMs: 10_000,
      description: 'the stale replica reported',
    });
    expect(warnings.join('\n')).toContain(
      `qtled-retire-ingest-replica --client-id ${isolation.clientId('retired')}`,
    );

    const publisher = await connectMqtt(server);
    const { vesselId, gatewayId } = fleet[0] as (typeof fleet)[number];
    const send = async (fromSeq: number, count: number): Promise<void> => {
      for (let i = 0; i < count; i += 1) {
        const b = batch(vesselId, gatewayId, BOOT, fromSeq + i, 1, Date.now());
        await publisher.publishAsync(topicFor('telemetry', vesselId, root), encodePayload('telemetry', b), {
          qos: 1,
        });
      }
    };
    const storedFrom = async (fromSeq: number, count: number): Promise<number> =>
      (await store.readings(vesselId, 0, Date.now() + 60_000)).filter(
        (r) => r.seq >= fromSeq && r.seq < fromSeq + count,
      ).length;
    // With the stale member the live replica gets only its share of a burst.
    await send(0, 20);
    await waitFor(async () => (await storedFrom(0, 20)) > 0, {
      timeoutMs: 10_000,
      description: 'a share stored',
    });
    await live.idle();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await live.idle();
    expect(await storedFrom(0, 20)).toBeLessThan(20);

    const outcome = await retireReplica(connection, root, isolation.clientId('retired'));
    expect(outcome).toEqual({ retired: true, previous: 'offline' });
    await waitFor(async () => (await stale()) === 0, {
      timeoutMs: 10_000,
      description: 'the report cleared',
    });
    await send(100, 20);
    await waitFor(async () => (await storedFrom(100, 20)) === 20, {
      timeoutMs: 10_000,
      description: 'every message of the next burst stored by the live replica',
    });
    // A live replica is not retired by mistake.
    expect(await retireReplica(connection, root, isolation.clientId('live'))).toMatchObject({
      retired: false,
    });
    await publisher.endAsync();
    await live.stop();
    await store.close();
  });
});
