import { type GatewayConfig, type VesselId, encodePayload, topicFor } from '@qt-led/contract';
import type { MqttClient } from 'mqtt';

/** How the simulated gateways upload: while history loads, and live. Everything else is factory. */
export type UploadProfile = 'history' | 'live';

/**
 * The downlink config the platform sends the simulated fleet (retained, so a boat out of coverage gets it
 * when it comes back). While history loads, live readings leave in batches of 10 (every 10 simulated
 * minutes) instead of 5: the same readings in half the ack round trips, which pace the load. Larger batches
 * were slower here (40 boats × 2 days: 5 → 45 s, 10 → 27–32 s, 20 → 40 s, 60 → 51 s), because the firmware
 * re-reads the unsent live readings from its disk queue after every sample to see whether a batch is due.
 * Live, a batch leaves every minute so the dashboard follows the boats closely (the factory's 300 s saves
 * radio time on a real boat; here the network is loopback).
 */
export function gatewayConfig(
  vesselId: VesselId,
  profile: UploadProfile,
  configVersion: number,
  issuedAtMs: number,
): GatewayConfig {
  return {
    schema: 'qtled.config/1',
    vesselId,
    configVersion,
    issuedAtMs,
    sampling: { intervalS: 60 },
    heartbeat: { intervalS: 300 },
    upload: {
      batchMaxReadings: 500,
      batchMaxAgeS: profile === 'history' ? 600 : 60,
      ackTimeoutS: 120,
      backfillMaxReadingsPerS: 100,
    },
  };
}

export async function publishGatewayConfigs(
  client: MqttClient,
  topicRoot: string,
  configs: readonly GatewayConfig[],
): Promise<void> {
  await Promise.all(
    configs.map((config) =>
      client.publishAsync(topicFor('config', config.vesselId, topicRoot), encodePayload('config', config), {
        qos: 1,
        retain: true,
      }),
    ),
  );
}
