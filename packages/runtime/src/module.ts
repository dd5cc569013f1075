import type { Logger } from './logger.js';

/**
 * A capability of the platform (ingest, fleet status, emissions, the API, the simulated fleet, the embedded
 * broker and store) as one process runs it. A module is built from its slice of the validated configuration
 * and the dependencies it shares with the others; it touches no environment and no process state, so
 * `npm start`, each compose service and the tests run the same code.
 */
export interface ServiceModule {
  /** Shown in logs and in stop errors. */
  readonly name: string;
  start(): Promise<void>;
  /** Finishes or hands back what is in flight, then releases what `start` took. */
  stop(): Promise<void>;
}

/** The modules a process has started, stopped in reverse order. */
export interface ModuleStack {
  /** Starts `module` and keeps it for `stop`; returns it, so its products can be handed to the next one. */
  add<M extends ServiceModule>(module: M): Promise<M>;
  readonly names: readonly string[];
  /** Stops every started module, the last started first; an error in one does not keep the others running. */
  stop(): Promise<void>;
}

export function createModuleStack(logger: Logger): ModuleStack {
  const started: ServiceModule[] = [];
  let stopping: Promise<void> | undefined;
  return {
    async add(module) {
      if (stopping !== undefined) throw new Error(`cannot start ${module.name}: the process is stopping`);
      await module.start();
      started.push(module);
      logger.debug({ module: module.name }, 'module started');
      return module;
    },
    get names() {
      return started.map((m) => m.name);
    },
    stop() {
      stopping ??= (async () => {
        for (const module of started.splice(0).reverse()) {
          try {
            await module.stop();
            logger.debug({ module: module.name }, 'module stopped');
          } catch (err) {
            logger.error({ err, module: module.name }, 'module did not stop cleanly');
          }
        }
      })();
      return stopping;
    },
  };
}

/**
 * Builds and starts a process's modules in order with `assemble`; if one fails to start, the ones already
 * started are stopped (in reverse) before the error is rethrown. What `assemble` returns (the products of
 * the modules a caller needs: a URL, a store) comes back as `assembled`.
 */
export async function startModules<T = void>(
  logger: Logger,
  assemble: (stack: ModuleStack) => Promise<T>,
): Promise<ModuleStack & { readonly assembled: T }> {
  const stack = createModuleStack(logger);
  try {
    const assembled = await assemble(stack);
    return Object.assign(stack, { assembled });
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/** A module from plain start/stop functions, for small parts that need no factory of their own. */
export function defineModule(
  name: string,
  parts: { start?: () => Promise<void> | void; stop?: () => Promise<void> | void },
): ServiceModule {
  return {
    name,
    async start() {
      await parts.start?.();
    },
    async stop() {
      await parts.stop?.();
    },
  };
}
