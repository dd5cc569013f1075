import { LIVE_WITHOUT_SIMULATION } from '@qt-led/contract/code-lists';
import type {
  Alarm,
  AlarmState,
  ApiErrorBody,
  CompletenessMatrix,
  EmissionsReport,
  EmissionsResult,
  FishingNight,
  LocalDate,
  LoginResponse,
  Me,
  PackageIssueOutcome,
  PackageReceipt,
  PackageScheduleEntry,
  PackageSigningKey,
  PackageSummary,
  PartnerId,
  PlatformPhase,
  SeriesField,
  SeriesResponse,
  Trip,
  VesselDetail,
  VesselDetailResponse,
  VesselId,
  VesselStatus,
  VesselSummary,
  VesselView,
} from './types.js';

/** An HTTP error from the API, with its stable code (`{ error: { code, message } }`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export type ExportFormat = 'csv' | 'xlsx';

export interface EmissionsQuery {
  from: LocalDate;
  to: LocalDate;
  variant: string;
  vessel?: VesselId;
}

export interface ApiClient {
  login(username: string, password: string): Promise<LoginResponse>;
  logout(): Promise<void>;
  /** Changes the caller's own password; every session of theirs ends (log in again). */
  changePassword(currentPassword: string, newPassword: string): Promise<void>;
  /** Who the token belongs to, with the partner a partner's account speaks for. */
  me(): Promise<Me>;
  vessels(): Promise<VesselSummary[]>;
  vessel(id: VesselId): Promise<VesselDetail>;
  series(
    id: VesselId,
    q: { fromMs: number; toMs: number; step: string; fields: readonly SeriesField[] },
  ): Promise<SeriesResponse>;
  trips(q: { vessel?: VesselId; fromMs: number; toMs: number }): Promise<Trip[]>;
  nights(q: { vessel?: VesselId; fromMs: number; toMs: number }): Promise<FishingNight[]>;
  alarms(q: { state?: AlarmState; vessel?: VesselId; limit?: number }): Promise<Alarm[]>;
  acknowledge(alarmId: string): Promise<Alarm>;
  completeness(q: { from: LocalDate; to: LocalDate }): Promise<CompletenessMatrix>;
  emissions(q: EmissionsQuery): Promise<EmissionsResult>;
  /** The export file as the server wrote it, and the name it suggests. */
  emissionsExport(q: EmissionsQuery, format: ExportFormat): Promise<{ blob: Blob; fileName: string }>;
  /** Issued packages, newest period first: every partner's for analysts and admins, a partner its own. */
  packages(partner?: PartnerId): Promise<PackageSummary[]>;
  packageSchedule(): Promise<PackageScheduleEntry[]>;
  /** A partner's receipts (issues, downloads, delivery attempts), oldest first. */
  packageReceipts(partner: PartnerId): Promise<PackageReceipt[]>;
  /** Issue a partner's month now (`YYYY-MM`; default the last complete one). */
  issuePackage(request: { partner: PartnerId; month?: string }): Promise<PackageIssueOutcome>;
  /** The whole package as a zip, and the name the server suggests. */
  packageDownload(packageId: string): Promise<{ blob: Blob; fileName: string }>;
  /** The public key every package is signed with (no login needed). */
  packageSigningKey(): Promise<PackageSigningKey>;
  /** Loading the simulated history, catching up, or live (an API without the route is live). */
  platformPhase(): Promise<PlatformPhase>;
  /**
   * The transport itself (token, errors, 401), for the admin pages' client (`api/admin.ts`), which loads
   * with those pages only. `alsoOk`: statuses whose body is an answer, not an error (`/readyz`'s 503).
   */
  request(method: string, path: string, options?: RequestOptions): Promise<Response>;
}

export interface RequestOptions {
  body?: unknown;
  alsoOk?: readonly number[];
}

export interface ApiClientDeps {
  /** Base of the API, '' when the dashboard is served by the API itself. */
  baseUrl: string;
  token: () => string | null;
  /** Called on 401: the session expired or was revoked. */
  onUnauthorized: () => void;
  fetch?: typeof fetch;
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** A file the API sends as an attachment, named as its `content-disposition` says (else `fallback`). */
async function attachment(response: Response, fallback: string): Promise<{ blob: Blob; fileName: string }> {
  const disposition = response.headers.get('content-disposition') ?? '';
  const named = /filename="?([^";]+)"?/.exec(disposition)?.[1];
  return { blob: await response.blob(), fileName: named ?? fallback };
}

/** Lists come either bare or wrapped (`{ alarms: [...] }`); accept both so a wrapper key is no surprise. */
function listOf<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  const wrapped = (body as Record<string, unknown> | null)?.[key];
  if (Array.isArray(wrapped)) return wrapped as T[];
  throw new ApiError(200, 'UNEXPECTED_RESPONSE', `expected a list under "${key}"`);
}

/** A vessel the status service has not evaluated yet reads as "no data", with nothing as evidence. */
export function withStatus<T extends VesselView>(v: T): Omit<T, 'status'> & { status: VesselStatus } {
  if (v.status !== null) return { ...v, status: v.status };
  const status: VesselStatus = {
    vesselId: v.vesselId,
    status: 'no-data',
    conditions: ['no-data'],
    sinceMs: null,
    explanation: 'No status has been evaluated for this vessel yet.',
    evidence: {
      lastReadingAtMs: v.latest?.deviceTimeMs ?? null,
      lastReceivedAtMs: null,
      presence: null,
      position: null,
      nearestPort: null,
      distanceToPortNm: null,
      tripState: 'unknown',
      heartbeat: null,
      ledPowerW: null,
      expectedLedPowerW: null,
      ledNormalDrawRatio: null,
      lampsOn: null,
      clockSkewMs: null,
    },
    details: [],
  };
  return { ...v, status };
}

export function createApiClient(deps: ApiClientDeps): ApiClient {
  const doFetch = deps.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  async function send(
    method: string,
    path: string,
    body?: unknown,
    alsoOk?: readonly number[],
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = deps.token();
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await doFetch(`${deps.baseUrl}${path}`, init);
    if (response.ok || alsoOk?.includes(response.status) === true) return response;
    let code = `HTTP_${response.status}`;
    let message = response.statusText;
    try {
      const parsed = (await response.json()) as Partial<ApiErrorBody>;
      if (parsed.error) ({ code, message } = parsed.error);
    } catch {
      // Not JSON (a proxy error page): keep the status line.
    }
    // A wrong password is the person's typo, not an ended session.
    if (response.status === 401 && !path.startsWith('/api/v1/auth/login') && path !== '/api/v1/auth/password')
      deps.onUnauthorized();
    throw new ApiError(response.status, code, message);
  }

  async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await send(method, path, body);
    return (await response.json()) as T;
  }

  return {
    login: (username, password) => json<LoginResponse>('POST', '/api/v1/auth/login', { username, password }),
    async logout() {
      await send('POST', '/api/v1/auth/logout');
    },
    async changePassword(currentPassword, newPassword) {
      await send('POST', '/api/v1/auth/password', { currentPassword, newPassword });
    },
    async me() {
      const body = await json<Me | { user: Me }>('GET', '/api/v1/auth/me');
      return 'user' in body ? body.user : body;
    },
    async vessels() {
      return listOf<VesselView>(await json('GET', '/api/v1/vessels'), 'vessels').map(withStatus);
    },
    async vessel(id) {
      return withStatus(await json<VesselDetailResponse>('GET', `/api/v1/vessels/${encodeURIComponent(id)}`));
    },
    series: (id, q) =>
      json<SeriesResponse>(
        'GET',
        `/api/v1/vessels/${encodeURIComponent(id)}/series${query({ from: iso(q.fromMs), to: iso(q.toMs), step: q.step, fields: q.fields.join(',') })}`,
      ),
    async trips(q) {
      return listOf<Trip>(
        await json(
          'GET',
          `/api/v1/trips${query({ vessel: q.vessel, from: iso(q.fromMs), to: iso(q.toMs) })}`,
        ),
        'trips',
      );
    },
    async nights(q) {
      return listOf<FishingNight>(
        await json(
          'GET',
          `/api/v1/nights${query({ vessel: q.vessel, from: iso(q.fromMs), to: iso(q.toMs) })}`,
        ),
        'nights',
      );
    },
    async alarms(q) {
      return listOf<Alarm>(
        await json('GET', `/api/v1/alarms${query({ state: q.state, vessel: q.vessel, limit: q.limit })}`),
        'alarms',
      );
    },
    async acknowledge(alarmId) {
      const body = await json<Alarm | { alarm: Alarm }>(
        'POST',
        `/api/v1/alarms/${encodeURIComponent(alarmId)}/acknowledge`,
        {},
      );
      return 'alarm' in body && typeof body.alarm === 'object' ? body.alarm : (body as Alarm);
    },
    completeness: (q) =>
      json<CompletenessMatrix>('GET', `/api/v1/completeness${query({ from: q.from, to: q.to })}`),
    async emissions(q) {
      const report = await json<EmissionsReport>(
        'GET',
        `/api/v1/emissions${query({ from: q.from, to: q.to, variant: q.variant, vessel: q.vessel, format: 'json' })}`,
      );
      return report.result;
    },
    async emissionsExport(q, format) {
      const response = await send(
        'GET',
        `/api/v1/emissions${query({ from: q.from, to: q.to, variant: q.variant, vessel: q.vessel, format })}`,
      );
      return attachment(response, `emissions-${q.from}-${q.to}-${q.variant}.${format}`);
    },
    async packages(partner) {
      return listOf<PackageSummary>(await json('GET', `/api/v1/packages${query({ partner })}`), 'packages');
    },
    async packageSchedule() {
      return listOf<PackageScheduleEntry>(await json('GET', '/api/v1/packages/schedule'), 'schedule');
    },
    async packageReceipts(partner) {
      return listOf<PackageReceipt>(
        await json('GET', `/api/v1/packages/receipts${query({ partner })}`),
        'receipts',
      );
    },
    issuePackage: (request) => json<PackageIssueOutcome>('POST', '/api/v1/packages/issue', request),
    async packageDownload(packageId) {
      const response = await send('GET', `/api/v1/packages/${encodeURIComponent(packageId)}/download`);
      return attachment(response, `${packageId}.zip`);
    },
    packageSigningKey: () => json<PackageSigningKey>('GET', '/api/v1/packages/signing-key'),
    async platformPhase() {
      try {
        return await json<PlatformPhase>('GET', '/api/v1/platform');
      } catch (error) {
        // An API from before the route has no simulated history to announce.
        if (error instanceof ApiError && error.status === 404) return LIVE_WITHOUT_SIMULATION;
        throw error;
      }
    },
    request: (method, path, options = {}) => send(method, path, options.body, options.alsoOk),
  };
}
