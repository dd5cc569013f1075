import type Database from 'better-sqlite3';
import {
  type NewDeadLetter,
  type StoredDeviceMessage,
  type StoredReading,
  type TelemetryStore,
  deviceMessageKey,
} from '@qt-led/store';

/**
 * The write side: readings, device messages and dead letters, each batch in one transaction. A reading or
 * device message already stored (same primary key) is ignored, never stored twice.
 */
export function readingWrites(db: Database.Database): Pick<TelemetryStore, 'writeReadings'> {
  const insert = db.prepare(`
    INSERT INTO readings (vessel, boot, seq, device_ms, received_ms, clock_skew_ms, gateway, time_source,
      led_power_w, led_energy_kwh, lamps_on, led_meter_id, fuel_rate_lph, fuel_total_l, fix, lat, lon, speed_kn,
      heading_deg)
    VALUES (@vesselId, @bootId, @seq, @deviceTimeMs, @receivedAtMs, @clockSkewMs, @gatewayId, @timeSource,
      @ledPowerW, @ledEnergyKwh, @lampsOn, @ledMeterId, @fuelRateLph, @fuelTotalL, @fix, @lat, @lon, @speedKn,
      @headingDeg)
    ON CONFLICT (vessel, boot, seq) DO NOTHING`);
  const insertMany = db.transaction((rows: readonly StoredReading[]) => {
    for (const row of rows) insert.run(row);
  });
  return {
    writeReadings(readings) {
      insertMany(readings);
      return Promise.resolve();
    },
  };
}

export function deviceMessageWrites(db: Database.Database): Pick<TelemetryStore, 'writeDeviceMessages'> {
  const insertDevice = db.prepare(`
    INSERT INTO device_messages (vessel, kind, key, at_ms, received_ms, gateway, boot, payload)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (vessel, kind, key) DO NOTHING`);
  const insertDevices = db.transaction((messages: readonly StoredDeviceMessage[]) => {
    for (const m of messages) {
      insertDevice.run(
        m.vesselId,
        m.kind,
        deviceMessageKey(m),
        m.atMs,
        m.receivedAtMs,
        m.gatewayId,
        m.bootId,
        JSON.stringify(m.payload),
      );
    }
  });
  return {
    writeDeviceMessages(messages) {
      insertDevices(messages);
      return Promise.resolve();
    },
  };
}

export function deadLetterWrites(db: Database.Database): Pick<TelemetryStore, 'addDeadLetters'> {
  const insertLetter = db.prepare(`
    INSERT INTO dead_letters (received_ms, topic, reason, message, payload, payload_encoding, payload_bytes)
    VALUES (@receivedAtMs, @topic, @reason, @message, @payload, @payloadEncoding, @payloadBytes)`);
  const insertLetters = db.transaction((letters: readonly NewDeadLetter[]) => {
    for (const letter of letters) insertLetter.run(letter);
  });
  return {
    addDeadLetters(letters) {
      insertLetters(letters);
      return Promise.resolve();
    },
  };
}
