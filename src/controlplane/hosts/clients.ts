import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { HostAgent } from "../../shared/gen/hostagent/v1/hostagent_pb.js";

/** AgentClient is a hostagent.v1 client for one host. */
export type AgentClient = Client<typeof HostAgent>;

/**
 * AgentClients hands out one cached Connect client per host address (h2c, one HTTP/2 session
 * reused by every call), each sending the shared agent token.
 */
export interface AgentClients {
  get(address: string): AgentClient;
  /** baseUrl is http://<address>, for the envd pass-through. */
  baseUrl(address: string): string;
  readonly token: string;
}

/** createAgentClients builds the cache; `token` is WRENN_AGENT_TOKEN. */
export function createAgentClients(token: string): AgentClients {
  const cache = new Map<string, AgentClient>();
  const baseUrl = (address: string) => (/^https?:\/\//.test(address) ? address : `http://${address}`);
  return {
    token,
    baseUrl,
    get(address) {
      let c = cache.get(address);
      if (!c) {
        c = createClient(
          HostAgent,
          createConnectTransport({
            baseUrl: baseUrl(address),
            httpVersion: "2",
            interceptors: [
              (next) => (req) => {
                req.header.set("authorization", `Bearer ${token}`);
                return next(req);
              },
            ],
          }),
        );
        cache.set(address, c);
      }
      return c;
    },
  };
}
