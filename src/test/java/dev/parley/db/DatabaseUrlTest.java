package dev.parley.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseUrlTest {

  private static final String OS_USER = System.getProperty("user.name");

  @Test
  void postgresqlUrlWithEverything() throws Exception {
    ResolvedDatabase db = DatabaseUrl.parse("postgresql://alice:s3cret@db.example.com:6543/interviews");
    assertThat(db.host()).isEqualTo("db.example.com");
    assertThat(db.port()).isEqualTo(6543);
    assertThat(db.user()).isEqualTo("alice");
    assertThat(db.password()).isEqualTo("s3cret");
    assertThat(db.database()).isEqualTo("interviews");
    assertThat(db.source()).isEqualTo("DATABASE_URL");
    assertThat(db.embedded()).isNull();
  }

  @Test
  void postgresSchemeAndMissingPort() throws Exception {
    ResolvedDatabase db = DatabaseUrl.parse("postgres://bob:pw@10.0.0.5/app");
    assertThat(db.host()).isEqualTo("10.0.0.5");
    assertThat(db.port()).isEqualTo(5432);
    assertThat(db.user()).isEqualTo("bob");
    assertThat(db.database()).isEqualTo("app");
  }

  @Test
  void schemeIsCaseInsensitiveAndWhitespaceIsTrimmed() throws Exception {
    ResolvedDatabase db = DatabaseUrl.parse("  PostgreSQL://u:p@h:1/d \n");
    assertThat(db.host()).isEqualTo("h");
    assertThat(db.port()).isEqualTo(1);
    assertThat(db.database()).isEqualTo("d");
  }

  @Test
  void jdbcFormWithQueryCredentials() throws Exception {
    ResolvedDatabase db =
        DatabaseUrl.parse("jdbc:postgresql://pg.internal:5433/parley?user=svc&password=a%26b+c&sslmode=require");
    assertThat(db.host()).isEqualTo("pg.internal");
    assertThat(db.port()).isEqualTo(5433);
    assertThat(db.database()).isEqualTo("parley");
    assertThat(db.user()).isEqualTo("svc");
    assertThat(db.password()).isEqualTo("a&b c"); // '+' is a space in JDBC query values, as in pgjdbc
  }

  @Test
  void jdbcFormWithUserInfo() throws Exception {
    ResolvedDatabase db = DatabaseUrl.parse("jdbc:postgresql://u:p@localhost/x");
    assertThat(db.user()).isEqualTo("u");
    assertThat(db.password()).isEqualTo("p");
    assertThat(db.port()).isEqualTo(5432);
  }

  @Test
  void percentEncodedCredentials() throws Exception {
    ResolvedDatabase db =
        DatabaseUrl.parse("postgresql://us%40er:p%40ss%3Aw%2Fd%25+%C3%A9@host:5432/my%20db");
    assertThat(db.user()).isEqualTo("us@er");
    assertThat(db.password()).isEqualTo("p@ss:w/d%+é"); // '+' stays '+' outside JDBC query values
    assertThat(db.database()).isEqualTo("my db");
    assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://host:5432/my%20db?sslmode=prefer");
  }

  @Test
  void unencodedAtSignInPasswordIsTolerated() throws Exception {
    ResolvedDatabase db = DatabaseUrl.parse("postgresql://u:p@ss@host/db");
    assertThat(db.password()).isEqualTo("p@ss");
    assertThat(db.host()).isEqualTo("host");
  }

  @Test
  void queryParametersAreIgnoredOrApplied() throws Exception {
    ResolvedDatabase db =
        DatabaseUrl.parse("postgresql://u:p@host:5432/db?sslmode=require&application_name=x&connect_timeout=3");
    assertThat(db.database()).isEqualTo("db");
    assertThat(db.port()).isEqualTo(5432);
    assertThat(db.password()).isEqualTo("p");
  }

  @Test
  void ipv6Host() throws Exception {
    ResolvedDatabase db = DatabaseUrl.parse("postgresql://u@[::1]:5433/db");
    assertThat(db.host()).isEqualTo("::1");
    assertThat(db.port()).isEqualTo(5433);
    assertThat(db.password()).isNull();
    assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5433/db?sslmode=prefer");
  }

  @Test
  void libpqDefaultsForMissingParts() throws Exception {
    ResolvedDatabase db = DatabaseUrl.parse("postgresql://host");
    assertThat(db.user()).isEqualTo(OS_USER);
    assertThat(db.database()).isEqualTo(OS_USER);
    assertThat(db.port()).isEqualTo(5432);

    ResolvedDatabase onlyUser = DatabaseUrl.parse("postgresql://carol@host/");
    assertThat(onlyUser.database()).isEqualTo("carol");
  }

  @Test
  void socketHostBecomesLocalhost() throws Exception {
    ResolvedDatabase db = DatabaseUrl.parse("postgresql:///parley?host=/var/run/postgresql");
    assertThat(db.host()).isEqualTo("localhost");
    assertThat(db.database()).isEqualTo("parley");
    assertThat(db.describe()).contains("socket directory", "localhost");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "mysql://admin:Zq9xKw7@host/db",
        "postgresql://admin:Zq9xKw7@host:99999/db",
        "postgresql://admin:Zq9xKw7@host:port/db",
        "postgresql://admin:Zq9x/Kw7@host/db", // unencoded '/' in the password
        "postgresql://admin:Zq9x%zzKw7@host/db",
        "postgresql://admin:Zq9xKw7%@host/db",
        "postgresql://admin:Zq9xKw7@h1:5432,h2:5432/db",
        "postgresql://admin:Zq9xKw7@[::1/db",
        "postgresql://admin:Zq9xKw7@a:b:c/db",
        "Zq9xKw7",
        "postgresql://admin:Zq9x%C3Kw7@host/db", // not UTF-8 once decoded
      })
  void malformedUrlIsRejectedWithoutShowingThePassword(String url) {
    assertThatThrownBy(() -> DatabaseUrl.parse(url))
        .isInstanceOf(DatabaseUnavailableException.class)
        .hasMessageStartingWith("DATABASE_URL is not a valid PostgreSQL URL")
        .hasMessageContaining("postgresql://user:password@host:5432/database")
        .hasMessageNotContaining("Zq9x")
        .hasMessageNotContaining("Kw7")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
