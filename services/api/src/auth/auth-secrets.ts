import { createHash, randomBytes } from 'node:crypto';
import { PARTNER_IDS, type PartnerId } from '@qt-led/contract';
import { type Role, type Scope, ROLES, SCOPES } from './permissions.js';

/** What sessions and API tokens share: the bearer-token format, its hash, and checks of stored values. */
export const SESSION_PREFIX = 'qtl_s_';
export const API_TOKEN_PREFIX = 'qtl_t_';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
export const newToken = (prefix: string): string => prefix + randomBytes(32).toString('base64url');

export function asRole(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value))
    throw new Error(`auth database holds an unknown role ${value}`);
  return value as Role;
}

export function asPartner(value: string | null): PartnerId | null {
  if (value === null) return null;
  const found = PARTNER_IDS.find((p) => p === value);
  if (found === undefined) throw new Error(`auth database holds an unknown partner ${value}`);
  return found;
}

export function asScopes(value: string | null): Scope[] | null {
  if (value === null) return null;
  const parsed = JSON.parse(value) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((s) => (SCOPES as readonly unknown[]).includes(s))) {
    throw new Error(`auth database holds unknown token scopes ${value}`);
  }
  return parsed as Scope[];
}
