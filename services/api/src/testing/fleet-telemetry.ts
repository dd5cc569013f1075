import { HOME_PORTS } from '@qt-led/fleet-status';
import {
  type FleetTelemetry,
  type FleetTelemetryOptions,
  generateFleetTelemetry as generate,
} from '@qt-led/test-harness';

export type { FleetTelemetry } from '@qt-led/test-harness';

/**
 * The harness's synthetic fleet telemetry with the boats starting from the moorings the fleet status
 * service knows, so a boat at home is "in port" to the API: every vessel leaves in the afternoon, steams
 * 20–30 nm out (beyond coastal coverage, so the night's readings reach the platform only when the boat is
 * back), fishes under its lamps and returns in the morning.
 */
export function generateFleetTelemetry(options: Omit<FleetTelemetryOptions, 'homePorts'>): FleetTelemetry {
  return generate({ homePorts: HOME_PORTS, ...options });
}
