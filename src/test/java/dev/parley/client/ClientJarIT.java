package dev.parley.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client jar the build makes (target/parley-VERSION-client.jar) stands alone: it holds
 * {@code dev.parley.client} and nothing else of Parley, a Vert.x service compiles against it,
 * vertx-core and the cluster manager without any class of the server, and its POM
 * (src/client/pom.xml) keeps the build's version and Vert.x version.
 */
class ClientJarIT {
  @TempDir
  Path out;

  static Path clientJar() throws Exception {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      List<Path> jars = files.filter(p -> p.getFileName().toString().matches("parley-.*-client\\.jar")).toList();
      assertThat(jars).as("the client jar in target/").hasSize(1);
      return jars.get(0);
    }
  }

  @Test
  void theJarHoldsTheClientPackageAlone() throws Exception {
    List<String> classes = new ArrayList<>();
    try (JarFile jar = new JarFile(clientJar().toFile())) {
      for (Enumeration<java.util.jar.JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
        String name = e.nextElement().getName();
        if (name.endsWith("/") || name.startsWith("META-INF/")) continue;
        classes.add(name);
      }
      assertThat(jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name")).isEqualTo("dev.parley.client");
    }
    assertThat(classes).allMatch(n -> n.startsWith("dev/parley/client/"), "in dev/parley/client/")
      .contains("dev/parley/client/ParleyClient.class", "dev/parley/client/ErrorCode.class", "dev/parley/client/Addresses.class",
        "dev/parley/client/model/Interview.class");
  }

  /** The test JVM's class path, read through failsafe's manifest-only jar when it uses one. */
  static List<Path> testClassPath() throws Exception {
    List<Path> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry);
      if (path.getFileName().toString().startsWith("surefirebooter") && path.toString().endsWith(".jar")) {
        try (JarFile booter = new JarFile(path.toFile())) {
          Manifest manifest = booter.getManifest();
          for (String url : manifest.getMainAttributes().getValue("Class-Path").split(" ")) {
            if (!url.isBlank()) entries.add(Path.of(URI.create(url)));
          }
        }
      } else {
        entries.add(path);
      }
    }
    return entries;
  }

  /** javac on the example client with this class path; the diagnostics when it fails, else null. */
  String compileExample(List<Path> classPath) throws Exception {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
      List<String> options = List.of("--release", "17", "-proc:none", "-d", Files.createTempDirectory(out, "classes").toString(),
        "-classpath", String.join(File.pathSeparator, classPath.stream().map(Path::toString).toList()));
      boolean ok = javac.getTask(null, files, diagnostics, options, null,
        files.getJavaFileObjects(Path.of("examples", "bus-client", "BusClient.java"))).call();
      return ok ? null : diagnostics.getDiagnostics().toString();
    }
  }

  /**
   * A service's compile: the example client against the client jar, vertx-core (with what it
   * needs: Netty, jackson-core) and the cluster manager (vertx-hazelcast, Hazelcast), and nothing
   * of the server. Without the client jar the same compile fails: the example's Parley types come
   * from the client jar alone.
   */
  @Test
  void aServiceCompilesAgainstTheClientJarAloneWithoutTheServer() throws Exception {
    List<Path> vertxAndClusterManager = testClassPath().stream().filter(p -> {
      String name = p.getFileName().toString();
      return name.endsWith(".jar") && (name.startsWith("vertx-core-") || name.startsWith("netty-") || name.startsWith("jackson-core-")
        || name.startsWith("vertx-hazelcast-") || name.startsWith("hazelcast-"));
    }).toList();
    assertThat(vertxAndClusterManager).extracting(p -> p.getFileName().toString())
      .anyMatch(n -> n.startsWith("vertx-core-")).anyMatch(n -> n.startsWith("vertx-hazelcast-"))
      .noneMatch(n -> n.startsWith("parley"));

    List<Path> withClient = new ArrayList<>(vertxAndClusterManager);
    withClient.add(clientJar());
    assertThat(compileExample(withClient)).as("javac's diagnostics").isNull();

    assertThat(compileExample(vertxAndClusterManager)).as("without the client jar").contains("dev.parley.client");
  }

  static String first(String text, String regex) {
    Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(text);
    assertThat(m.find()).as(regex).isTrue();
    return m.group(1);
  }

  /** The client's POM names the build's version and vertx-core as its one dependency, provided, at the build's Vert.x version. */
  @Test
  void theClientPomKeepsTheBuildsVersions() throws Exception {
    String build = Files.readString(Path.of("pom.xml")), client = Files.readString(Path.of("src", "client", "pom.xml"));
    String buildVersion = first(build, "<artifactId>parley</artifactId>\\s*<version>([^<]+)</version>");
    String vertxVersion = first(build, "<vertx.version>([^<]+)</vertx.version>");
    assertThat(first(client, "<artifactId>parley-client</artifactId>\\s*<version>([^<]+)</version>")).isEqualTo(buildVersion);
    assertThat(client.split("<dependency>", -1)).as("one dependency").hasSize(2);
    assertThat(first(client, "<artifactId>vertx-core</artifactId>\\s*<version>([^<]+)</version>")).isEqualTo(vertxVersion);
    assertThat(first(client, "<scope>([^<]+)</scope>")).isEqualTo("provided");
  }
}
