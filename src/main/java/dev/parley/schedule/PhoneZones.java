package dev.parley.schedule;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberToTimeZonesMapper;
import com.google.i18n.phonenumbers.PhoneNumberUtil;

import java.time.DateTimeException;
import java.time.ZoneId;
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
      ZoneId.of(zones.get(0)); // only a zone the dispatcher can evaluate is stored
      return zones.get(0);
    } catch (DateTimeException e) {
      return null;
    } catch (NumberParseException e) {
      return null;
    }
  }
}
