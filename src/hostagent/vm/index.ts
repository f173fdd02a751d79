// vm is the host agent's door to VMM backends: the VmmDriver contract, its error type and the
// QEMU microvm and Firecracker drivers.
export type {
  BootOptions,
  SnapshotFiles,
  SnapshotOptions,
  VmHandle,
  VmmDriver,
  VmmKind,
  VmNetwork,
  VmSpec,
} from "./driver.js";
export { VmError, type VmErrorCode } from "./errors.js";
export { FirecrackerDriver, type FirecrackerDriverOptions, type JailerOptions } from "./firecracker/index.js";
export {
  type Accelerator,
  type AcceleratorChoice,
  detectAccelerator,
  QemuDriver,
  type QemuDriverOptions,
  TCG_TB_CACHE_MIB,
} from "./qemu/index.js";
