import { execFile } from 'node:child_process';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { cp, mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { LocalDate, VesselId } from '@qt-led/contract';
import { createEmissionsService, fileIssuedReportStore } from '@qt-led/emissions';
import { loadFleetRegistry } from '@qt-led/fleet-registry';
import { HOME_PORTS, createFleetStatusService, openAlarmStore } from '@qt-led/fleet-status';
import { BUILT_IN_METHODOLOGY_IDS, loadBuiltInMethodology, localDateStartMs } from '@qt-led/jcm';
import { createLogger } from '@qt-led/runtime';
import { createSqliteStore } from '@qt-led/store-sqlite';
import { generateFleetTelemetry } from '@qt-led/test-harness';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PACKAGES_CONFIG,
  deliverPending,
  type Outbox,
  type PackageScheduler,
  PackagesConfig,
  createPackageScheduler,
  createPackageSources,
  loadOrCreatePackageSigner,
  openOutbox,
  parseCsv,
  readPackageFiles,
  verifyPackage,
  zipPackage,
} from './index.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const registry = loadFleetRegistry();
const vesselIds = registry.registry.vessels.slice(0, 3).map((v) => v.vesselId);
const late = vesselIds[0] as VesselId;
const methodologies = new Map(
  BUILT_IN_METHODOLOGY_IDS.map((id) => [id as string, loadBuiltInMethodology(id)]),
);
const NOVEMBER = '2026-11-01' as LocalDate;
const novStart = localDateStartMs(NOVEMBER);
const decStart = localDateStartMs('2026-12-01');
// A boat out of coverage for ten days: its readings of 15–25 November arrive after the package was issued.
const backlogFrom = localDateStartMs('2026-11-15');
const backlogTo = localDateStartMs('2026-11-25');
const logger = createLogger({ name: 'packages-test', level: 'silent' });

async function platform(dir: string, now: { ms: number }) {
  const telemetry = generateFleetTelemetry({
    registry,
    vesselIds,
    homePorts: HOME_PORTS,
    fromMs: localDateStartMs('2026-08-31'),
    days: 95,
    stepMs: 10 * 60_000,
  });
  const inBacklog = (r: { vesselId: string; deviceTimeMs: number }): boolean =>
    r.vesselId === late && r.deviceTimeMs >= backlogFrom && r.deviceTimeMs < backlogTo;
  const store = createSqliteStore({ path: join(dir, 'telemetry.sqlite') });
  await store.writeReadings(telemetry.readings.filter((r) => !inBacklog(r)));
  const alarmDbPath = join(dir, 'alarms.sqlite');
  const alarms = openAlarmStore(alarmDbPath);
  // A lamp fault of six hours on one boat on 20 November, and one still raised at the month's end.
  const fault = alarms.raise({
    type: 'led-fault',
    vesselId: vesselIds[1] as VesselId,
    atMs: novStart + 19 * 86_400_000 + 19 * 3_600_000,
    detail: 'LED power 18 % below the rating of the lamps switched on',
    evidence: {},
    channels: [],
  });
  alarms.clear(fault.id, fault.raisedAtMs + 6 * 3_600_000, []);
  alarms.raise({
    type: 'led-fault',
    vesselId: vesselIds[2] as VesselId,
    atMs: decStart - 3_600_000,
    detail: '=HYPERLINK("http://example.invalid") lamp fault',
    evidence: {},
    channels: [],
  });
  alarms.close();
  const clock = { now: () => now.ms };
  const emissions = createEmissionsService({
    store,
    registry,
    methodologies,
    issued: fileIssuedReportStore(join(dir, 'issued')),
    clock,
  });
  const fleetStatus = createFleetStatusService({ store, registry, alarmDbPath, clock, logger });
  const sources = createPackageSources({
    emissions,
    methodologies,
    defaultMethodologyId: BUILT_IN_METHODOLOGY_IDS[0],
    fleetStatus,
  });
  const signer = await loadOrCreatePackageSigner(join(dir, 'package-signing-key.pem'));
  const outbox = openOutbox(join(dir, 'outbox'));
  const scheduler = (config = DEFAULT_PACKAGES_CONFIG, box: Outbox = outbox) =>
    createPackageScheduler(config, { sources, outbox: box, signer, clock, logger });
  return {
    store,
    emissions,
    scheduler,
    outbox,
    signer,
    writeBacklog: () => store.writeReadings(telemetry.readings.filter(inBacklog)),
    close: async () => {
      await fleetStatus.stop();
      await store.close();
    },
  };
}

const cell = (sheet: ExcelJS.Worksheet, row: number, header: string): unknown => {
  const headers = (sheet.getRow(1).values as unknown[]).map(String);
  return sheet.getRow(row).getCell(headers.indexOf(header)).value;
};

describe('partner packages', () => {
  it('issues each partner its month, signed; the files parse, the workbook holds the API figures, the CLI verifies and any changed byte is caught', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qtled-packages-'));
    const now = { ms: Date.parse('2026-12-03T02:00:00Z') };
    const p = await platform(dir, now);
    try {
      const outcomes = await p.scheduler().runOnce();
      expect(outcomes.map((o) => [o.packageId, o.issued])).toEqual([
        ['nedo-2026-11-v1', true],
        ['stanley-electric-2026-11-v1', true],
      ]);
      const api = await p.emissions.report({
        from: NOVEMBER,
        toExclusive: '2026-12-01',
        methodologyId: BUILT_IN_METHODOLOGY_IDS[0],
      });

      const nedo = await p.outbox.read('nedo-2026-11-v1');
      if (nedo === undefined) throw new Error('no NEDO package');
      expect([...nedo.keys()].sort()).toEqual([
        'README.txt',
        'calculation.csv',
        'completeness.csv',
        'emissions-by-vessel.csv',
        'figures.json',
        'gaps.csv',
        'manifest.json',
        'manifest.sig',
        'monitoring-report.xlsx',
        'parameters.csv',
        'restatements.csv',
        'signing-key.pub.pem',
      ]);
      const report = verifyPackage(nedo, { publicKeyPem: p.signer.publicKeyPem });
      expect(report.problems).toEqual([]);
      expect(report.manifest?.period).toMatchObject({
        from: NOVEMBER,
        timeZone: 'Asia/Ho_Chi_Minh',
        utcOffset: '+07:00',
      });
      expect(report.manifest?.inputSha256).toBe(api.result.provenance.inputSha256);
      // The whole fleet, boats without readings included (their completeness says so).
      const fleet = registry.registry.vessels.map((v) => v.vesselId).sort();
      expect(report.manifest?.completeness.vessels.map((v) => v.vesselId)).toEqual(fleet);

      // The README in both languages, the partner's (Japanese) first.
      const readme = (nedo.get('README.txt') as Buffer).toString('utf8');
      expect(readme.indexOf('データパッケージ')).toBe(0);
      expect(readme).toContain('Data package nedo-2026-11-v1 for nedo');
      // CSV: a BOM, bilingual headers with units, one row per vessel and the fleet total.
      const csvBytes = nedo.get('emissions-by-vessel.csv') as Buffer;
      expect([...csvBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const [header, ...rows] = parseCsv(csvBytes.toString('utf8'));
      expect(header).toContain('emission_reductions [tCO2] / 排出削減量 ER');
      expect(rows).toHaveLength(fleet.length + 1);
      const erColumn = (header ?? []).indexOf('emission_reductions [tCO2] / 排出削減量 ER');
      for (const v of api.result.vessels) {
        const row = rows.find((r) => r[1] === v.vesselId);
        expect(Number(row?.[erColumn])).toBe(v.emissionReductionsTco2);
      }

      // The workbook: the same figures, as numbers.
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(nedo.get('monitoring-report.xlsx') as unknown as ArrayBuffer);
      expect(workbook.worksheets.map((s) => s.name)).toEqual([
        'Summary 概要',
        'Parameters 入力パラメータ',
        'Vessels 船舶別',
        'Calculation 計算',
        'Completeness データ完全性',
        'Gaps 欠測',
        'Restatements 再計算',
      ]);
      const sheet = workbook.getWorksheet('Vessels 船舶別') as ExcelJS.Worksheet;
      for (const [i, v] of api.result.vessels.entries()) {
        expect(cell(sheet, i + 2, 'vessel_id / 船舶ID')).toBe(v.vesselId);
        expect(cell(sheet, i + 2, 'emission_reductions [tCO2] / 排出削減量 ER')).toBe(
          v.emissionReductionsTco2,
        );
        expect(cell(sheet, i + 2, 'energy [MWh] / LED電力量 EC')).toBe(v.energyMwh);
      }
      const summary = workbook.getWorksheet('Summary 概要') as ExcelJS.Worksheet;
      const reported = summary
        .getColumn(1)
        .values.findIndex((v) => typeof v === 'string' && v.startsWith('Emission reductions ER, reported'));
      expect(summary.getRow(reported).getCell(2).value).toBe(api.result.fleet.emissionReductionsReportedTco2);

      // Stanley Electric: LED performance, nights and faults with zone-qualified timestamps.
      const stanley = await p.outbox.read('stanley-electric-2026-11-v1');
      if (stanley === undefined) throw new Error('no Stanley Electric package');
      expect(verifyPackage(stanley, { publicKeyPem: p.signer.publicKeyPem }).problems).toEqual([]);
      const [faultHeader, ...faults] = parseCsv((stanley.get('lamp-faults.csv') as Buffer).toString('utf8'));
      expect(faultHeader?.[1]).toBe('fault_start (Asia/Ho_Chi_Minh, UTC+07:00) / 異常開始');
      expect(faults).toEqual([
        [
          vesselIds[1],
          '2026-11-20T19:00:00+07:00',
          '2026-11-21T01:00:00+07:00',
          '6',
          'no',
          expect.any(String),
        ],
        [
          vesselIds[2],
          '2026-11-30T23:00:00+07:00',
          '2026-12-01T00:00:00+07:00',
          '1',
          'yes',
          // A formula in free text is neutralised.
          `'=HYPERLINK("http://example.invalid") lamp fault`,
        ],
      ]);
      const [ledHeader, ...led] = parseCsv((stanley.get('led-performance.csv') as Buffer).toString('utf8'));
      const nightsColumn = (ledHeader ?? []).indexOf('nights / 操業夜数');
      const ratioColumn = (ledHeader ?? []).indexOf('power_to_rated [1] / 定格比（点灯灯数あたり）');
      expect(led).toHaveLength(registry.registry.vessels.length);
      for (const row of led.filter((r) => vesselIds.includes(r[0] as VesselId))) {
        // One night a day, less the ten the late boat has not delivered yet.
        expect(Number(row[nightsColumn])).toBeGreaterThanOrEqual(row[0] === late ? 19 : 28);
        expect(Number(row[ratioColumn])).toBeGreaterThan(0.9);
        expect(Number(row[ratioColumn])).toBeLessThan(1.1);
      }
      const [nightHeader, ...nights] = parseCsv((stanley.get('nights.csv') as Buffer).toString('utf8'));
      expect(nightHeader?.[2]).toBe('lamps_first_on (Asia/Ho_Chi_Minh, UTC+07:00) / 点灯開始');
      for (const n of nights) expect(n[2]).toMatch(/^2026-1[12]-\d\dT\d\d:\d\d:\d\d\+07:00$/);

      // The CLI, as a partner runs it: in Japanese, from the zip the API serves, with the published key.
      const keyPath = join(dir, 'published-key.pem');
      await writeFile(keyPath, p.signer.publicKeyPem);
      const zipPath = join(dir, 'nedo-2026-11-v1.zip');
      await writeFile(zipPath, await zipPackage('nedo-2026-11-v1', nedo));
      expect((await readPackageFiles(zipPath)).files).toEqual(nedo);
      const ok = await run(process.execPath, [
        '--import',
        'tsx',
        '--conditions=source',
        CLI,
        zipPath,
        '--key',
        keyPath,
        '--lang',
        'ja',
      ]);
      expect(ok.stdout).toContain('検証成功');
      expect(ok.stdout).toContain('nedo-2026-11-v1');

      // One byte changed in any file: the CLI fails and names the file.
      const packageDir = join(dir, 'outbox', 'nedo', 'nedo-2026-11-v1');
      for (const name of await readdir(packageDir)) {
        const copy = join(dir, `tampered-${name}`);
        await cp(packageDir, copy, { recursive: true });
        const bytes = await readFile(join(copy, name));
        const at = Math.floor(bytes.length / 2);
        bytes[at] = (bytes[at] ?? 0) ^ 0x01;
        await writeFile(join(copy, name), bytes);
        const failed = await run(process.execPath, [
          '--import',
          'tsx',
          '--conditions=source',
          CLI,
          copy,
          '--key',
          keyPath,
        ]).then(
          () => undefined,
          (error: unknown) => error as { code: number; stdout: string },
        );
        expect(failed?.code, name).toBe(1);
        const named = name === 'manifest.sig' ? 'manifest.json' : name;
        expect(failed?.stdout, name).toContain(named);
      }
    } finally {
      await p.close();
    }
  }, 120_000);

  it('catches up missed months after a restart mid-run without a duplicate, and restates a month when a 10-day backlog arrives', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qtled-packages-'));
    const now = { ms: Date.parse('2026-12-03T02:00:00Z') };
    const p = await platform(dir, now);
    try {
      const config = PackagesConfig.parse({
        partners: DEFAULT_PACKAGES_CONFIG.partners.map((s) => ({ ...s, firstMonth: '2026-09' })),
      });
      // Stopped during its first pass, after its second package: what was issued stays, and a package the
      // process was writing when it died (a temporary directory) is not one; the next process issues the rest.
      let written = 0;
      const first: PackageScheduler = p.scheduler(config, {
        ...p.outbox,
        write: async (built) => {
          await p.outbox.write(built);
          written += 1;
          if (written === 2) void first.stop();
        },
      });
      const partial = await first.runOnce();
      expect(partial.map((o) => o.packageId)).toEqual(['nedo-2026-09-v1', 'nedo-2026-10-v1']);
      await mkdir(join(dir, 'outbox', 'nedo', '.tmp-nedo-2026-11-v1'), { recursive: true });
      await writeFile(join(dir, 'outbox', 'nedo', '.tmp-nedo-2026-11-v1', 'manifest.json'), '{"trunc');
      const second = p.scheduler(config);
      await second.runOnce();
      const third = await p.scheduler(config).runOnce();
      expect(third.every((o) => !o.issued)).toBe(true);
      const ids = (await p.outbox.list()).map((s) => s.packageId).sort();
      expect(ids).toEqual([
        'nedo-2026-09-v1',
        'nedo-2026-10-v1',
        'nedo-2026-11-v1',
        'stanley-electric-2026-09-v1',
        'stanley-electric-2026-10-v1',
        'stanley-electric-2026-11-v1',
      ]);
      const v1 = await p.outbox.read('nedo-2026-11-v1');

      // The backlog lands; the next pass restates November (and only November) as version 2.
      await p.writeBacklog();
      now.ms += 3_600_000;
      const restated = await p.scheduler(config).runOnce();
      expect(restated.filter((o) => o.issued).map((o) => o.packageId)).toEqual([
        'nedo-2026-11-v2',
        'stanley-electric-2026-11-v2',
      ]);
      expect(await p.outbox.read('nedo-2026-11-v1')).toEqual(v1);
      const v2 = await p.outbox.read('nedo-2026-11-v2');
      if (v2 === undefined) throw new Error('no version 2');
      const manifest = verifyPackage(v2, { publicKeyPem: p.signer.publicKeyPem });
      expect(manifest.problems).toEqual([]);
      expect(manifest.manifest?.supersedes).toBe('nedo-2026-11-v1');
      const [, ...rows] = parseCsv((v2.get('restatements.csv') as Buffer).toString('utf8'));
      // The register bridged the gap (the energy stands); what the backlog changes is the completeness.
      const figure = `result.vessels[${late}].completeness.readingsReceived`;
      const before = JSON.parse((v1?.get('figures.json') as Buffer).toString('utf8')) as {
        result: { vessels: { vesselId: string; completeness: { readingsReceived: number } }[] };
      };
      const after = JSON.parse((v2.get('figures.json') as Buffer).toString('utf8')) as typeof before;
      const old =
        before.result.vessels.find((v) => v.vesselId === late)?.completeness.readingsReceived ?? NaN;
      const fresh =
        after.result.vessels.find((v) => v.vesselId === late)?.completeness.readingsReceived ?? NaN;
      expect(fresh - old).toBe(10 * 24 * 6);
      expect(rows.find((r) => r[0] === figure)).toEqual([
        figure,
        'changed',
        String(old),
        String(fresh),
        'readings received or corrected after the previous version (input data changed)',
      ]);
      expect(manifest.manifest?.restatements).toBe(rows.length);
      // The other vessels' figures did not move.
      expect(rows.some((r) => r[0]?.includes(`[${vesselIds[1] as string}]`))).toBe(false);
    } finally {
      await p.close();
    }
  }, 180_000);

  it('pushes a package to a real HTTPS receiver that fails twice, then accepts it; every attempt is a receipt', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qtled-packages-'));
    // The receiver's certificate, self-signed for 127.0.0.1 (openssl, as an operator would make one).
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=partner receiver',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'receiver.key'),
      '-out',
      join(dir, 'receiver.crt'),
    ]);
    const cert = await readFile(join(dir, 'receiver.crt'), 'utf8');
    const received: { headers: Record<string, unknown>; body: Buffer }[] = [];
    let requests = 0;
    const server = createServer({ key: await readFile(join(dir, 'receiver.key')), cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests += 1;
        if (requests <= 2) {
          res.writeHead(503).end();
          return;
        }
        received.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(201).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${String((server.address() as AddressInfo).port)}/packages`;
    const now = { ms: Date.parse('2026-12-03T02:00:00Z') };
    const p = await platform(dir, now);
    try {
      await p
        .scheduler(PackagesConfig.parse({ partners: [{ partner: 'nedo', scope: 'emissions' }] }))
        .runOnce();
      const target = {
        url,
        authorization: 'Bearer partner-secret',
        attempts: 5,
        retryBaseMs: 10,
        timeoutMs: 5_000,
      };
      // A receiver whose certificate the CA given does not sign is refused: nothing is sent.
      const otherCa = join(dir, 'other.crt');
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=someone else',
        '-keyout',
        join(dir, 'other.key'),
        '-out',
        otherCa,
      ]);
      const refused = await deliverPending(
        p.outbox,
        'nedo',
        { ...target, ca: await readFile(otherCa, 'utf8'), attempts: 1 },
        { clock: { now: () => now.ms }, logger },
      );
      expect(refused).toEqual([{ packageId: 'nedo-2026-11-v1', delivered: false, attempts: 1 }]);
      expect(requests).toBe(0);

      const outcome = await deliverPending(
        p.outbox,
        'nedo',
        { ...target, ca: cert },
        {
          clock: { now: () => now.ms },
          logger,
        },
      );
      expect(outcome).toEqual([{ packageId: 'nedo-2026-11-v1', delivered: true, attempts: 3 }]);
      expect(received).toHaveLength(1);
      const [delivery] = received;
      expect(delivery?.headers).toMatchObject({
        'content-type': 'application/zip',
        'x-package-id': 'nedo-2026-11-v1',
        authorization: 'Bearer partner-secret',
      });
      const zipPath = join(dir, 'received.zip');
      await writeFile(zipPath, delivery?.body ?? Buffer.alloc(0));
      const { files } = await readPackageFiles(zipPath);
      expect(verifyPackage(files, { publicKeyPem: p.signer.publicKeyPem }).problems).toEqual([]);
      const receipts = (await p.outbox.receipts('nedo')).filter((r) => r.kind === 'delivery');
      expect(receipts.map((r) => [r.outcome, r.detail?.replace(/:.*$/, '')])).toEqual([
        ['failed', 'attempt 1'],
        ['failed', 'attempt 1'],
        ['failed', 'attempt 2'],
        ['ok', 'attempt 3'],
      ]);
      expect(receipts[1]?.detail).toBe('attempt 1: HTTP 503');
      // Delivered once: the next pass sends nothing.
      expect(
        await deliverPending(
          p.outbox,
          'nedo',
          { ...target, ca: cert },
          { clock: { now: () => now.ms }, logger },
        ),
      ).toEqual([]);
      expect(requests).toBe(3);
    } finally {
      server.close();
      await p.close();
    }
  }, 120_000);
});
