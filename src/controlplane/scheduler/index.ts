// scheduler is the door to sandbox placement: one interface, SingleHost and LeastLoaded strategies.
export { createLeastLoaded, createSingleHost, type Scheduler } from "./scheduler.js";
