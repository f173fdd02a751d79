// lifecycle is the door to the expiry loop: auto-pause / auto-destroy of timed-out or idle sandboxes.
export { createLifecycleLoop, type LifecycleLoop, type LifecycleOptions } from "./loop.js";
export { reapStuckCreates, STUCK_AFTER_S } from "./stuck.js";
