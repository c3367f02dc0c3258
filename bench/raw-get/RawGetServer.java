import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/**
 * The reference of bench/compare.sh for what a Vert.x server can do with GET /v1/interviews/{id}
 * on this machine: one verticle per core, no router, no authentication, no validation, no
 * envelope, no event bus; a pipelined pg client per event loop reading the stored document,
 * InterviewStore's GET statement, and writing it as the body. It checks nothing a real server
 * must (the Authorization header is ignored): it is the ceiling, not a server.
 *
 *   java -cp target/parley.jar bench/raw-get/RawGetServer.java PORT DATABASE_URL
 */
public class RawGetServer extends VerticleBase {
  private static final String GET = "SELECT company_id, doc FROM interviews WHERE id = $1";
  private static String url;
  private static int port;
  private SqlClient client;

  public static void main(String[] args) {
    port = Integer.parseInt(args[0]);
    url = args[1];
    int cores = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(RawGetServer::new, new DeploymentOptions().setInstances(cores))
      .onSuccess(id -> System.out.println("raw GET server on 127.0.0.1:" + port + ", " + cores + " event loops"))
      .onFailure(e -> {
        e.printStackTrace();
        System.exit(1);
      });
  }

  @Override
  public Future<?> start() {
    // as Parley's read client: 4 connections per instance, each pipelining up to 256 queries, the
    // statement prepared once per connection
    client = PgBuilder.client().with(new PoolOptions().setMaxSize(4))
      .connectingTo(PgConnectOptions.fromUri(url).setPipeliningLimit(256)
        .setCachePreparedStatements(true).setPreparedStatementCacheMaxSize(256))
      .using(vertx).build();
    PreparedQuery<RowSet<Row>> get = client.preparedQuery(GET);
    return vertx.createHttpServer().requestHandler(request -> {
      String path = request.path();
      UUID id;
      try {
        id = UUID.fromString(path.substring(path.lastIndexOf('/') + 1));
      } catch (IllegalArgumentException e) {
        request.response().setStatusCode(400).end();
        return;
      }
      get.execute(Tuple.of(id)).onComplete(ar -> {
        if (ar.failed() || ar.result().size() == 0) {
          request.response().setStatusCode(ar.failed() ? 500 : 404).end();
          return;
        }
        request.response().putHeader("Content-Type", "application/json")
          .end(Buffer.buffer(ar.result().iterator().next().getString(1)));
      });
    }).listen(port, "127.0.0.1");
  }
}
