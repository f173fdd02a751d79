import { SANDBOX_STATES, type SandboxState } from "../states/index.js";

export { SANDBOX_STATES, type SandboxState };

/**
 * TRANSITIONS is the sandbox state machine, the one place it is written down:
 * pending → starting → running ⇄ paused → hibernated → starting; any live state → stopped | error.
 * paused → starting exists so a resume can claim the row before restoring (a second resume gets 409).
 */
export const TRANSITIONS: Readonly<Record<SandboxState, readonly SandboxState[]>> = {
  pending: ["starting", "stopped", "error"],
  starting: ["running", "stopped", "error"],
  running: ["paused", "stopped", "error"],
  paused: ["starting", "running", "hibernated", "stopped", "error"],
  hibernated: ["starting", "stopped", "error"],
  stopped: [],
  error: ["stopped"],
};

/** isSandboxState narrows a string (an API filter, a DB row) to SandboxState. */
export function isSandboxState(s: string): s is SandboxState {
  return (SANDBOX_STATES as readonly string[]).includes(s);
}

/** canTransition tells whether `from → to` is an edge of the state machine. */
export function canTransition(from: SandboxState, to: SandboxState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** sourcesOf lists the states from which `to` can be reached, for `transition(sql, id, sourcesOf(to), to)`. */
export function sourcesOf(to: SandboxState): SandboxState[] {
  return SANDBOX_STATES.filter((s) => canTransition(s, to));
}

/** InvalidTransitionError is a programming error: code asked for an edge the state machine lacks. */
export class InvalidTransitionError extends TypeError {
  override readonly name = "InvalidTransitionError";
  constructor(from: SandboxState, to: SandboxState) {
    super(`sandbox state machine has no transition ${from} → ${to}`);
  }
}
