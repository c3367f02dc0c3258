package dev.parley.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The phone-number and slot rules, and the OpenAPI document's agreement with every shared rule.
 * Zones and windows themselves are tested in CallZonesTest and CallWindowTest.
 */
class RulesTest {

  @Test
  void aPhoneNumberIsARealNumberInE164Form() {
    assertThat(Rules.phoneNumber("+421915123456")).isEqualTo("+421915123456");
    assertThat(Rules.phoneNumber("+14155550123")).isEqualTo("+14155550123");
    for (String form : new String[] {"0915123456", "+421 915 123 456", "+4219", "421915123456", "+0421915123456", ""}) {
      assertThatThrownBy(() -> Rules.phoneNumber(form)).as(form).hasMessage(Rules.PHONE_FORM);
    }
    assertThatThrownBy(() -> Rules.phoneNumber("+10000000000")).hasMessage(Rules.PHONE_UNREAL);
  }

  @Test
  void aCompanyHasAtLeastOneSlot() {
    assertThat(Rules.maxConcurrentCalls(1)).isEqualTo(1);
    assertThat(Rules.maxConcurrentCalls(10000)).isEqualTo(10000);
    for (int bad : new int[] {0, -1}) {
      assertThatThrownBy(() -> Rules.maxConcurrentCalls(bad)).as("%d", bad).hasMessage(Rules.TOO_FEW_SLOTS);
    }
  }

  /** The document refuses a request before the rules see it: it must state the same forms and bounds. */
  @Test
  void theOpenApiDocumentStatesTheSameRules() throws Exception {
    JsonObject schemas;
    try (InputStream in = RulesTest.class.getResourceAsStream("/openapi.json")) {
      schemas = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8))
        .getJsonObject("components").getJsonObject("schemas");
    }
    assertThat(property(schemas, "CandidateInput", "phoneNumber").getString("pattern")).isEqualTo(Rules.E164.pattern());
    for (String company : new String[] {"CompanyCreate", "CompanyUpdate"}) {
      JsonObject slots = property(schemas, company, "maxConcurrentCalls");
      assertThat(slots.getInteger("minimum")).as(company).isEqualTo(Rules.MIN_CONCURRENT_CALLS);
      assertThat(slots.containsKey("maximum")).as(company + ": capacity is the operator's, with no API bound of its own").isFalse();
      Pattern window = Pattern.compile(property(schemas, company, "callWindow").getString("pattern"));
      for (String w : new String[] {"09:00-20:00", "00:00-24:00", "22:00-06:00", "23:59-00:00", "9:00-20:00",
          "09:00-24:01", "24:00-09:00", "25:00-26:00", "09:60-10:00", "09:00", "", "09:00-20:00 "}) {
        assertThat(window.matcher(w).find()).as("%s: %s", company, w).isEqualTo(parses(w));
      }
    }
  }

  private static JsonObject property(JsonObject schemas, String schema, String name) {
    return schemas.getJsonObject(schema).getJsonObject("properties").getJsonObject(name);
  }

  private static boolean parses(String window) {
    try {
      Rules.callWindow(window);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
