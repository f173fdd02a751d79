// service is the host agent's network face: hostagent.v1 over Connect plus the envd pass-through.
export { AGENT_TOKEN_HEADER } from "./auth.js";
export type { CreateDefaults } from "./convert.js";
export { toConnectError } from "./errors.js";
export { PROXY_PREFIX } from "./proxy.js";
export { createHostAgentServer, type HostAgentServer, type HostAgentServerOptions } from "./server.js";
