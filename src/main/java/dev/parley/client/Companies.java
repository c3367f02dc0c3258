package dev.parley.client;

import dev.parley.client.ParleyClient.Kind;
import dev.parley.client.model.Company;
import dev.parley.client.model.CompanyCreate;
import dev.parley.client.model.CompanyUpdate;
import dev.parley.client.model.Page;
import dev.parley.client.model.PageRequest;
import dev.parley.client.model.PhoneNumber;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The caller's company, or an ATS partner's companies ({@code parley.api.v1.companies.*}). A
 * company key sees its own company; {@code create} and {@code list} are for partners.
 */
public final class Companies {
  private final ParleyClient client;

  Companies(ParleyClient client) {
    this.client = client;
  }

  public Future<Company> create(CompanyCreate company) {
    return create(company, CallOptions.NONE);
  }

  public Future<Company> create(CompanyCreate company, CallOptions options) {
    return client.<JsonObject>call("createCompany", new JsonObject().put("body", company.toJson()), Kind.WRITE, options)
      .map(Company::fromJson);
  }

  public Future<Page<Company>> list(PageRequest page) {
    return list(page, CallOptions.NONE);
  }

  public Future<Page<Company>> list(PageRequest page, CallOptions options) {
    JsonObject message = new JsonObject();
    if (page != null) page.putInto(message);
    return client.<JsonObject>call("listCompanies", message, Kind.READ, options).map(json -> Page.fromJson(json, Company::fromJson));
  }

  /** Every company the credential sees, {@code pageSize} at a time, at most {@code max}. */
  public Future<List<Company>> listAll(int pageSize, int max) {
    return ParleyClient.all(this::list, pageSize, max);
  }

  public Future<Company> get(String id) {
    return get(id, CallOptions.NONE);
  }

  public Future<Company> get(String id, CallOptions options) {
    return client.<JsonObject>call("getCompany", ParleyClient.withId(id), Kind.READ, options).map(Company::fromJson);
  }

  /** Changes what a tenant may change (docs/api.md): {@code maxConcurrentCalls} is the operator's and refused. */
  public Future<Company> update(String id, CompanyUpdate update) {
    return update(id, update, CallOptions.NONE);
  }

  public Future<Company> update(String id, CompanyUpdate update, CallOptions options) {
    return client.<JsonObject>call("updateCompany", ParleyClient.withId(id).put("body", update.toJson()), Kind.WRITE, options)
      .map(Company::fromJson);
  }

  /** The company's caller numbers. */
  public Future<Page<PhoneNumber>> phoneNumbers(String id, PageRequest page) {
    return phoneNumbers(id, page, CallOptions.NONE);
  }

  public Future<Page<PhoneNumber>> phoneNumbers(String id, PageRequest page, CallOptions options) {
    JsonObject message = ParleyClient.withId(id);
    if (page != null) page.putInto(message);
    return client.<JsonObject>call("listCompanyPhoneNumbers", message, Kind.READ, options)
      .map(json -> Page.fromJson(json, PhoneNumber::fromJson));
  }
}
