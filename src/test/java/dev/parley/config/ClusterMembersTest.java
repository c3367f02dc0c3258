package dev.parley.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PARLEY_CLUSTER_MEMBERS read into Hazelcast's member list. */
class ClusterMembersTest {
  @Test
  void membersAreHostPortWithRangesExpandedAndHostAloneOn5701() {
    assertThat(ClusterMembers.parse(" 10.0.0.1:5801 , db-2.internal ,10.0.0.3:5701-5703"))
      .containsExactly("10.0.0.1:5801", "db-2.internal:5701", "10.0.0.3:5701", "10.0.0.3:5702", "10.0.0.3:5703");
    for (String bad : List.of("10.0.0.1:abc", "a b", "10.0.0.1:5703-5701", "10.0.0.1:70000", "10.0.0.1:1-5000", ",")) {
      assertThatThrownBy(() -> ClusterMembers.parse(bad)).as(bad)
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PARLEY_CLUSTER_MEMBERS");
    }
  }
}
