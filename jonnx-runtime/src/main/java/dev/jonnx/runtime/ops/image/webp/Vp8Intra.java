package dev.jonnx.runtime.ops.image.webp;

/**
 * Intra prediction of VP8 key frames (RFC 6386 section 12). Predictions write into a plane of
 * unsigned bytes; pixels outside the frame read as 127 above and 129 to the left.
 */
final class Vp8Intra {
    private Vp8Intra() {}

    /** Whole-block modes of 16x16 luma and 8x8 chroma blocks. */
    static final int DC = 0;
    static final int TM = 1;
    static final int VERTICAL = 2;
    static final int HORIZONTAL = 3;

    /** Sub-block (4x4) modes; the first four share their numbers with the whole-block modes. */
    static final int B_DC = 0;
    static final int B_TM = 1;
    static final int B_VE = 2;
    static final int B_HE = 3;
    static final int B_RD = 4;
    static final int B_VR = 5;
    static final int B_LD = 6;
    static final int B_VL = 7;
    static final int B_HD = 8;
    static final int B_HU = 9;

    static final int ABOVE_OUTSIDE = 127;
    static final int LEFT_OUTSIDE = 129;

    /**
     * Predicts a {@code size} x {@code size} block (16 for luma, 8 for chroma) at (x0, y0) from
     * the row above and the column to its left.
     */
    static void predictBlock(byte[] plane, int stride, int x0, int y0, int size, int mode) {
        boolean hasTop = y0 > 0;
        boolean hasLeft = x0 > 0;
        int[] above = new int[size];
        int[] left = new int[size];
        for (int i = 0; i < size; i++) {
            above[i] = hasTop ? plane[(y0 - 1) * stride + x0 + i] & 0xFF : ABOVE_OUTSIDE;
            left[i] = hasLeft ? plane[(y0 + i) * stride + x0 - 1] & 0xFF : LEFT_OUTSIDE;
        }
        int corner;
        if (!hasTop) {
            corner = ABOVE_OUTSIDE;
        } else if (!hasLeft) {
            corner = LEFT_OUTSIDE;
        } else {
            corner = plane[(y0 - 1) * stride + x0 - 1] & 0xFF;
        }
        int shift = size == 16 ? 4 : 3;
        for (int j = 0; j < size; j++) {
            int row = (y0 + j) * stride + x0;
            for (int i = 0; i < size; i++) {
                int value = switch (mode) {
                    case VERTICAL -> above[i];
                    case HORIZONTAL -> left[j];
                    case TM -> clamp255(left[j] + above[i] - corner);
                    default -> 0;
                };
                plane[row + i] = (byte) value;
            }
        }
        if (mode == DC) {
            int dc = dcValue(above, left, hasTop, hasLeft, shift);
            for (int j = 0; j < size; j++) {
                java.util.Arrays.fill(plane, (y0 + j) * stride + x0, (y0 + j) * stride + x0 + size,
                        (byte) dc);
            }
        }
    }

    private static int dcValue(int[] above, int[] left, boolean hasTop, boolean hasLeft,
            int shift) {
        int sumAbove = 0;
        int sumLeft = 0;
        for (int i = 0; i < above.length; i++) {
            sumAbove += above[i];
            sumLeft += left[i];
        }
        if (hasTop && hasLeft) {
            return (sumAbove + sumLeft + (1 << shift)) >> (shift + 1);
        }
        if (hasTop) {
            return (sumAbove + (1 << (shift - 1))) >> shift;
        }
        if (hasLeft) {
            return (sumLeft + (1 << (shift - 1))) >> shift;
        }
        return 128;
    }

    /**
     * Predicts a 4x4 sub-block at (x0, y0). {@code edge} contains the 13 neighbours in the order
     * of RFC 6386 section 12.3: left column bottom to top (0 to 3), the top-left corner (4), and
     * the eight pixels above and above-right (5 to 12).
     */
    static void predictSubblock(byte[] plane, int stride, int x0, int y0, int mode, int[] edge) {
        int[] b = new int[16];
        int corner = edge[4];
        switch (mode) {
            case B_DC -> {
                int sum = 4;
                for (int i = 0; i < 4; i++) {
                    sum += edge[5 + i] + edge[i];
                }
                java.util.Arrays.fill(b, sum >> 3);
            }
            case B_TM -> {
                for (int r = 0; r < 4; r++) {
                    for (int c = 0; c < 4; c++) {
                        b[r * 4 + c] = clamp255(edge[3 - r] + edge[5 + c] - corner);
                    }
                }
            }
            case B_VE -> {
                for (int c = 0; c < 4; c++) {
                    int value = avg3(edge[4 + c], edge[5 + c], edge[6 + c]);
                    for (int r = 0; r < 4; r++) {
                        b[r * 4 + c] = value;
                    }
                }
            }
            case B_HE -> {
                int l0 = edge[3];
                int l1 = edge[2];
                int l2 = edge[1];
                int l3 = edge[0];
                int[] rows = {avg3(corner, l0, l1), avg3(l0, l1, l2), avg3(l1, l2, l3),
                    avg3(l2, l3, l3)};
                for (int r = 0; r < 4; r++) {
                    for (int c = 0; c < 4; c++) {
                        b[r * 4 + c] = rows[r];
                    }
                }
            }
            case B_LD -> {
                for (int r = 0; r < 4; r++) {
                    for (int c = 0; c < 4; c++) {
                        int i = 5 + r + c;
                        b[r * 4 + c] = i + 2 > 12 ? avg3(edge[11], edge[12], edge[12])
                                : avg3(edge[i], edge[i + 1], edge[i + 2]);
                    }
                }
            }
            case B_RD -> {
                for (int r = 0; r < 4; r++) {
                    for (int c = 0; c < 4; c++) {
                        int i = 4 - r + c;
                        b[r * 4 + c] = avg3(edge[i - 1], edge[i], edge[i + 1]);
                    }
                }
            }
            case B_VR -> predictVerticalRight(b, edge);
            case B_VL -> predictVerticalLeft(b, edge);
            case B_HD -> predictHorizontalDown(b, edge);
            case B_HU -> predictHorizontalUp(b, edge);
            default -> throw new IllegalStateException("unknown sub-block mode " + mode);
        }
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                plane[(y0 + r) * stride + x0 + c] = (byte) b[r * 4 + c];
            }
        }
    }

    private static void predictVerticalRight(int[] b, int[] e) {
        set(b, 3, 0, avg3(e[1], e[2], e[3]));
        set(b, 2, 0, avg3(e[2], e[3], e[4]));
        set(b, 3, 1, avg3(e[3], e[4], e[5]));
        set(b, 1, 0, avg3(e[3], e[4], e[5]));
        set(b, 2, 1, avg2(e[4], e[5]));
        set(b, 0, 0, avg2(e[4], e[5]));
        set(b, 3, 2, avg3(e[4], e[5], e[6]));
        set(b, 1, 1, avg3(e[4], e[5], e[6]));
        set(b, 2, 2, avg2(e[5], e[6]));
        set(b, 0, 1, avg2(e[5], e[6]));
        set(b, 3, 3, avg3(e[5], e[6], e[7]));
        set(b, 1, 2, avg3(e[5], e[6], e[7]));
        set(b, 2, 3, avg2(e[6], e[7]));
        set(b, 0, 2, avg2(e[6], e[7]));
        set(b, 1, 3, avg3(e[6], e[7], e[8]));
        set(b, 0, 3, avg2(e[7], e[8]));
    }

    private static void predictVerticalLeft(int[] b, int[] e) {
        // a(i) is the i-th pixel above the block, e[5 + i].
        set(b, 0, 0, avg2(e[5], e[6]));
        set(b, 1, 0, avg3(e[5], e[6], e[7]));
        set(b, 2, 0, avg2(e[6], e[7]));
        set(b, 0, 1, avg2(e[6], e[7]));
        set(b, 1, 1, avg3(e[6], e[7], e[8]));
        set(b, 3, 0, avg3(e[6], e[7], e[8]));
        set(b, 2, 1, avg2(e[7], e[8]));
        set(b, 0, 2, avg2(e[7], e[8]));
        set(b, 3, 1, avg3(e[7], e[8], e[9]));
        set(b, 1, 2, avg3(e[7], e[8], e[9]));
        set(b, 2, 2, avg2(e[8], e[9]));
        set(b, 0, 3, avg2(e[8], e[9]));
        set(b, 3, 2, avg3(e[8], e[9], e[10]));
        set(b, 1, 3, avg3(e[8], e[9], e[10]));
        set(b, 2, 3, avg3(e[9], e[10], e[11]));
        set(b, 3, 3, avg3(e[10], e[11], e[12]));
    }

    private static void predictHorizontalDown(int[] b, int[] e) {
        set(b, 3, 0, avg2(e[0], e[1]));
        set(b, 3, 1, avg3(e[0], e[1], e[2]));
        set(b, 2, 0, avg2(e[1], e[2]));
        set(b, 3, 2, avg2(e[1], e[2]));
        set(b, 2, 1, avg3(e[1], e[2], e[3]));
        set(b, 3, 3, avg3(e[1], e[2], e[3]));
        set(b, 2, 2, avg2(e[2], e[3]));
        set(b, 1, 0, avg2(e[2], e[3]));
        set(b, 2, 3, avg3(e[2], e[3], e[4]));
        set(b, 1, 1, avg3(e[2], e[3], e[4]));
        set(b, 1, 2, avg2(e[3], e[4]));
        set(b, 0, 0, avg2(e[3], e[4]));
        set(b, 1, 3, avg3(e[3], e[4], e[5]));
        set(b, 0, 1, avg3(e[3], e[4], e[5]));
        set(b, 0, 2, avg3(e[4], e[5], e[6]));
        set(b, 0, 3, avg3(e[5], e[6], e[7]));
    }

    private static void predictHorizontalUp(int[] b, int[] e) {
        int l0 = e[3];
        int l1 = e[2];
        int l2 = e[1];
        int l3 = e[0];
        set(b, 0, 0, avg2(l0, l1));
        set(b, 0, 1, avg3(l0, l1, l2));
        set(b, 0, 2, avg2(l1, l2));
        set(b, 1, 0, avg2(l1, l2));
        set(b, 0, 3, avg3(l1, l2, l3));
        set(b, 1, 1, avg3(l1, l2, l3));
        set(b, 1, 2, avg2(l2, l3));
        set(b, 2, 0, avg2(l2, l3));
        set(b, 1, 3, avg3(l2, l3, l3));
        set(b, 2, 1, avg3(l2, l3, l3));
        set(b, 2, 2, l3);
        set(b, 2, 3, l3);
        for (int c = 0; c < 4; c++) {
            set(b, 3, c, l3);
        }
    }

    private static void set(int[] block, int row, int column, int value) {
        block[row * 4 + column] = value;
    }

    private static int avg2(int a, int b) {
        return (a + b + 1) >> 1;
    }

    private static int avg3(int a, int b, int c) {
        return (a + 2 * b + c + 2) >> 2;
    }

    static int clamp255(int value) {
        return value < 0 ? 0 : Math.min(value, 255);
    }
}
