import { Agent, type ClientRequestArgs } from "node:http";
import type { Duplex } from "node:stream";
import type { EnvdDialer } from "./dialer.js";

/**
 * DialerAgent is an http.Agent whose connections come from an EnvdDialer instead of a TCP connect,
 * so Connect RPCs and /files share a keep-alive pool over vsock, a netns forwarder or plain TCP.
 */
export class DialerAgent extends Agent {
  readonly #dialer: EnvdDialer;
  readonly #port: number;

  constructor(dialer: EnvdDialer, port: number) {
    super({ keepAlive: true, maxSockets: 16, maxFreeSockets: 4, timeout: 0 });
    this.#dialer = dialer;
    this.#port = port;
  }

  /** createConnection dials asynchronously and hands the stream to Node through the callback. */
  override createConnection(
    _options: ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    this.#dialer.connect(this.#port).then(
      (stream) => callback?.(null, stream),
      (err: Error) => callback?.(err, undefined as unknown as Duplex),
    );
    return undefined;
  }
}
