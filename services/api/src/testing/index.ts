// Test-only: resolves under the `source` condition (vitest, tsx) and is not part of the build output.
export { type ApiTestServer, startApiTestServer } from './api-server.js';
