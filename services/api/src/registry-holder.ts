import type { FleetRegistry, RegistryIndex } from '@qt-led/contract';

/**
 * The fleet registry the platform currently works with, replaceable at run time (admin `PUT
 * /api/v1/registry`). `index` is a stable view that always delegates to the current registry: hand it to
 * the services built once at start-up (emissions, fleet status) and they see a replacement immediately.
 */
export interface RegistryHolder {
  /** Stable delegating view; never changes identity. */
  readonly index: RegistryIndex;
  current(): RegistryIndex;
  replace(next: RegistryIndex): void;
  /** Called after each replacement; returns the unsubscribe function. */
  onReplace(listener: (next: RegistryIndex) => void): () => void;
}

export function createRegistryHolder(initial: RegistryIndex): RegistryHolder {
  let current = initial;
  const listeners = new Set<(next: RegistryIndex) => void>();
  const index: RegistryIndex = {
    get registry(): FleetRegistry {
      return current.registry;
    },
    vessel: (vesselId) => current.vessel(vesselId),
    configOn: (vesselId, date) => current.configOn(vesselId, date),
    configAt: (vesselId, instant) => current.configAt(vesselId, instant),
    versionsBetween: (vesselId, fromDate, toDateExclusive) =>
      current.versionsBetween(vesselId, fromDate, toDateExclusive),
    vesselForGateway: (gatewayId, date) => current.vesselForGateway(gatewayId, date),
  };
  return {
    index,
    current: () => current,
    replace(next) {
      current = next;
      for (const listener of listeners) listener(next);
    },
    onReplace(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
