// middleware collects the API's named middleware factories.
export { type AuthOptions, authenticate, presentedKey, requireKey } from "./auth.js";
export { jsonBodyLimit } from "./body-limit.js";
export { rateLimit } from "./rate-limit.js";
export { requestLog } from "./request-log.js";
