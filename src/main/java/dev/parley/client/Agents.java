package dev.parley.client;

import dev.parley.client.model.Agent;
import dev.parley.client.model.AgentInput;

/** Agents ({@code parley.api.v1.agents.*}): create, list, listAll, get, delete. */
public final class Agents extends Directory<AgentInput, Agent> {
  Agents(ParleyClient client) {
    super(client, "Agent", AgentInput::toJson, Agent::fromJson);
  }
}
