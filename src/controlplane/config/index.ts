// config is the control plane's configuration: environment variables validated once at start-up.
export { ConfigError, type ControlPlaneConfig, parseConfig } from "./schema.js";
