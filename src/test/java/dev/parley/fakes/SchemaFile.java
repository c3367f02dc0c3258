package dev.parley.fakes;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One schema excerpt of src/test/resources/providers/, compiled once per JVM (compiling the big Vapi
 * files takes a few hundred milliseconds; every fake instance shares the compiled validator).
 */
final class SchemaFile {
  private static final Map<String, SchemaFile> CACHE = new ConcurrentHashMap<>();

  final String resource;
  final JsonObject json;
  private final Validator validator;

  private SchemaFile(String resource) {
    this.resource = resource;
    this.json = new JsonObject(text(resource));
    // the options the excerpts were checked with (SOURCE.md): draft 2020-12, refs resolved against this base
    this.validator = Validator.create(JsonSchema.of(json), new JsonSchemaOptions()
      .setDraft(Draft.DRAFT202012).setBaseUri("https://parley.test/").setOutputFormat(OutputFormat.Basic));
  }

  static SchemaFile of(String resource) {
    return CACHE.computeIfAbsent(resource, SchemaFile::new);
  }

  static String text(String resource) {
    try (InputStream in = SchemaFile.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("no resource " + resource);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The errors of {@code instance} against the schema, one line each ("instance location: error"); empty when valid. */
  List<String> validate(Object instance) {
    OutputUnit out = validator.validate(instance);
    List<String> errors = new ArrayList<>();
    if (Boolean.TRUE.equals(out.getValid())) return errors;
    List<String> all = new ArrayList<>();
    if (out.getErrors() != null) {
      for (OutputUnit e : out.getErrors()) {
        String line = (e.getInstanceLocation() == null ? "#" : e.getInstanceLocation()) + ": " + e.getError();
        all.add(line);
        // the Basic output also lists every enclosing "does not match" step; the leaves say what is wrong
        if (!isWrapper(e.getError())) errors.add(line);
      }
    }
    if (errors.isEmpty()) errors.addAll(all);
    if (errors.isEmpty()) errors.add(out.getInstanceLocation() + ": " + out.getError());
    return errors;
  }

  private static boolean isWrapper(String error) {
    return error == null || error.startsWith("A subschema had errors") || error.contains("does not match schema")
      || error.startsWith("Instance does not match every subschema") || error.startsWith("Items did not match schema")
      || error.contains("does not match additional properties schema");
  }

  /** The names under {@code properties} of the root ({@code def == null}) or of {@code $defs[def]}. */
  Set<String> propertiesOf(String def) {
    JsonObject node = def == null ? json : json.getJsonObject("$defs").getJsonObject(def);
    if (node == null || node.getJsonObject("properties") == null) throw new IllegalStateException(resource + " has no properties at " + def);
    return new LinkedHashSet<>(node.getJsonObject("properties").fieldNames());
  }
}
