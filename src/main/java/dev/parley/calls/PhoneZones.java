package dev.parley.calls;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberToTimeZonesMapper;
import com.google.i18n.phonenumbers.PhoneNumberUtil;

import java.util.List;

/** The time zone a phone number is in, for calling windows (libphonenumber's geocoder data). */
public final class PhoneZones {
  private PhoneZones() {}

  /** The number's zone, or null when it has none or several that disagree on the country's default. */
  public static String zoneOf(String e164) {
    if (e164 == null) return null;
    try {
      List<String> zones = PhoneNumberToTimeZonesMapper.getInstance()
        .getTimeZonesForNumber(PhoneNumberUtil.getInstance().parse(e164, null));
      // Numbers of a country with several zones (e.g. US mobiles) list them all: take the first,
      // which is the geocoder's best guess, rather than fall back to the company's zone.
      if (zones.isEmpty() || zones.get(0).equals(PhoneNumberToTimeZonesMapper.getUnknownTimeZone())) return null;
      return zones.get(0);
    } catch (NumberParseException e) {
      return null;
    }
  }
}
