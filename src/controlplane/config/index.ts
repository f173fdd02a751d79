// config is the control plane's configuration: environment variables validated once at start-up.
export { ConfigError } from "../../shared/config/index.js";
export { type ControlPlaneConfig, parseConfig } from "./schema.js";
