import { describe, expect, it } from 'vitest';
import { calculateFleet } from './calculate.js';
import { canonicalJson } from './canonical-json.js';
import { loadBuiltInMethodology } from './methodologies.js';
import { diffResults } from './restatement.js';
import {
  THREE_NIGHTS,
  localMs,
  threeNightsInput,
  threeNightsRegister,
  readingsEvery,
} from './scenarios.fixture.js';

const electricity = loadBuiltInMethodology('qtled-vn006-electricity-ratio');

describe('restatements', () => {
  const all = readingsEvery(THREE_NIGHTS.firstReadingMs, THREE_NIGHTS.lastReadingMs, 1, threeNightsRegister);
  // Issued while the readings after 3 Mar 20:00 had not arrived (a boat still out of coverage).
  const issued = calculateFleet(electricity, {
    period: THREE_NIGHTS.period,
    vessels: [threeNightsInput(all.filter((r) => r.atMs <= localMs('2024-03-03', 20)))],
  });
  const stored: unknown = JSON.parse(canonicalJson(issued));

  it('finds nothing to restate when the result is recomputed from the same data', () => {
    const again = calculateFleet(electricity, {
      period: THREE_NIGHTS.period,
      vessels: [threeNightsInput(all.filter((r) => r.atMs <= localMs('2024-03-03', 20)))],
    });
    expect(diffResults(stored, again)).toEqual([]);
  });

  it('lists every changed figure with its path, old and new value when late data arrives', () => {
    const late = calculateFleet(electricity, {
      period: THREE_NIGHTS.period,
      vessels: [threeNightsInput(all)],
    });
    const changes = diffResults(stored, late);
    const byPath = new Map(changes.map((c) => [c.path, c]));
    // Of night 3 the 2 h to 20:00 were known (50 + 40 + 9 = 99 kWh); late readings add 4 h to midnight (18 kWh).
    const er = byPath.get('vessels[QT-90001-TS].emissionReductionsTco2');
    expect(er?.kind).toBe('changed');
    expect(er?.old).toBeCloseTo(99 * 0.001066, 12);
    expect(er?.new).toBeCloseTo(117 * 0.001066, 12);
    expect(byPath.get('fleet.energyMwh')).toMatchObject({ kind: 'changed' });
    expect(byPath.get('provenance.inputSha256')).toMatchObject({
      old: issued.provenance.inputSha256,
      new: late.provenance.inputSha256,
    });
    expect(byPath.has('provenance.parameterSetSha256')).toBe(false);
    // The trailing unobserved window disappears: reported once, whole.
    expect(byPath.get('vessels[QT-90001-TS].unobservedWindows[0]')).toMatchObject({
      kind: 'removed',
      new: null,
    });
  });

  it('reports a vessel added to the fleet as one change, and matches vessels by id rather than position', () => {
    const a = { vessels: [{ vesselId: 'QT-90002-TS', er: 1 }] };
    const b = {
      vessels: [
        { vesselId: 'QT-90001-TS', er: 5 },
        { vesselId: 'QT-90002-TS', er: 1 },
      ],
    };
    expect(diffResults(a, b)).toEqual([
      { path: 'vessels[QT-90001-TS]', kind: 'added', old: null, new: { vesselId: 'QT-90001-TS', er: 5 } },
    ]);
  });
});
