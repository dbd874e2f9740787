package dev.faultbox.kernel.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GlobTest {
  @Test
  void literalIsExact() {
    assertThat(Glob.compile("recv").matches("recv")).isTrue();
    assertThat(Glob.compile("recv").matches("recv2")).isFalse();
    assertThat(Glob.compile("recv").matches("rec")).isFalse();
    assertThat(Glob.compile("recv").matches(null)).isFalse();
  }

  @Test
  void starMatchesAnyRunIncludingSlashes() {
    assertThat(Glob.compile("GET /.well-known/**").matches("GET /.well-known/openid-configuration/jwks")).isTrue();
    assertThat(Glob.compile("GET /.well-known/*").matches("GET /.well-known/openid-configuration/jwks")).isTrue();
    assertThat(Glob.compile("GET /.well-known/*").matches("POST /.well-known/jwks")).isFalse();
    assertThat(Glob.compile("*").matches("")).isTrue();
    assertThat(Glob.compile("*").matches("/tmp/x.star:2:9: boom")).isTrue();
    assertThat(Glob.compile("orders.*").matches("orders.paid:1|c")).isTrue();
    assertThat(Glob.compile("orders.*").matches("users.login:1|c")).isFalse();
  }

  @Test
  void starsInTheMiddleBacktrack() {
    assertThat(Glob.compile("test_*_fails").matches("test_jwks_fails")).isTrue();
    assertThat(Glob.compile("test_*_fails").matches("test_jwks_fails_fails")).isTrue();
    assertThat(Glob.compile("test_*_fails").matches("test_jwks_passes")).isFalse();
    assertThat(Glob.compile("*a*b*c").matches("xxaxxbxxc")).isTrue();
    assertThat(Glob.compile("*a*b*c").matches("xxaxxcxxb")).isFalse();
  }

  @Test
  void questionMarkIsOneCharacter() {
    assertThat(Glob.compile("test_?").matches("test_a")).isTrue();
    assertThat(Glob.compile("test_?").matches("test_ab")).isFalse();
    assertThat(Glob.compile("test_?").matches("test_")).isFalse();
  }
}
