// Test code: an in-memory stand-in for an MQTT broker, for unit tests of the gateway without a network.
// Exact-topic subscriptions, retained messages, last wills; everything is delivered in microtasks.
import type { MqttConnector } from '../src/firmware/ports.js';

export interface FakeMessage {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
}

export interface FakeBroker {
  readonly connector: MqttConnector;
  /** Everything the gateways published (wills included), in order. */
  readonly published: FakeMessage[];
  /** Publishes as the platform, to every session subscribed to the topic. */
  send(topic: string, payload: string, retain: boolean): void;
  /** Called for each gateway publish, after it is recorded. */
  onPublish: (message: FakeMessage) => void;
  /** Drops every connection as a dying radio link would (wills are published). */
  dropAll(): void;
}

export function createFakeBroker(): FakeBroker {
  const retained = new Map<string, string>();
  const sessions = new Set<{
    subs: Set<string>;
    deliver: (topic: string, payload: string) => void;
    drop: () => void;
  }>();
  const broker: FakeBroker = {
    published: [],
    onPublish: () => undefined,
    send(topic, payload, retain) {
      if (retain) retained.set(topic, payload);
      for (const s of sessions) if (s.subs.has(topic)) s.deliver(topic, payload);
    },
    dropAll() {
      for (const s of [...sessions]) s.drop();
    },
    connector: (options, handlers) => {
      let connected = false;
      const subs = new Set<string>();
      const record = (message: FakeMessage): void => {
        broker.published.push(message);
        if (message.retain) retained.set(message.topic, message.payload);
        broker.onPublish(message);
      };
      const entry = {
        subs,
        deliver: (topic: string, payload: string) => {
          queueMicrotask(() => {
            if (connected) handlers.onMessage(topic, Buffer.from(payload));
          });
        },
        drop: () => {
          if (!connected) return;
          connected = false;
          sessions.delete(entry);
          record({ topic: options.will.topic, payload: options.will.payload, retain: options.will.retain });
          handlers.onClose();
        },
      };
      queueMicrotask(() => {
        connected = true;
        sessions.add(entry);
        handlers.onConnect();
      });
      return {
        get connected() {
          return connected;
        },
        async publish(topic, payload, publishOptions) {
          await Promise.resolve();
          if (!connected) throw new Error('not connected');
          record({ topic, payload, retain: publishOptions.retain });
        },
        async subscribe(filters) {
          await Promise.resolve();
          for (const f of filters) {
            subs.add(f);
            const r = retained.get(f);
            if (r !== undefined) entry.deliver(f, r);
          }
        },
        async close(graceful) {
          await Promise.resolve();
          if (graceful) {
            connected = false;
            sessions.delete(entry);
          } else entry.drop();
        },
      };
    },
  };
  return broker;
}
