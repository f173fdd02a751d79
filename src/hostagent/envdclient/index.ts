// envdclient is the host agent's door to envd in a sandbox: dialers (TCP, netns forwarder,
// Firecracker hybrid vsock) and a Connect + REST client that runs over any of them.

export { DialerAgent } from "./agent.js";
export { createEnvdClient, type EnvdClient, type EnvdClientOptions, waitForEnvd } from "./client.js";
export { ENVD_PORT, type EnvdDialer, tcpDialer } from "./dialer.js";
export { EnvdError, type EnvdErrorCode } from "./errors.js";
export type { ExecEvent, ExecHandle, ExecOptions, ExecResult } from "./exec.js";
export type { FileEntry, FileOptions } from "./files.js";
export type { InitRequest, WaitHealthyOptions } from "./health.js";
export { type NetnsTcpDialerOptions, netnsTcpDialer, stopForwarders } from "./netns-dialer.js";
export { vsockUdsDialer } from "./vsock.js";
