import type { Alarm, StreamEvents, VesselStatus } from './types.js';

export type LiveState = 'connecting' | 'open' | 'closed';

export interface LiveListeners {
  status?: (status: VesselStatus) => void;
  alarm?: (alarm: Alarm) => void;
  reading?: (reading: StreamEvents['reading']) => void;
}

export interface LiveFeed {
  subscribe(listeners: LiveListeners): () => void;
  onState(listener: (state: LiveState) => void): () => void;
  readonly state: LiveState;
  close(): void;
}

/**
 * Live updates over SSE (`GET /api/v1/stream?access_token=`; EventSource cannot send headers). The browser
 * reconnects by itself after a drop; listeners survive reconnection, so pages only subscribe once.
 */
export function createLiveFeed(baseUrl: string, token: string): LiveFeed {
  const listeners = new Set<LiveListeners>();
  const stateListeners = new Set<(state: LiveState) => void>();
  let state: LiveState = 'connecting';
  const setState = (next: LiveState): void => {
    if (next === state) return;
    state = next;
    for (const listener of stateListeners) listener(state);
  };

  const source = new EventSource(`${baseUrl}/api/v1/stream?access_token=${encodeURIComponent(token)}`);
  source.addEventListener('open', () => setState('open'));
  source.addEventListener('error', () =>
    setState(source.readyState === EventSource.CLOSED ? 'closed' : 'connecting'),
  );

  function on(name: keyof StreamEvents): void {
    source.addEventListener(name, (event) => {
      let data: unknown;
      try {
        data = unwrap(name, JSON.parse((event as MessageEvent<string>).data));
      } catch {
        return; // A malformed event is dropped; the next status pass corrects the view.
      }
      for (const l of listeners) (l[name] as ((d: unknown) => void) | undefined)?.(data);
    });
  }
  on('status');
  on('alarm');
  on('reading');

  return {
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onState(l) {
      stateListeners.add(l);
      return () => stateListeners.delete(l);
    },
    get state() {
      return state;
    },
    close() {
      source.close();
      setState('closed');
    },
  };
}

/** The server may send the bare object or the fleet-status change (`{ type: 'status', status }`). */
function unwrap(name: string, parsed: unknown): unknown {
  if (typeof parsed === 'object' && parsed !== null && name in parsed) {
    const inner = (parsed as Record<string, unknown>)[name];
    if (typeof inner === 'object' && inner !== null) return inner;
  }
  return parsed;
}

/** For roles without the live stream (partners): never connects, never calls back. */
export function idleLiveFeed(): LiveFeed {
  return {
    subscribe: () => () => undefined,
    onState: () => () => undefined,
    state: 'closed',
    close: () => undefined,
  };
}
