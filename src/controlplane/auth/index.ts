// auth is the door to API-key authentication: key format and hashing, the key store (create, verify,
// revoke), the first-key bootstrap for single-node mode, and log redaction so keys never reach logs.
export {
  displayKey,
  E2B_PREFIX,
  generateApiKey,
  KEY_PREFIX,
  type ParsedKey,
  parseApiKey,
} from "./api-key.js";
export { BOOTSTRAP_KEY_NAME, type BootstrapResult, DEFAULT_TEAM, ensureBootstrapKey } from "./bootstrap.js";
export {
  type ApiKeyRecord,
  createKey,
  type KeyIdentity,
  listKeys,
  type NewKey,
  revokeKey,
  type VerifyOptions,
  verifyKey,
} from "./key-store.js";
export { redactHeaders, redactKeys } from "./redact.js";
