import type { GatewayLogger } from './ports.js';

/**
 * The gateway's background work, counted so that `whenIdle` and a graceful stop know when nothing runs.
 * Timers must never see a rejection, so failures end here, logged.
 */
export interface Activity {
  /** Pieces of work running now. */
  readonly busy: number;
  /** Counts one piece of work until the returned `done` is called (which notifies the watcher). */
  begin(): () => void;
  /** Runs background work, counted; its failure is logged (unless the gateway stopped), never thrown. */
  run(work: () => Promise<void>): void;
  /** Something changed that may make the gateway idle or drained (an ack, a lost connection). */
  notify(): void;
  /** The one watcher called on every notify (the gateway's idle and drain checks). */
  watch(listener: () => void): void;
}

export interface ActivityDeps {
  isStopped: () => boolean;
  log: GatewayLogger;
}

export function createActivity(deps: ActivityDeps): Activity {
  let busy = 0;
  let watcher: (() => void) | undefined;
  const notify = (): void => {
    watcher?.();
  };
  const begin = (): (() => void) => {
    busy += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      busy -= 1;
      notify();
    };
  };
  return {
    get busy() {
      return busy;
    },
    begin,
    run(work) {
      const done = begin();
      void work()
        .catch((error: unknown) => {
          if (!deps.isStopped()) deps.log.error({ err: error }, 'gateway task failed');
        })
        .finally(done);
    },
    notify,
    watch(listener) {
      watcher = listener;
    },
  };
}
