// config is the host agent's configuration: WRENN_* environment variables validated once at start-up.
export { type AgentConfig, ConfigError, type HostPort, parseConfig } from "./schema.js";
