// config is the host agent's configuration: WRENN_* environment variables validated once at start-up.
export { ConfigError } from "../../shared/config/index.js";
export { type AgentConfig, type HostPort, parseConfig } from "./schema.js";
