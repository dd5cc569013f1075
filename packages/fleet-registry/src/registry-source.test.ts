import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FleetRegistry } from '@qt-led/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { loadFleetRegistry } from './load-fleet-registry.js';
import {
  createGatewayAssignmentsSource,
  createRegistrySource,
  gatewayAssignmentsFollowing,
  type GatewayAssignmentsSource,
  type RegistrySource,
} from './registry-source.js';

const packaged = loadFleetRegistry().registry;
/** The packaged registry with one more vessel: a copy of the first with its own gateway and meters. */
function withExtraVessel(id: string): FleetRegistry {
  const first = packaged.vessels[0];
  if (first === undefined) throw new Error('packaged registry is empty');
  const suffix = id.replace(/\D/g, '');
  const versions = first.versions.map((v) => ({
    ...v,
    gatewayId: `gw-new${suffix}`,
    meter: { ...v.meter, meterId: `EM-NEW-${suffix}` },
    ...(v.fuelMeter === null ? {} : { fuelMeter: { ...v.fuelMeter, meterId: `FM-NEW-${suffix}` } }),
  }));
  return {
    ...packaged,
    vessels: [...packaged.vessels, { ...first, vesselId: id, versions } as typeof first],
  };
}

const until = async (check: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('registry source', () => {
  const dirs: string[] = [];
  const sources: (RegistrySource | GatewayAssignmentsSource)[] = [];
  afterEach(async () => {
    for (const s of sources.splice(0)) await s.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const open = (livePath: string): RegistrySource => {
    const source = createRegistrySource({ livePath, watchIntervalMs: 25 });
    sources.push(source);
    return source;
  };
  const tempDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'qtled-registry-'));
    dirs.push(d);
    return d;
  };

  it('starts from the packaged registry until an upload exists, then from the upload', async () => {
    const live = join(tempDir(), 'fleet-registry.json');
    const source = open(live);
    expect(source.status().origin).toBe('packaged');
    expect(source.index.registry.vessels).toHaveLength(packaged.vessels.length);
    await source.replace(withExtraVessel('QT-99999-TS'));
    expect(source.index.vessel('QT-99999-TS' as never)).toBeDefined();
    const reopened = open(live);
    expect(reopened.status().origin).toBe(live);
    expect(reopened.index.vessel('QT-99999-TS' as never)).toBeDefined();
  });

  it("puts another process's upload in force through the shared file, and tells listeners", async () => {
    const live = join(tempDir(), 'fleet-registry.json');
    const api = open(live);
    const ingest = open(live);
    await ingest.start();
    const seen: number[] = [];
    ingest.onChange((next) => seen.push(next.registry.vessels.length));
    const view = ingest.index; // a service built at start-up keeps this view
    expect(view.vessel('QT-88888-TS' as never)).toBeUndefined();
    await api.replace(withExtraVessel('QT-88888-TS'));
    await until(() => view.vessel('QT-88888-TS' as never) !== undefined);
    expect(seen).toEqual([packaged.vessels.length + 1]);
  });

  it('refuses a broken live file and keeps the registry in force', async () => {
    const live = join(tempDir(), 'fleet-registry.json');
    const source = open(live);
    await source.start();
    writeFileSync(live, '{"not": "a registry"');
    await until(() => source.status().refusedReloads === 1);
    expect(source.status().lastError).toMatch(/JSON|registry/i);
    expect(source.index.registry.vessels).toHaveLength(packaged.vessels.length);
  });

  it("gateway assignments alone: another process's upload is seen without a restart, a broken one refused", async () => {
    const live = join(tempDir(), 'fleet-registry.json');
    const api = open(live);
    const ingest = createGatewayAssignmentsSource({ livePath: live, watchIntervalMs: 25 });
    sources.push(ingest);
    await ingest.start();
    const view = ingest.assignments; // what the ingest module keeps
    const id = 'QT-77777-TS' as never;
    expect(view.has(id)).toBe(false);
    expect([...view.vesselIds()]).toHaveLength(packaged.vessels.length);
    await api.replace(withExtraVessel('QT-77777-TS'));
    await until(() => view.has(id));
    expect(view.gatewayOn(id, '2030-01-01')).toBe('gw-new77777');
    expect(ingest.status().origin).toBe(live);
    writeFileSync(live, '{"not": "a registry"');
    await until(() => ingest.status().refusedReloads === 1);
    expect(view.has(id)).toBe(true);
  });

  it('gateway assignments following a registry source follow its uploads', async () => {
    const source = open(join(tempDir(), 'fleet-registry.json'));
    const view = gatewayAssignmentsFollowing(source);
    const id = 'QT-66666-TS' as never;
    const first = packaged.vessels[0];
    expect(view.has(first?.vesselId as never)).toBe(true);
    expect(view.gatewayOn(first?.vesselId as never, '2999-01-01')).toBe(first?.versions.at(-1)?.gatewayId);
    expect(view.has(id)).toBe(false);
    await source.replace(withExtraVessel('QT-66666-TS'));
    expect(view.has(id)).toBe(true);
  });
});
