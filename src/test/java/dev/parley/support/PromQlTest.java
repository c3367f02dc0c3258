package dev.parley.support;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromQlTest {
  @Test
  void aQuantileOfBucketsNamesTheBucketSeriesOnly() {
    assertThat(PromQl.metricNames("histogram_quantile(0.99, sum by (operation, le) "
      + "(rate(parley_http_requests_seconds_bucket{instance=~\"$instance\", status=~\"5..\"}[$__rate_interval])))"))
      .containsExactly("parley_http_requests_seconds_bucket");
  }

  @Test
  void bothSidesOfABinaryOperation() {
    assertThat(PromQl.metricNames("sum by (instance) (rate(vertx_pool_queue_time_seconds_sum[5m])) / "
      + "sum by (instance) (rate(vertx_pool_queue_time_seconds_count[5m]))"))
      .containsExactly("vertx_pool_queue_time_seconds_sum", "vertx_pool_queue_time_seconds_count");
  }

  @Test
  void keywordsModifiersNumbersAndVariablesAreNotMetrics() {
    assertThat(PromQl.metricNames("sum without (pool_name) (a_total offset 5m) > bool 1e3 and on(instance) "
      + "group_left(cause) b:recorded unless max(c) or vector(0) * ${factor}"))
      .containsExactly("a_total", "b:recorded", "c");
  }

  @Test
  void aggregationWithTheLabelListAfterItsArgument() {
    assertThat(PromQl.metricNames("sum(rate(parley_dials_total{outcome=\"placed\"}[1m])) by (outcome)"))
      .containsExactly("parley_dials_total");
  }

  @Test
  void labelValuesThatLookLikeNamesOrHoldBracketsAreSkipped() {
    assertThat(PromQl.metricNames("up{job=\"parley_x\", path=~\"/a{1}[b]\\\"(\"} + min(parley_database_up)"))
      .containsExactly("up", "parley_database_up");
  }

  @Test
  void anUnbalancedExpressionIsAnError() {
    assertThatThrownBy(() -> PromQl.metricNames("rate(x{a=\"b\"[5m]")).isInstanceOf(IllegalArgumentException.class);
  }
}
