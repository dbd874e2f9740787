package dev.faultbox.plugin.http;

import static dev.faultbox.testkit.MockDefinitionBuilder.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultbox.spi.InvalidMockException;
import dev.faultbox.spi.MockResponse;
import dev.faultbox.spi.Route;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTableTest {

  private static RouteTable table(String... keys) throws InvalidMockException {
    List<Route> routes = new ArrayList<>();
    for (String key : keys) {
      routes.add(new Route(key, body(key)));
    }
    return RouteTable.compile(routes, null);
  }

  private static String match(RouteTable table, String method, String path) {
    RouteTable.Match match = table.match(method, path);
    return match == null ? null : match.key();
  }

  @Test
  void mostSpecificFirstRegardlessOfDeclarationOrder() throws Exception {
    RouteTable t = table("* /**", "GET /api/**", "GET /api/*", "GET /api/users");
    assertThat(t.keys()).containsExactly("GET /api/users", "GET /api/*", "GET /api/**", "* /**");
    assertThat(match(t, "GET", "/api/users")).isEqualTo("GET /api/users");
    assertThat(match(t, "GET", "/api/orders")).isEqualTo("GET /api/*");
    assertThat(match(t, "GET", "/api/users/42")).isEqualTo("GET /api/**");
    assertThat(match(t, "GET", "/api")).isEqualTo("GET /api/**");
    assertThat(match(t, "POST", "/api/users")).isEqualTo("* /**");
    assertThat(match(t, "GET", "/")).isEqualTo("* /**");
    assertThat(match(t, "DELETE", "/x/y/z")).isEqualTo("* /**");
  }

  @Test
  void declarationOrderDoesNotMatterTheOtherWayRoundEither() throws Exception {
    RouteTable t = table("GET /api/users", "GET /api/*", "GET /api/**", "* /**");
    assertThat(t.keys()).containsExactly("GET /api/users", "GET /api/*", "GET /api/**", "* /**");
  }

  @Test
  void literalBeatsPartialBeatsStarBeatsEndBeatsDoubleStar() throws Exception {
    RouteTable t = table("GET /u/**", "GET /u/*", "GET /u/user-*", "GET /u/user-1", "GET /u");
    assertThat(match(t, "GET", "/u/user-1")).isEqualTo("GET /u/user-1");
    assertThat(match(t, "GET", "/u/user-2")).isEqualTo("GET /u/user-*");
    assertThat(match(t, "GET", "/u/admin")).isEqualTo("GET /u/*");
    assertThat(match(t, "GET", "/u")).isEqualTo("GET /u");
    assertThat(match(t, "GET", "/u/a/b")).isEqualTo("GET /u/**");
  }

  @Test
  void longerLiteralPrefixWins() throws Exception {
    RouteTable t = table("GET /**", "GET /a/**", "GET /a/b/**", "GET /**/c");
    assertThat(match(t, "GET", "/a/b/c")).isEqualTo("GET /a/b/**");
    assertThat(match(t, "GET", "/a/x/c")).isEqualTo("GET /a/**");
    assertThat(match(t, "GET", "/z/c")).isEqualTo("GET /**/c");
    assertThat(match(t, "GET", "/z")).isEqualTo("GET /**");
  }

  @Test
  void literalMethodBeatsAnyMethodThenDeclarationOrder() throws Exception {
    RouteTable t = table("* /x", "GET /x", "get /x", "POST /x");
    assertThat(match(t, "GET", "/x")).isEqualTo("GET /x");
    assertThat(match(t, "get", "/x")).isEqualTo("GET /x");
    assertThat(match(t, "POST", "/x")).isEqualTo("POST /x");
    assertThat(match(t, "PUT", "/x")).isEqualTo("* /x");
    RouteTable u = table("* /y/*", "* /y/{id}");
    assertThat(match(u, "GET", "/y/1")).isEqualTo("* /y/*");
  }

  @Test
  void doubleStarInTheMiddle() throws Exception {
    RouteTable t = table("GET /api/**/posts");
    assertThat(match(t, "GET", "/api/posts")).isEqualTo("GET /api/**/posts");
    assertThat(match(t, "GET", "/api/users/1/posts")).isEqualTo("GET /api/**/posts");
    assertThat(match(t, "GET", "/api/posts/posts")).isEqualTo("GET /api/**/posts");
    assertThat(match(t, "GET", "/api/users/1/posts/2")).isNull();
    assertThat(match(t, "GET", "/other/posts")).isNull();
    RouteTable two = table("GET /**/a/**/b");
    assertThat(match(two, "GET", "/a/b")).isNotNull();
    assertThat(match(two, "GET", "/x/a/y/z/b")).isNotNull();
    assertThat(match(two, "GET", "/x/a/y/z/b/c")).isNull();
    assertThat(match(two, "GET", "/b/a")).isNull();
  }

  @Test
  void doubleStarMatchesRoot() throws Exception {
    assertThat(match(table("GET /**"), "GET", "/")).isEqualTo("GET /**");
    assertThat(match(table("GET /**"), "GET", "")).isEqualTo("GET /**");
    assertThat(match(table("GET /"), "GET", "/")).isEqualTo("GET /");
    assertThat(match(table("GET /"), "GET", "/x")).isNull();
    assertThat(match(table("GET /*"), "GET", "/")).isNull();
  }

  @Test
  void literalDoesNotMatchLongerPaths() throws Exception {
    RouteTable t = table("GET /health");
    assertThat(match(t, "GET", "/health")).isEqualTo("GET /health");
    assertThat(match(t, "GET", "/health/v2")).isNull();
    assertThat(match(t, "GET", "/healthz")).isNull();
    assertThat(match(t, "GET", "/Health")).isNull();
  }

  @ParameterizedTest
  @CsvSource({"/api/", "//api", "/api//", "api", "///api///"})
  void slashesAreInsignificant(String path) throws Exception {
    assertThat(match(table("GET /api"), "GET", path)).isEqualTo("GET /api");
    assertThat(match(table("GET /api/"), "GET", path)).isEqualTo("GET /api/");
    assertThat(match(table("GET //api//"), "GET", path)).isEqualTo("GET //api//");
  }

  @Test
  void singleSegmentGlobs() throws Exception {
    RouteTable t = table("GET /users/{id}/posts/*");
    assertThat(match(t, "GET", "/users/42/posts/7")).isNotNull();
    assertThat(match(t, "GET", "/users/42/posts")).isNull();
    assertThat(match(t, "GET", "/users/42/posts/7/8")).isNull();
  }

  @Test
  void partialGlobs() throws Exception {
    RouteTable t = table("GET /f/user-*", "GET /g/*.json", "GET /h/a*z");
    assertThat(match(t, "GET", "/f/user-")).isEqualTo("GET /f/user-*");
    assertThat(match(t, "GET", "/f/user-bob")).isEqualTo("GET /f/user-*");
    assertThat(match(t, "GET", "/f/users")).isNull();
    assertThat(match(t, "GET", "/g/x.json")).isEqualTo("GET /g/*.json");
    assertThat(match(t, "GET", "/g/x.jsonp")).isNull();
    assertThat(match(t, "GET", "/h/az")).isEqualTo("GET /h/a*z");
    assertThat(match(t, "GET", "/h/abcz")).isEqualTo("GET /h/a*z");
    assertThat(match(t, "GET", "/h/z")).isNull();
  }

  @Test
  void headFallsBackToGetButPrefersHead() throws Exception {
    RouteTable t = table("GET /a", "HEAD /a", "GET /b", "* /**");
    assertThat(match(t, "HEAD", "/a")).isEqualTo("HEAD /a");
    assertThat(match(t, "HEAD", "/b")).isEqualTo("GET /b");
    assertThat(match(t, "HEAD", "/c")).isEqualTo("* /**");
    assertThat(match(t, "GET", "/a")).isEqualTo("GET /a");
  }

  @Test
  void defaultWhenNothingMatches() throws Exception {
    MockResponse fallback = body("fallback");
    RouteTable t = RouteTable.compile(List.of(new Route("GET /a", body("a"))), fallback);
    RouteTable.Match match = t.match("GET", "/zzz");
    assertThat(match.key()).isNull();
    assertThat(match.response()).isSameAs(fallback);
  }

  @Test
  void methodIsCaseInsensitiveAndAnyTokenIsAllowed() throws Exception {
    RouteTable t = table("purge /cache", "M-SEARCH /x");
    assertThat(match(t, "PURGE", "/cache")).isEqualTo("purge /cache");
    assertThat(match(t, "m-search", "/x")).isEqualTo("M-SEARCH /x");
  }

  @Test
  void splitAtFirstRunOfSpaces() throws Exception {
    RouteTable t = table("GET    /a/b");
    assertThat(match(t, "GET", "/a/b")).isEqualTo("GET    /a/b");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "GET|route \"GET\" needs a path: write \"GET /path\"",
        "G{T /x|route \"G{T /x\": \"G{T\" is not an HTTP method",
        "GET x|route \"GET x\": the path must start with \"/\"",
        "GET /a/x**|route \"GET /a/x**\": \"x**\" mixes \"**\" into a segment; \"**\" must be a whole segment",
        "GET /**x/b|route \"GET /**x/b\": \"**x\" mixes \"**\" into a segment; \"**\" must be a whole segment",
        "GET /a*b*c|route \"GET /a*b*c\": \"a*b*c\" has more than one \"*\"; a segment may hold one",
        "/x|route \"/x\" needs a method: write \"GET /x\" or \"* /x\"",
      })
  void badKeys(String key, String message) {
    assertThatThrownBy(() -> table(key))
        .isInstanceOf(InvalidMockException.class)
        .hasMessage(message);
  }
}
