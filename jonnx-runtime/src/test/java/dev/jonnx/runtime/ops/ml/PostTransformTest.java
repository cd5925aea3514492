package dev.jonnx.runtime.ops.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Score transforms and the special functions behind PROBIT, against tabulated values. */
class PostTransformTest {

    @Test
    void erfcMatchesTables() {
        assertThat(PostTransform.erfc(0)).isCloseTo(1.0, within(1e-15));
        assertThat(PostTransform.erfc(0.5)).isCloseTo(0.4795001221869535, within(1e-14));
        assertThat(PostTransform.erfc(2)).isCloseTo(0.004677734981047266, within(1e-15));
        assertThat(PostTransform.erfc(3.5)).isCloseTo(7.430983723414128e-7, within(1e-17));
        assertThat(PostTransform.erfc(4)).isCloseTo(1.541725790028002e-8, within(1e-19));
        assertThat(PostTransform.erfc(-1)).isCloseTo(1.8427007929497148, within(1e-14));
    }

    @Test
    void probitInvertsNormalCdf() {
        assertThat(PostTransform.probit(0.5)).isCloseTo(0, within(1e-12));
        assertThat(PostTransform.probit(0.975)).isCloseTo(1.959963984540054, within(1e-9));
        assertThat(PostTransform.probit(0.025)).isCloseTo(-1.959963984540054, within(1e-9));
        assertThat(PostTransform.probit(0.8413447460685429)).isCloseTo(1.0, within(1e-9));
        assertThat(PostTransform.probit(0.001)).isCloseTo(-3.090232306167813, within(1e-9));
        assertThat(PostTransform.probit(1e-10)).isCloseTo(-6.361340902404056, within(1e-8));
    }

    @Test
    void probitEdges() {
        assertThat(PostTransform.probit(0)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(PostTransform.probit(1)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(PostTransform.probit(1.5)).isNaN();
        assertThat(PostTransform.probit(-0.1)).isNaN();
        assertThat(PostTransform.probit(Double.NaN)).isNaN();
    }

    @Test
    void logisticIsStableForLargeInputs() {
        assertThat(PostTransform.logistic(0)).isEqualTo(0.5);
        assertThat(PostTransform.logistic(800)).isEqualTo(1.0);
        assertThat(PostTransform.logistic(-800)).isEqualTo(0.0);
        assertThat(PostTransform.logistic(-2)).isCloseTo(0.11920292202211755, within(1e-15));
    }

    @Test
    void softmaxZeroKeepsZeros() {
        double[] s = {9, 0, 3, 2, 9};
        PostTransform.SOFTMAX_ZERO.apply(s, 1, 3);
        // exp(3 - 3) = 1 and exp(2 - 3) = 0.367879; the 9s lie outside the row.
        assertThat(s).containsExactly(new double[] {9, 0, 0.7310585786300049, 0.2689414213699951, 9},
                within(1e-12));
    }

    @Test
    void softmaxZeroOfZerosIsZeros() {
        double[] s = {0, 0};
        PostTransform.SOFTMAX_ZERO.apply(s, 0, 2);
        assertThat(s).containsExactly(0, 0);
    }

    @Test
    void softmaxSumsToOne() {
        double[] s = {1000, 1000};
        PostTransform.SOFTMAX.apply(s, 0, 2);
        assertThat(s).containsExactly(0.5, 0.5);
    }
}
