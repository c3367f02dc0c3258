package dev.parley.cluster;

import dev.parley.bus.Bus;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/** Every internal address of {@link Bus}: its address constants that are neither cluster nor public. */
final class InternalAddresses {
  private InternalAddresses() {}

  static List<String> all() {
    List<String> out = new ArrayList<>();
    for (Field f : Bus.class.getFields()) {
      if (!Modifier.isStatic(f.getModifiers()) || f.getType() != String.class) continue;
      try {
        String value = (String) f.get(null);
        if (value.startsWith("parley.") && !value.startsWith("parley.cluster.") && !value.startsWith("parley.api.")) out.add(value);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
    if (out.size() < 30) throw new IllegalStateException("expected the internal addresses of Bus, found " + out);
    return out;
  }
}
