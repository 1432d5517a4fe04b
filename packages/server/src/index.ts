export {
  API_KEY_SCOPES,
  type ApiKeyRecord,
  checkKeySpec,
  createApiKey,
  readKeysFile,
  revokeApiKey,
} from './api-keys';
export { SERVER_DEFAULTS } from './options';
export { createAuditServer } from './server';
export type * from './types';
