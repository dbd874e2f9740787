package dev.faultbox.kernel.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GlobTest {
  @Test
  void literalIsExact() {
    assertThat(Glob.compile("recv").matches("recv")).isTrue();
    assertThat(Glob.compile("recv").matches("recv2")).isFalse();
    assertThat(Glob.compile("recv").matches(null)).isFalse();
  }

  @Test
  void starStaysInsideASegment() {
    Glob g = Glob.compile("GET /api/*");
    assertThat(g.matches("GET /api/users")).isTrue();
    assertThat(g.matches("GET /api/")).isTrue();
    assertThat(g.matches("GET /api/users/42")).isFalse();
    assertThat(Glob.compile("orders.*").matches("orders.paid:1|c")).isTrue();
  }

  @Test
  void doubleStarCrossesSegments() {
    Glob g = Glob.compile("GET /.well-known/**");
    assertThat(g.matches("GET /.well-known/openid-configuration/jwks")).isTrue();
    assertThat(g.matches("GET /.well-known/")).isTrue();
    assertThat(g.matches("GET /other")).isFalse();
    assertThat(Glob.compile("/api/**/posts").matches("/api/users/42/posts")).isTrue();
    assertThat(Glob.compile("/api/**/posts").matches("/api/users/42")).isFalse();
  }

  @Test
  void questionMarkIsOneCharacter() {
    assertThat(Glob.compile("test_?").matches("test_a")).isTrue();
    assertThat(Glob.compile("test_?").matches("test_ab")).isFalse();
    assertThat(Glob.compile("a?b").matches("a/b")).isFalse();
  }

  @Test
  void starsInTheMiddle() {
    assertThat(Glob.compile("test_*_fails").matches("test_jwks_fails")).isTrue();
    assertThat(Glob.compile("test_*_fails").matches("test_jwks_passes")).isFalse();
    assertThat(Glob.compile("*").matches("")).isTrue();
    assertThat(Glob.compile("*").matches("a/b")).isFalse();
    assertThat(Glob.compile("**").matches("a/b")).isTrue();
  }
}
