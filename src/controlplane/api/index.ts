// api is the door to the control plane's REST API (Hono): createApi builds the app from explicit deps,
// serveApi listens with WebSockets attached. Tests call app.request() on the real app.
export { createApi } from "./app.js";
export type { ApiDeps, ApiEnv, ApiLimits, ApiLogger, E2bCompatOptions } from "./deps.js";
export { DEFAULT_ENVD_VERSION } from "./e2b-view.js";
export { type ApiServer, serveApi } from "./serve.js";
