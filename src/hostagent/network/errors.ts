/** NetworkErrorCode is the closed set of network-layer failures. */
export type NetworkErrorCode =
  | "invalid_config" // a name, address or MAC is malformed
  | "command_failed" // an ip/nft/sysctl command failed (its stderr is in the message)
  | "invalid_cidr" // an egress-policy or base CIDR is not an IPv4 address or CIDR
  | "exhausted" // every /30 of the base CIDR is in use
  | "not_found" // no network slot with that id or sandbox
  | "state_corrupt" // the persisted allocation file cannot be read back
  | "closed"; // the network manager was closed

/** NetworkError is the one error type the network module throws. */
export class NetworkError extends Error {
  override readonly name = "NetworkError";
  readonly code: NetworkErrorCode;
  constructor(code: NetworkErrorCode, message: string, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.code = code;
  }
}
