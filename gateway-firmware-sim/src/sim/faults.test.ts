import { describe, expect, it } from 'vitest';
import { faultEvents, parseDuration, parseFaultSpec, realisticFaults } from './faults.js';

const DAY = 86_400_000;

describe('faults', () => {
  it('reads durations', () => {
    expect(parseDuration('30d')).toBe(30 * DAY);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(() => parseDuration('3 days')).toThrow(/duration/);
  });

  it('reads a fault spec and reports every bad item at once', () => {
    const spec = parseFaultSpec('realistic,reboot:QT-90145-TS@2d,silent@5d~3d,lamp-failure@1d~2dx3');
    expect(spec.realistic).toBe(true);
    expect(spec.explicit).toEqual([
      { kind: 'reboot', vesselId: 'QT-90145-TS', offsetMs: 2 * DAY },
      { kind: 'silent', offsetMs: 5 * DAY, durationMs: 3 * DAY },
      { kind: 'lamp-failure', offsetMs: DAY, durationMs: 2 * DAY, lamps: 3 },
    ]);
    expect(() => parseFaultSpec('explode,reboot@soon')).toThrow(/"explode".*"reboot@soon"/);
    expect(parseFaultSpec('none')).toEqual({ realistic: false, explicit: [] });
  });

  it('draws realistic faults deterministically, at about the stated rates', () => {
    const vessels = Array.from({ length: 40 }, (_, i) => `QT-9${String(i).padStart(4, '0')}-TS`);
    const a = realisticFaults(1, vessels, 0, 300 * DAY);
    expect(realisticFaults(1, vessels, 0, 300 * DAY)).toEqual(a);
    const reboots = a.filter((f) => f.kind === 'reboot').length;
    // 1 per vessel per 30 days → 400 expected over 40 vessels × 300 days.
    expect(reboots).toBeGreaterThan(320);
    expect(reboots).toBeLessThan(480);
    expect(a.every((f) => f.atMs >= 0 && f.atMs < 300 * DAY)).toBe(true);
  });

  it('applies explicit faults to the named vessel or to all', () => {
    const events = faultEvents(parseFaultSpec('reboot@1h,gps-loss:B@2h'), 1, ['A', 'B'], 0, DAY);
    expect(events.map((e) => `${e.kind}:${e.vesselId}`)).toEqual(['reboot:A', 'reboot:B', 'gps-loss:B']);
    expect(() => faultEvents(parseFaultSpec('reboot:C@1h'), 1, ['A'], 0, DAY)).toThrow(/not simulated/);
  });

  it('jumps the RTC only on demand, by the duration (default an hour)', () => {
    const events = faultEvents(
      parseFaultSpec('rtc-jump-ahead:A@1h,rtc-jump-back:B@2h~2d'),
      1,
      ['A', 'B'],
      0,
      DAY,
    );
    expect(events.map((e) => [e.kind, e.vesselId, e.durationMs])).toEqual([
      ['rtc-jump-ahead', 'A', 3_600_000],
      ['rtc-jump-back', 'B', 2 * DAY],
    ]);
    const drawn = realisticFaults(3, ['A', 'B', 'C'], 0, 3_650 * DAY).map((e) => e.kind);
    expect(drawn.filter((k) => k.startsWith('rtc-jump'))).toEqual([]);
  });
});
