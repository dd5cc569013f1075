import { createHash } from 'node:crypto';
import { request } from 'node:https';
import type { PartnerId } from '@qt-led/contract';
import type { Logger } from '@qt-led/runtime';
import type { Outbox } from './outbox.js';
import { zipPackage } from './package-files.js';

/** Where and how a partner's packages are pushed. */
export interface DeliveryTarget {
  /** The partner's HTTPS endpoint; each package is POSTed to it as a zip. */
  url: string;
  /** `Authorization` header value (e.g. `Bearer …`), from the variable the schedule names; none if absent. */
  authorization?: string;
  /** PEM of the CA that signed the endpoint's certificate, when it is not a public one. */
  ca?: string;
  /** Attempts per package and pass before the pass gives up (the next pass tries again). */
  attempts: number;
  /** First wait between attempts; doubled each time (1 s, 2 s, 4 s … by default), capped at a minute. */
  retryBaseMs: number;
  /** One attempt's time limit. */
  timeoutMs: number;
}

export interface DeliveryOutcome {
  packageId: string;
  delivered: boolean;
  attempts: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One POST; resolves with the status code, rejects on a network or TLS error or the time limit. */
function post(
  target: DeliveryTarget,
  packageId: string,
  zip: Buffer,
  manifestSha256: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(target.url);
    if (url.protocol !== 'https:') {
      reject(new Error(`refusing to deliver over ${url.protocol}: partners' endpoints must be https`));
      return;
    }
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/zip',
          'content-length': String(zip.length),
          'x-package-id': packageId,
          'x-package-sha256': createHash('sha256').update(zip).digest('hex'),
          'x-manifest-sha256': manifestSha256,
          ...(target.authorization === undefined ? {} : { authorization: target.authorization }),
        },
        ...(target.ca === undefined ? {} : { ca: target.ca }),
        timeout: target.timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${String(target.timeoutMs)} ms`)));
    req.on('error', reject);
    req.end(zip);
  });
}

/**
 * Pushes every package of a partner that has no successful delivery receipt, oldest first, each with
 * retries and exponential backoff; every attempt is a receipt (`delivery`, ok or failed, with the status
 * or the error). A 2xx answer is a delivery; anything else, or no answer, is retried. A package that still
 * fails is left for the next pass: the receipts are the state, so a restart retries what is undelivered.
 */
export async function deliverPending(
  outbox: Outbox,
  partner: PartnerId,
  target: DeliveryTarget,
  deps: { clock: { now(): number }; logger: Logger; stopped?: () => boolean },
): Promise<DeliveryOutcome[]> {
  const receipts = await outbox.receipts(partner);
  const delivered = new Set(
    receipts.filter((r) => r.kind === 'delivery' && r.outcome === 'ok').map((r) => r.packageId),
  );
  const pending = (await outbox.list(partner)).filter((p) => !delivered.has(p.packageId)).reverse();
  const outcomes: DeliveryOutcome[] = [];
  for (const summary of pending) {
    if (deps.stopped?.() === true) break;
    const files = await outbox.read(summary.packageId);
    if (files === undefined) continue;
    const zip = await zipPackage(summary.packageId, files);
    const manifest = files.get('manifest.json') ?? Buffer.alloc(0);
    const manifestSha256 = createHash('sha256').update(manifest).digest('hex');
    let ok = false;
    let attempt = 0;
    while (!ok && attempt < target.attempts && deps.stopped?.() !== true) {
      attempt += 1;
      let detail: string;
      try {
        const status = await post(target, summary.packageId, zip, manifestSha256);
        ok = status >= 200 && status < 300;
        detail = `HTTP ${String(status)}`;
      } catch (error) {
        detail = (error as Error).message;
      }
      await outbox.receipt(partner, {
        atMs: deps.clock.now(),
        packageId: summary.packageId,
        kind: 'delivery',
        by: target.url,
        outcome: ok ? 'ok' : 'failed',
        detail: `attempt ${String(attempt)}: ${detail}`,
      });
      if (!ok) {
        deps.logger.warn(
          { packageId: summary.packageId, attempt, detail },
          'partner package delivery failed',
        );
        if (attempt < target.attempts) await sleep(Math.min(60_000, target.retryBaseMs * 2 ** (attempt - 1)));
      }
    }
    if (ok)
      deps.logger.info({ packageId: summary.packageId, attempts: attempt }, 'partner package delivered');
    outcomes.push({ packageId: summary.packageId, delivered: ok, attempts: attempt });
  }
  return outcomes;
}
