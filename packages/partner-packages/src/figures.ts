import type { FleetResult, LocalDate, MethodologyParameterSet, VesselId } from '@qt-led/contract';

/** One fishing night (lamp-on intervals grouped by the evening they began, local time). */
export interface NightFigure {
  vesselId: VesselId;
  night: LocalDate;
  startMs: number;
  endMs: number;
  hours: number;
  ledEnergyKwh: number | null;
  /** Lamps lit on average while lit (the lamp count is recorded with every reading). */
  meanLampsOn: number;
}

/** One LED fault (the fleet status's `led-fault` alarm), clipped to the period. */
export interface LampFaultFigure {
  vesselId: VesselId;
  fromMs: number;
  toMs: number;
  /** Still raised at the end of the period (`toMs` is then the period's end). */
  open: boolean;
  detail: string;
}

export interface LedPerformanceData {
  nights: NightFigure[];
  lampFaults: LampFaultFigure[];
}

/**
 * Everything a package's figures come from; `figures.json` in a package is its canonical JSON, its hash is
 * the manifest's `figuresSha256`, and a later version is compared with it to list restatements.
 */
export interface PackageFigures {
  result: FleetResult;
  methodology: MethodologyParameterSet;
  /** For the LED-performance scope; null for the emissions scope. */
  led: LedPerformanceData | null;
}
