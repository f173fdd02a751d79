// qemu is the QEMU microvm backend: argv building, accelerator detection, QMP and the driver.
export { type Accelerator, type AcceleratorChoice, detectAccelerator, hostTscKhz } from "./accel.js";
export { TCG_TB_CACHE_MIB } from "./args.js";
export { QemuDriver, type QemuDriverOptions } from "./driver.js";
export { QmpClient, QmpError, type QmpEvent } from "./qmp.js";
