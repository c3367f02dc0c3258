package dev.parley;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReadSharesTest {
  static List<Integer> shares(int total, int cores) {
    ParleyServer.ReadShares s = new ParleyServer.ReadShares(total, cores);
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < s.instances(); i++) out.add(s.next());
    return out;
  }

  @Test
  void theSplitNeverExceedsTheBudgetWhateverTheCores() {
    assertThat(shares(8, 2)).containsExactly(4, 4);
    assertThat(shares(8, 16)).hasSize(8).allMatch(n -> n == 1);
    assertThat(shares(5, 2)).containsExactly(3, 2);
    assertThat(shares(1, 64)).containsExactly(1);
    for (int total = 1; total <= 40; total++) {
      for (int cores = 1; cores <= 64; cores++) {
        assertThat(shares(total, cores).stream().mapToInt(Integer::intValue).sum()).isEqualTo(total);
      }
    }
  }
}
