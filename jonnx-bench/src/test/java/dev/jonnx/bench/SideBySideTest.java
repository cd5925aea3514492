package dev.jonnx.bench;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Argument checks of SideBySide, which fail before a model is opened or ONNX Runtime loads. */
class SideBySideTest {

    @Test
    void zeroIterationsAreRejected() {
        assertThatThrownBy(() -> SideBySide.main(new String[] {"missing.onnx", "--iterations", "0"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--iterations must be at least 1 and --warmup at least 0, got 0 and 10");
    }

    @Test
    void negativeWarmupIsRejected() {
        assertThatThrownBy(() -> SideBySide.main(new String[] {"missing.onnx", "--warmup", "-1"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--iterations must be at least 1 and --warmup at least 0, got 30 and -1");
    }

    @Test
    void secondModelIsRejected() {
        // A stray word after a flag such as --each-run used to replace the model silently.
        assertThatThrownBy(() -> SideBySide.main(new String[] {"a.onnx", "--each-run", "b.onnx"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("more than one MODEL: a.onnx and b.onnx");
    }
}
