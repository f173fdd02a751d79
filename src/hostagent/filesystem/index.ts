// filesystem is the host agent's door to disks: built template images, per-sandbox disk clones
// (reflink where possible), free-space checks and capacity figures.
export { type CloneMethod, type CloneOptions, type CloneResult, cloneDisk, deleteDisk } from "./clone.js";
export { FsError, type FsErrorCode } from "./errors.js";
export { growImage, isExt4 } from "./ext4.js";
export { reflinkSupported } from "./reflink.js";
export { DEFAULT_RESERVE_BYTES, type DiskSpace, diskSpace, ensureFree } from "./space.js";
export { type TemplateImage, type TemplateManifest, TemplateStore } from "./templates.js";
