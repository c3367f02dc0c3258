package dev.parley.support;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** A PostgreSQL container for machines with a Docker engine; null where there is none. */
final class Containers {
  private Containers() {}

  private static PostgreSQLContainer container;

  static synchronized TestDatabase.Server postgres() {
    if (container == null) {
      boolean docker;
      try {
        docker = DockerClientFactory.instance().isDockerAvailable();
      } catch (Throwable e) {
        docker = false; // it can throw instead of answering false
      }
      if (!docker) return null;
      container = new PostgreSQLContainer("postgres:15-alpine");
      container.start();
    }
    return new TestDatabase.Server(container.getHost(), container.getMappedPort(5432), container.getUsername(),
      container.getPassword(), container.getDatabaseName());
  }
}
