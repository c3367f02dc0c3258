package dev.parley.rules;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import dev.parley.schedule.CallWindow;
import dev.parley.schedule.CallZones;

import java.util.regex.Pattern;

/**
 * The input rules that the API and the admin CLI share, each in one place: phone numbers, a
 * company's time zone, calling window and concurrency slots. A rule returns the value in the form
 * it is stored in, or throws {@link IllegalArgumentException} with the message a client reads: the
 * API puts it under the field in VALIDATION_FAILED, the CLI after the option's name. Zones and
 * windows are decided by the time-zone engine ({@link CallZones}, {@link CallWindow}), which the
 * dispatcher evaluates with the same code.
 *
 * <p>The OpenAPI document states the same forms and bounds as schema patterns and limits, so a
 * request can be refused before it reaches these rules; the API reports those refusals with the
 * messages here, and {@code RulesTest} checks that the document agrees with them.
 */
public final class Rules {
  private Rules() {}

  public static final int MIN_CONCURRENT_CALLS = 1;
  public static final String TOO_FEW_SLOTS = "must be at least " + MIN_CONCURRENT_CALLS;
  public static final String PHONE_FORM = "not a valid phone number in E.164 form (+ and country code)";
  public static final String PHONE_UNREAL = "not a valid phone number";
  /** E.164: a plus, a country code that does not start with 0, at most 15 digits in all. */
  public static final Pattern E164 = Pattern.compile("^\\+[1-9][0-9]{6,14}$");

  private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

  /** A phone number in E.164 form that libphonenumber knows to be a real number; returned as given. */
  public static String phoneNumber(String number) {
    if (number == null || !E164.matcher(number).matches()) throw new IllegalArgumentException(PHONE_FORM);
    try {
      if (!PHONES.isValidNumber(PHONES.parse(number, null))) throw new IllegalArgumentException(PHONE_UNREAL);
    } catch (NumberParseException e) {
      throw new IllegalArgumentException(PHONE_FORM);
    }
    return number;
  }

  /** A company's zone in its stored form ({@link CallZones#canonical}). */
  public static String timezone(String zone) {
    return CallZones.canonical(zone);
  }

  /** A company's calling window ({@link CallWindow#parse}); stored as given. */
  public static String callWindow(String window) {
    CallWindow.parse(window);
    return window;
  }

  /** A company's concurrency slots: at least {@value #MIN_CONCURRENT_CALLS}. Only the operator sets them (the admin CLI). */
  public static int maxConcurrentCalls(int slots) {
    if (slots < MIN_CONCURRENT_CALLS) throw new IllegalArgumentException(TOO_FEW_SLOTS);
    return slots;
  }
}
