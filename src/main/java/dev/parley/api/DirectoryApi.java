package dev.parley.api;

import dev.parley.bus.Bus;
import dev.parley.config.ParleyConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/** Candidates and agents: the people interviewed and the interview templates. */
final class DirectoryApi {
  private final Vertx vertx;
  private final ParleyConfig config;

  DirectoryApi(Vertx vertx, ParleyConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  void register(Map<String, Operation> operations) {
    operations.put("createCandidate", this::createCandidate);
    operations.put("listCandidates", call -> list(Bus.CANDIDATE_LIST, call));
    operations.put("getCandidate", call -> InterviewApi.read(vertx, Bus.CANDIDATE_GET, call));
    operations.put("deleteCandidate", call -> delete(Bus.CANDIDATE_DELETE, call));
    operations.put("createAgent", this::createAgent);
    operations.put("listAgents", call -> list(Bus.AGENT_LIST, call));
    operations.put("getAgent", call -> InterviewApi.read(vertx, Bus.AGENT_GET, call));
    operations.put("deleteAgent", call -> delete(Bus.AGENT_DELETE, call));
  }

  private Future<Reply> createCandidate(ApiCall call) {
    JsonObject b = call.body();
    InputRules rules = new InputRules();
    if (b.getString("phoneNumber") == null) rules.add("phoneNumber", "is required");
    rules.phone("phoneNumber", b.getString("phoneNumber"));
    rules.metadata("metadata", b.getJsonObject("metadata"));
    rules.throwIfAny();
    return Bus.<String>request(vertx, Bus.CANDIDATE_CREATE, call.tenantRequest().put("body", b)).map(Reply::created);
  }

  private Future<Reply> createAgent(ApiCall call) {
    InputRules rules = new InputRules();
    rules.metadata("metadata", call.body().getJsonObject("metadata"));
    rules.throwIfAny();
    // an agent made with a live key is for live interviews: it needs a caller number as they do
    return Bus.<String>request(vertx, Bus.AGENT_CREATE,
      InterviewApi.callerRules(config, call.principal().livemode(), call.tenantRequest().put("body", call.body()))).map(Reply::created);
  }

  private Future<Reply> list(String address, ApiCall call) {
    return Bus.<String>request(vertx, address, InterviewApi.paging(call, call.tenantRequest())).map(Reply::ok);
  }

  private Future<Reply> delete(String address, ApiCall call) {
    return Bus.<Boolean>request(vertx, address, call.tenantRequest().put("id", call.path("id"))).map(v -> Reply.ok("true"));
  }
}
