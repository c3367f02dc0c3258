# syntax=docker/dockerfile:1
# Parley: build the fat jar, then run it as a non-root user.
#   docker build -t parley .
#   docker run -p 8080:8080 -e DATABASE_URL=postgresql://user:pass@db-host:5432/parley \
#     -v /etc/parley/secrets.json:/run/secrets/parley.json:ro -e PARLEY_SECRETS_FILE=/run/secrets/parley.json parley
# With DATABASE_URL (or CLUSTER=true) the JWT keys and API-key pepper come from that file, owned by
# uid 10001 and mode 600 (`admin secrets generate`; docs/operations.md, "Secrets").
# Without DATABASE_URL / PG* variables the server starts its embedded PostgreSQL (linux-amd64 images
# only) with the data in /app/data, where it also generates its secrets; mount a volume there to keep it.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml ./
COPY src ./src
# The cache mount keeps ~/.m2 between builds (BuildKit, the default builder).
RUN --mount=type=cache,target=/root/.m2 mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 parley \
 && useradd --system --uid 10001 --gid parley --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin parley
WORKDIR /app
COPY --from=build /build/target/parley.jar /app/parley.jar
COPY conf/config.json /app/conf/config.json
RUN mkdir -p /app/data \
 && chown parley:parley /app/data \
 && chmod 0750 /app/data
USER parley
# 8080: the API; in cluster mode also Hazelcast (5701) and the event bus (PARLEY_CLUSTER_BUS_PORT,
# fixed for a container, e.g. 5702), on a network only the nodes share (docs/cluster.md)
EXPOSE 8080 5701 5702
VOLUME ["/app/data"]
# TERM starts the graceful shutdown (docs/operations.md, "Shutdown"): readiness 503, 5 s of drain,
# then at most 20 s for the work under way; stop with `docker stop -t 30` so it is not cut at 10 s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-jar", "/app/parley.jar"]
