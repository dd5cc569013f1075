import { fileURLToPath } from 'node:url';
import type { LocalDate } from '@qt-led/contract';

/**
 * The committed recording: one boat, one calendar month, the realistic faults of the seed and, so that the
 * replay meets what makes stores differ, a reboot, a replaced meter, resent batches, a corrupted frame and
 * two hours without GPS.
 */
export const RECORDING = {
  vesselId: 'QT-90145-TS',
  seed: 20_261_101,
  from: '2026-11-01' as LocalDate,
  toExclusive: '2026-12-01' as LocalDate,
  faults:
    'realistic,reboot:QT-90145-TS@9d,meter-replaced:QT-90145-TS@18d,duplicate-sends:QT-90145-TS@5d~6h,' +
    'corrupted-frame@12d,gps-loss:QT-90145-TS@20d~2h',
} as const;

export const RECORDING_PATH = fileURLToPath(
  new URL('../fixtures/qt-90145-ts-2026-11.mqtt.jsonl.br', import.meta.url),
);

/** One message as the gateway published it (JSON lines, Brotli-compressed): its channel below `<root>/v1/vessels/<id>/`, retain, payload. */
export interface RecordedLine {
  channel: string;
  retain: boolean;
  payload: string;
}
