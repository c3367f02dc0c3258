package dev.parley.api;

import dev.parley.bus.Bus;
import dev.parley.client.ErrorCode;
import dev.parley.bus.ParleyException;
import dev.parley.rules.Rules;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * Companies. Only an ATS key creates them (the new company belongs to its partner); a company key
 * sees and changes its own company, an ATS key the companies its partner created. A tenant changes
 * its name, calling window, zone and metadata; capacity ({@code maxConcurrentCalls}) is the
 * operator's, set with {@code admin company capacity}: any key that sends it gets 403 and nothing
 * changes (docs/api.md, "What a company may change").
 */
final class CompanyApi {
  private final Vertx vertx;

  CompanyApi(Vertx vertx) {
    this.vertx = vertx;
  }

  void register(Map<String, Operation> operations) {
    operations.put("createCompany", this::create);
    operations.put("listCompanies", this::list);
    operations.put("getCompany", call -> Bus.<String>request(vertx, Bus.COMPANY_GET, call.caller().put("id", call.path("id"))).map(Reply::ok));
    operations.put("updateCompany", this::update);
    operations.put("listCompanyPhoneNumbers", call -> Bus.<String>request(vertx, Bus.COMPANY_PHONE_NUMBERS,
      InterviewApi.paging(call, call.caller().put("id", call.path("id")))).map(Reply::ok));
  }

  private Future<Reply> create(ApiCall call) {
    if (!call.principal().isPartner()) {
      throw new ParleyException(ErrorCode.INSUFFICIENT_PERMISSIONS, "Only an ATS partner key can create companies");
    }
    operatorOnly(call.body());
    check(call.body());
    return Bus.<String>request(vertx, Bus.COMPANY_CREATE, call.caller().put("body", call.body())).map(Reply::created);
  }

  private Future<Reply> list(ApiCall call) {
    return Bus.<String>request(vertx, Bus.COMPANY_LIST, InterviewApi.paging(call, call.caller())).map(Reply::ok);
  }

  private Future<Reply> update(ApiCall call) {
    operatorOnly(call.body());
    check(call.body());
    return Bus.<String>request(vertx, Bus.COMPANY_UPDATE, call.caller().put("id", call.path("id")).put("body", call.body()))
      .map(Reply::ok);
  }

  /** Capacity is the operator's: a request that sets it changes nothing. */
  private static void operatorOnly(JsonObject b) {
    if (b.containsKey("maxConcurrentCalls")) {
      throw new ParleyException(ErrorCode.INSUFFICIENT_PERMISSIONS, "maxConcurrentCalls is capacity, which the operator "
        + "sets (admin company capacity); leave it out of the request");
    }
  }

  private static void check(JsonObject b) {
    InputRules rules = new InputRules();
    String zone = rules.rule("timezone", b.getString("timezone"), Rules::timezone);
    if (zone != null) b.put("timezone", zone); // stored in the one form the dispatcher reads
    rules.rule("callWindow", b.getString("callWindow"), Rules::callWindow);
    rules.metadata("metadata", b.getJsonObject("metadata"));
    rules.throwIfAny();
  }
}
