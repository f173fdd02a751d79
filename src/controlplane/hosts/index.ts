// hosts is the door to the host agents: cached Connect clients and the registry that registers,
// heartbeats and marks stale the hosts listed in WRENN_AGENTS.
export { type AgentClient, type AgentClients, createAgentClients } from "./clients.js";
export {
  createHostRegistry,
  type HostRegistry,
  type HostRegistryOptions,
  type RegistryLogger,
} from "./registry.js";
