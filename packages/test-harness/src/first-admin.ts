import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** A JSON POST to the API: a path under its base URL, a body, an optional bearer token. */
export type ApiPost = (
  path: string,
  body: unknown,
  token?: string,
) => Promise<{ status: number; body: string }>;

/** `ApiPost` over HTTP (`fetch`) to a running API. */
export function fetchPost(baseUrl: string): ApiPost {
  return async (path, body, token) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.text() };
  };
}

export interface ClaimedAdmin {
  readonly username: string;
  /** The password the first admin now has (the one-time one is spent). */
  readonly password: string;
  readonly token: string;
}

/**
 * What a newcomer does first: log in with the first admin's one-time credentials (`initial-admin.json`),
 * set a password of their own (a random one here), and log in with it. The one-time password opens nothing
 * else, so every test and benchmark that acts as the admin starts here.
 */
export async function claimFirstAdmin(post: ApiPost, credentialsPath: string): Promise<ClaimedAdmin> {
  const file = JSON.parse(await readFile(credentialsPath, 'utf8')) as { username: string; password: string };
  const login = async (password: string): Promise<string> => {
    const response = await post('/api/v1/auth/login', { username: file.username, password });
    if (response.status !== 200)
      throw new Error(`login ${file.username}: ${response.status} ${response.body}`);
    return (JSON.parse(response.body) as { token: string }).token;
  };
  const oneTime = await login(file.password);
  const password = `first-admin-${randomBytes(18).toString('base64url')}`;
  const changed = await post(
    '/api/v1/auth/password',
    { currentPassword: file.password, newPassword: password },
    oneTime,
  );
  if (changed.status !== 204) throw new Error(`password change: ${changed.status} ${changed.body}`);
  return { username: file.username, password, token: await login(password) };
}
