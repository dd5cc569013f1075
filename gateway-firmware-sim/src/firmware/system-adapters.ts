import { statfsSync } from 'node:fs';
import type { Clock, DiskInfo } from './ports.js';

/**
 * The Clock port on a real gateway. The wall clock is the system clock plus a correction the firmware
 * sets from GPS: an unprivileged process cannot set the system clock itself (on the device, chrony with
 * gpsd or `date -s` as root does that, and then the correction stays 0).
 */
export function systemClock(): Clock {
  let correctionMs = 0;
  return {
    wallMs: () => Date.now() + correctionMs,
    setWallMs: (ms) => {
      correctionMs = ms - Date.now();
    },
    monotonicMs: () => performance.now(),
    setTimer(delayMs, fn) {
      const timer = setTimeout(fn, Math.max(0, delayMs));
      return () => {
        clearTimeout(timer);
      };
    },
  };
}

/** Free space of the file system that holds `directory` (statvfs). */
export function statfsDisk(directory: string): DiskInfo {
  return {
    freeBytes() {
      const stats = statfsSync(directory);
      return stats.bavail * stats.bsize;
    },
  };
}
