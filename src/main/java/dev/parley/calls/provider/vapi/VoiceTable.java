package dev.parley.calls.provider.vapi;

import dev.parley.config.ConfigException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Which Vapi voice, transcriber and model an interview gets, from its agent's {@code language} and
 * {@code voiceId} (docs/providers.md, "Voices and languages"): the table
 * {@code providers/vapi-voices.json} in the jar, or the file PARLEY_VAPI_VOICES names. A voiceId
 * picks a male or a female voice; each language has one of each, a transcriber, and may have a
 * first message (else the model opens the call in the interview's language). A language the table
 * does not have takes its fallback language.
 */
final class VoiceTable {
  static final String BUILT_IN = "providers/vapi-voices.json";

  private final JsonObject table;

  private VoiceTable(JsonObject table, String source) {
    this.table = table;
    check(source);
  }

  /** The built-in table, or the file (checked now: a bad table stops the start with one line). */
  static VoiceTable load(String file) {
    if (file == null) {
      try (InputStream in = VoiceTable.class.getClassLoader().getResourceAsStream(BUILT_IN)) {
        if (in == null) throw new IllegalStateException(BUILT_IN + " missing from the jar");
        return new VoiceTable(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)), BUILT_IN);
      } catch (IOException e) {
        throw new IllegalStateException(BUILT_IN + " unreadable", e);
      }
    }
    try {
      return new VoiceTable(new JsonObject(Files.readString(Path.of(file))), "PARLEY_VAPI_VOICES=" + file);
    } catch (IOException e) {
      throw new ConfigException("PARLEY_VAPI_VOICES=" + file + ": cannot read it (" + e.getMessage() + ")");
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException("PARLEY_VAPI_VOICES=" + file + ": not a JSON object");
    }
  }

  private void check(String source) {
    if (!(table.getValue("model") instanceof JsonObject model) || model.getString("provider") == null || model.getString("model") == null) {
      throw new ConfigException(source + ": needs \"model\": {\"provider\", \"model\"}");
    }
    if (!(table.getValue("languages") instanceof JsonObject languages) || languages.isEmpty()) {
      throw new ConfigException(source + ": needs \"languages\", an object by language code");
    }
    for (String code : languages.fieldNames()) {
      JsonObject l = languages.getValue(code) instanceof JsonObject o ? o : null;
      if (l == null || l.getString("name") == null || !(l.getValue("transcriber") instanceof JsonObject)
        || !(l.getValue("voices") instanceof JsonObject voices)
        || !(voices.getValue("male") instanceof JsonObject) || !(voices.getValue("female") instanceof JsonObject)) {
        throw new ConfigException(source + ": language " + code + " needs \"name\", \"transcriber\" and \"voices\": {\"male\", \"female\"}");
      }
    }
    if (!languages.containsKey(fallbackLanguage())) {
      throw new ConfigException(source + ": the fallbackLanguage " + fallbackLanguage() + " is not in \"languages\"");
    }
  }

  private String fallbackLanguage() {
    return table.getString("fallbackLanguage", "EN");
  }

  private JsonObject language(String code) {
    JsonObject languages = table.getJsonObject("languages");
    String key = code == null ? fallbackLanguage() : code.toUpperCase(Locale.ROOT);
    return languages.containsKey(key) ? languages.getJsonObject(key) : languages.getJsonObject(fallbackLanguage());
  }

  /** The language's name, as the prompt says it ("Slovak"). */
  String languageName(String code) {
    return language(code).getString("name");
  }

  /** The LLM of the assistant: {@code {provider, model}}, a copy. */
  JsonObject model() {
    return table.getJsonObject("model").copy();
  }

  JsonObject transcriber(String language) {
    return language(language).getJsonObject("transcriber").copy();
  }

  /** The voice of this language whose gender the agent's voiceId has. */
  JsonObject voice(String language, String voiceId) {
    JsonObject genders = table.getJsonObject("voiceGenders", new JsonObject());
    String gender = voiceId == null ? null : genders.getString(voiceId.toUpperCase(Locale.ROOT));
    if (!"male".equals(gender) && !"female".equals(gender)) gender = table.getString("defaultGender", "female");
    return language(language).getJsonObject("voices").getJsonObject(gender).copy();
  }

  /** The language's first message with the candidate's first name and the company filled in, or null. */
  String firstMessage(String language, String candidateFirstName, String companyName) {
    String template = language(language).getString("firstMessage");
    if (template == null) return null;
    return template.replace("{candidateFirstName}", candidateFirstName == null ? "" : candidateFirstName)
      .replace("{companyName}", companyName == null ? "" : companyName).replace(" ,", ",").replace("  ", " ");
  }
}
