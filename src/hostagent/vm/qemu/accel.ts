import { constants } from "node:fs";
import { access, readFile } from "node:fs/promises";

/** Accelerator is how QEMU runs guest code. */
export type Accelerator = "kvm" | "tcg";

/** AcceleratorChoice is the detected accelerator and the reason, reported in host status. */
export interface AcceleratorChoice {
  accel: Accelerator;
  reason: string;
}

/** AccelProbePaths are the files detection looks at (overridable in tests). */
export interface AccelProbePaths {
  kvmDev: string;
  pvmModule: string;
}

const DEFAULT_PATHS: AccelProbePaths = { kvmDev: "/dev/kvm", pvmModule: "/sys/module/kvm_pvm" };

/**
 * detectAccelerator picks KVM only when it really works for stock guest kernels: /dev/kvm must be
 * usable and must not be kvm_pvm (paravirtual KVM, under which unmodified kernels hang at boot).
 */
export async function detectAccelerator(paths: AccelProbePaths = DEFAULT_PATHS): Promise<AcceleratorChoice> {
  try {
    await access(paths.kvmDev, constants.R_OK | constants.W_OK);
  } catch {
    return { accel: "tcg", reason: `${paths.kvmDev} is missing or not accessible` };
  }
  try {
    await access(paths.pvmModule);
    return {
      accel: "tcg",
      reason: `${paths.kvmDev} is kvm_pvm (paravirtual KVM): stock guest kernels hang under it`,
    };
  } catch {
    return { accel: "kvm", reason: `${paths.kvmDev} is usable` };
  }
}

/**
 * hostTscKhz reads the host TSC rate for `tsc_early_khz=`: under TCG the guest TSC ticks at host speed,
 * and microvm has no PIT/HPET/PM timer to calibrate against, so without it early boot can hang.
 */
export async function hostTscKhz(cpuinfo = "/proc/cpuinfo"): Promise<number | undefined> {
  try {
    const text = await readFile(cpuinfo, "utf8");
    const m = /^cpu MHz\s*:\s*([0-9.]+)/m.exec(text);
    return m?.[1] ? Math.round(Number(m[1]) * 1000) : undefined;
  } catch {
    return undefined;
  }
}
