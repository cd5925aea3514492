package dev.jonnx.runtime.ops.image.webp;

/** The inverse transforms of VP8 residuals (RFC 6386 section 14.3). */
final class Vp8Transforms {
    private Vp8Transforms() {}

    /**
     * Replaces the DC of the 16 luma blocks at the start of {@code c} with the inverse
     * Walsh-Hadamard transform of the Y2 block at {@code base}, and returns whether any of
     * those DC values is non-zero.
     */
    static boolean inverseWalshHadamard(int[] c, int base) {
        int[] t = new int[16];
        for (int i = 0; i < 4; i++) {
            int a1 = c[base + i] + c[base + 12 + i];
            int b1 = c[base + 4 + i] + c[base + 8 + i];
            int c1 = c[base + 4 + i] - c[base + 8 + i];
            int d1 = c[base + i] - c[base + 12 + i];
            t[i] = a1 + b1;
            t[4 + i] = c1 + d1;
            t[8 + i] = a1 - b1;
            t[12 + i] = d1 - c1;
        }
        boolean nonZero = false;
        for (int row = 0; row < 4; row++) {
            int a1 = t[row * 4] + t[row * 4 + 3];
            int b1 = t[row * 4 + 1] + t[row * 4 + 2];
            int c1 = t[row * 4 + 1] - t[row * 4 + 2];
            int d1 = t[row * 4] - t[row * 4 + 3];
            int[] values = {(a1 + b1 + 3) >> 3, (c1 + d1 + 3) >> 3, (a1 - b1 + 3) >> 3,
                (d1 - c1 + 3) >> 3};
            for (int col = 0; col < 4; col++) {
                c[(row * 4 + col) * 16] = (short) values[col];
                nonZero |= values[col] != 0;
            }
        }
        return nonZero;
    }

    /** Adds the inverse DCT of one dequantized 4x4 block to the predicted pixels. */
    static void inverseDctAdd(int[] c, int offset, byte[] plane, int at, int stride) {
        boolean any = false;
        for (int i = 0; i < 16; i++) {
            if (c[offset + i] != 0) {
                any = true;
                break;
            }
        }
        if (!any) {
            return;
        }
        int[] t = new int[16];
        for (int i = 0; i < 4; i++) {
            int i0 = c[offset + i];
            int i1 = c[offset + 4 + i];
            int i2 = c[offset + 8 + i];
            int i3 = c[offset + 12 + i];
            int a1 = i0 + i2;
            int b1 = i0 - i2;
            int c1 = multiplySin(i1) - multiplyCos(i3);
            int d1 = multiplyCos(i1) + multiplySin(i3);
            t[i] = a1 + d1;
            t[12 + i] = a1 - d1;
            t[4 + i] = b1 + c1;
            t[8 + i] = b1 - c1;
        }
        for (int row = 0; row < 4; row++) {
            int i0 = t[row * 4];
            int i1 = t[row * 4 + 1];
            int i2 = t[row * 4 + 2];
            int i3 = t[row * 4 + 3];
            int a1 = i0 + i2;
            int b1 = i0 - i2;
            int c1 = multiplySin(i1) - multiplyCos(i3);
            int d1 = multiplyCos(i1) + multiplySin(i3);
            int[] residual = {(a1 + d1 + 4) >> 3, (b1 + c1 + 4) >> 3, (b1 - c1 + 4) >> 3,
                (a1 - d1 + 4) >> 3};
            int rowAt = at + row * stride;
            for (int col = 0; col < 4; col++) {
                int value = (plane[rowAt + col] & 0xFF) + residual[col];
                plane[rowAt + col] = (byte) Vp8Intra.clamp255(value);
            }
        }
    }

    /** Returns x * sqrt(2) * sin(pi / 8) in the 16-bit fixed point of RFC 6386 section 14.3. */
    private static int multiplySin(int x) {
        return (x * 35468) >> 16;
    }

    /** Returns x * sqrt(2) * cos(pi / 8), computed as x + x * (sqrt(2) cos(pi / 8) - 1). */
    private static int multiplyCos(int x) {
        return x + ((x * 20091) >> 16);
    }
}
