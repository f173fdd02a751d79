// firecracker is the Firecracker backend: a typed API client, jailer argv, API call sequences and the driver.
export { FirecrackerApi, FirecrackerApiError } from "./api.js";
export { FirecrackerDriver, type FirecrackerDriverOptions } from "./driver.js";
export { API_SOCK, type JailerOptions, jailerArgv, jailerRoot } from "./jailer.js";
export { bootArgs, configureAndStart, createSnapshot, type GuestPaths, loadSnapshot } from "./sequence.js";
export type {
  BootSource,
  Drive,
  InstanceAction,
  InstanceInfo,
  Logger,
  MachineConfig,
  Metrics,
  NetworkInterface,
  SnapshotCreate,
  SnapshotLoad,
  VmStateChange,
  Vsock,
} from "./types.js";
