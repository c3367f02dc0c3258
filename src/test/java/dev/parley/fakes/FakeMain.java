package dev.parley.fakes;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A fake platform on its own, for bench/platform-pace.sh: {@code java -cp target/test-classes:target/parley.jar
 * dev.parley.fakes.FakeMain vapi|retell}. Prints {@code {"url", "apiKey"}} on one line, then answers
 * each line {@code report} on standard input with one JSON line: the creates it received (each with
 * the callId Parley gave it and its arrival time in ms), how many it refused for the rate or
 * concurrency, and the requests its platform's schema refused. Standard input's end stops it.
 */
public final class FakeMain {
  private FakeMain() {}

  public static void main(String[] args) throws Exception {
    boolean vapi = args.length > 0 && args[0].equals("vapi");
    if (!vapi && !(args.length > 0 && args[0].equals("retell"))) {
      System.err.println("usage: FakeMain vapi|retell");
      System.exit(2);
    }
    FakePlatform platform = vapi ? new FakeVapi() : new FakeRetell();
    // calls end at once: the bench measures creates, not conversations
    platform.defaultScript(Script.answered().ringMs(20).talkMs(50).noRecording());
    System.out.println(new JsonObject().put("url", platform.url()).put("apiKey", platform.apiKey()).encode());
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (!line.trim().equals("report")) continue;
      List<Received> creates = vapi ? ((FakeVapi) platform).creates() : ((FakeRetell) platform).creates();
      JsonArray accepted = new JsonArray(), refusedAt = new JsonArray();
      for (Received c : creates) {
        if (c.callId() == null) { // refused: no call was made
          refusedAt.add(c.at().toEpochMilli());
          continue;
        }
        JsonObject body = c.json();
        String callId = vapi ? body.getString("name") : body.getJsonObject("metadata", new JsonObject()).getString("parley_call_id");
        accepted.add(new JsonObject().put("callId", callId).put("atMs", c.at().toEpochMilli()));
      }
      System.out.println(new JsonObject().put("creates", accepted).put("refusedAtMs", refusedAt).put("received", creates.size())
        .put("refused", vapi ? 0 : ((FakeRetell) platform).rateLimited().size() + ((FakeRetell) platform).concurrencyRefused().size())
        .put("violations", platform.violations().size()).encode());
    }
    platform.close();
  }
}
