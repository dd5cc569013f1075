import type { ApiClient } from './client.js';
import type {
  ApiTokenRecord,
  CreatedApiToken,
  DeadLetter,
  PartnerId,
  Readiness,
  Role,
  TokenScope,
  UserAccount,
} from './types.js';

/**
 * A user as the admin routes answer: a partner's account speaks for one partner (whose data packages it
 * sees); null for every other role, and for a partner's account not yet given one.
 */
export interface AdminUser extends UserAccount {
  partner: PartnerId | null;
}

/** A token as the admin routes answer: a partner token may speak for one partner. */
export interface AdminToken extends ApiTokenRecord {
  partner: PartnerId | null;
}

export interface CreatedAdminToken extends CreatedApiToken {
  record: AdminToken;
}

/**
 * The admin routes (users, API tokens, ingest's operator view) over the client's transport. Only the admin
 * pages import it, so it loads with them and not with the fleet page.
 */
export interface AdminApi {
  /** Every user, ordered by username (the pages of `GET /api/v1/users`, followed to the end). */
  users(): Promise<AdminUser[]>;
  /** `partner` only with the role partner (the API answers 400 otherwise). */
  createUser(user: {
    username: string;
    role: Role;
    partner?: PartnerId | null;
    password: string;
  }): Promise<AdminUser>;
  /** A role other than partner clears the partner. */
  updateUser(
    username: string,
    change: { role?: Role; partner?: PartnerId | null; password?: string },
  ): Promise<AdminUser>;
  deleteUser(username: string): Promise<void>;
  /** Newest first, every page. */
  tokens(q: { includeRevoked: boolean }): Promise<AdminToken[]>;
  createToken(token: {
    name: string;
    role: Role;
    scopes?: readonly TokenScope[];
    /** Only with the role partner (else 400). */
    partner?: PartnerId;
    /** ISO 8601 instant. */
    expiresAt?: string;
  }): Promise<CreatedAdminToken>;
  revokeToken(id: string): Promise<AdminToken>;
  /** Prometheus text exposition; 503 `INGEST_NOT_IN_PROCESS` where ingest runs in its own process. */
  ingestMetrics(): Promise<string>;
  readiness(): Promise<Readiness>;
  deadLetters(q: { includeReplayed: boolean; limit: number }): Promise<DeadLetter[]>;
  deadLetter(id: string): Promise<DeadLetter>;
  /** Resolves when the letter passed validation and is stored; 409 `DEAD_LETTER_STILL_REFUSED` otherwise. */
  replayDeadLetter(id: string): Promise<void>;
}

/** A page runs to at most this many requests; 500 users or tokens a page is far past this fleet's needs. */
const MAX_PAGES = 20;

export function createAdminApi(client: ApiClient): AdminApi {
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> =>
    (await (await client.request(method, path, body === undefined ? {} : { body })).json()) as T;
  const at = (id: string): string => encodeURIComponent(id);

  return {
    async users() {
      const users: AdminUser[] = [];
      let after: string | null = null;
      for (let page = 0; page < MAX_PAGES; page++) {
        const query: string = after === null ? '' : `&after=${at(after)}`;
        const body: { users: AdminUser[]; nextAfter: string | null } = await json(
          'GET',
          `/api/v1/users?limit=500${query}`,
        );
        users.push(...body.users);
        after = body.nextAfter;
        if (after === null) break;
      }
      return users;
    },
    createUser: (user) => json<AdminUser>('POST', '/api/v1/users', user),
    updateUser: (username, change) => json<AdminUser>('PATCH', `/api/v1/users/${at(username)}`, change),
    async deleteUser(username) {
      await client.request('DELETE', `/api/v1/users/${at(username)}`);
    },
    async tokens(q) {
      const tokens: AdminToken[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < MAX_PAGES; page++) {
        const query: string = cursor === null ? '' : `&cursor=${at(cursor)}`;
        const body: { tokens: AdminToken[]; nextCursor: string | null } = await json(
          'GET',
          `/api/v1/tokens?limit=500&includeRevoked=${String(q.includeRevoked)}${query}`,
        );
        tokens.push(...body.tokens);
        cursor = body.nextCursor;
        if (cursor === null) break;
      }
      return tokens;
    },
    createToken: (token) => json<CreatedAdminToken>('POST', '/api/v1/tokens', token),
    revokeToken: (id) => json<AdminToken>('DELETE', `/api/v1/tokens/${at(id)}`),
    async ingestMetrics() {
      return (await client.request('GET', '/api/v1/ingest/metrics')).text();
    },
    async readiness() {
      return (await (await client.request('GET', '/readyz', { alsoOk: [503] })).json()) as Readiness;
    },
    async deadLetters(q) {
      const body = await json<{ deadLetters: DeadLetter[] }>(
        'GET',
        `/api/v1/ingest/dead-letters?limit=${q.limit}&includeReplayed=${String(q.includeReplayed)}`,
      );
      return body.deadLetters;
    },
    deadLetter: (id) => json<DeadLetter>('GET', `/api/v1/ingest/dead-letters/${at(id)}`),
    async replayDeadLetter(id) {
      await client.request('POST', `/api/v1/ingest/dead-letters/${at(id)}/replay`, { body: {} });
    },
  };
}
