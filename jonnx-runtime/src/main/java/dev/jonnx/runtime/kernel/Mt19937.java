package dev.jonnx.runtime.kernel;

/**
 * The MT19937 Mersenne Twister generator with the integer seeding and 53-bit doubles of NumPy's
 * legacy {@code numpy.random.seed(s)} and {@code numpy.random.random_sample()}. Operators whose
 * reference outputs were drawn that way (Dropout with a {@code seed} attribute) use it to
 * reproduce them. Instances are not thread-safe: create one per run.
 */
public final class Mt19937 {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] state = new int[N];
    private int index;

    /** Seeds the generator as {@code init_genrand} does, from the low 32 bits of {@code seed}. */
    public Mt19937(long seed) {
        state[0] = (int) seed;
        for (int i = 1; i < N; i++) {
            state[i] = 1812433253 * (state[i - 1] ^ (state[i - 1] >>> 30)) + i;
        }
        index = N;
    }

    /** Returns the next 32 random bits. */
    public int nextInt() {
        if (index >= N) {
            twist();
        }
        int y = state[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    /** Returns a double in [0, 1) built from 53 random bits, as {@code genrand_res53} does. */
    public double nextDouble() {
        long a = (nextInt() & 0xffffffffL) >>> 5;
        long b = (nextInt() & 0xffffffffL) >>> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    private void twist() {
        for (int k = 0; k < N; k++) {
            int y = (state[k] & UPPER_MASK) | (state[(k + 1) % N] & LOWER_MASK);
            int next = state[(k + M) % N] ^ (y >>> 1);
            state[k] = (y & 1) != 0 ? next ^ MATRIX_A : next;
        }
        index = 0;
    }
}
