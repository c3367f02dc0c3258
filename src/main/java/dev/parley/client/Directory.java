package dev.parley.client;

import dev.parley.client.ParleyClient.Kind;
import dev.parley.client.model.Page;
import dev.parley.client.model.PageRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.Function;

/**
 * What candidates and agents share: a company's directory of one kind of record, made from an
 * input ({@code I}) and read back as {@code T}: create, list (by cursor), get, delete.
 */
public abstract class Directory<I, T> {
  private final ParleyClient client;
  private final String create, list, get, delete;
  private final Function<I, JsonObject> write;
  private final Function<JsonObject, T> read;

  Directory(ParleyClient client, String resource, Function<I, JsonObject> write, Function<JsonObject, T> read) {
    this.client = client;
    this.create = "create" + resource;
    this.list = "list" + resource + "s";
    this.get = "get" + resource;
    this.delete = "delete" + resource;
    this.write = write;
    this.read = read;
  }

  public Future<T> create(I input) {
    return create(input, CallOptions.NONE);
  }

  public Future<T> create(I input, CallOptions options) {
    return client.<JsonObject>call(create, new JsonObject().put("body", write.apply(input)), Kind.WRITE, options).map(read);
  }

  public Future<Page<T>> list(PageRequest page) {
    return list(page, CallOptions.NONE);
  }

  public Future<Page<T>> list(PageRequest page, CallOptions options) {
    JsonObject message = new JsonObject();
    if (page != null) page.putInto(message);
    return client.<JsonObject>call(list, message, Kind.READ, options).map(json -> Page.fromJson(json, read));
  }

  /** Every record, walking the cursor {@code pageSize} at a time, at most {@code max}. */
  public Future<List<T>> listAll(int pageSize, int max) {
    return ParleyClient.all(this::list, pageSize, max);
  }

  public Future<T> get(String id) {
    return get(id, CallOptions.NONE);
  }

  public Future<T> get(String id, CallOptions options) {
    return client.<JsonObject>call(get, ParleyClient.withId(id), Kind.READ, options).map(read);
  }

  /** Deletes the record: true. */
  public Future<Boolean> delete(String id) {
    return delete(id, CallOptions.NONE);
  }

  public Future<Boolean> delete(String id, CallOptions options) {
    return client.<Boolean>call(delete, ParleyClient.withId(id), Kind.WRITE, options);
  }
}
