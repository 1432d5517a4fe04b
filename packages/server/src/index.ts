export {
  API_KEY_SCOPES,
  type ApiKeyRecord,
  checkKeySpec,
  createApiKey,
  readKeysFile,
  revokeApiKey,
} from './api-keys';
export type { ExportFormat } from './export/formats';
export { type ExportManifest, type ManifestCheck, verifyExportManifest } from './export/manifest';
export { SERVER_DEFAULTS } from './options';
export { createAuditServer } from './server';
export type * from './types';
