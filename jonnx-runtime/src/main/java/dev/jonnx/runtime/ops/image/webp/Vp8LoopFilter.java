package dev.jonnx.runtime.ops.image.webp;

/**
 * The VP8 loop filters (RFC 6386 section 15), applied in place to a plane of unsigned bytes.
 * {@code step} is the distance between pixels across the edge (1 for a vertical edge, the row
 * stride for a horizontal one) and {@code along} the distance between neighbouring pixels on
 * the edge. Edge limits are given as in RFC 6386: the filter runs where
 * {@code 2 * |p0 - q0| + |p1 - q1| / 2 <= edgeLimit}.
 */
final class Vp8LoopFilter {
    private Vp8LoopFilter() {}

    /** Applies the simple filter to {@code count} pixels of one luma edge. */
    static void simple(byte[] plane, int offset, int step, int along, int count, int edgeLimit) {
        for (int i = 0, at = offset; i < count; i++, at += along) {
            int p1 = plane[at - 2 * step] & 0xFF;
            int p0 = plane[at - step] & 0xFF;
            int q0 = plane[at] & 0xFF;
            int q1 = plane[at + step] & 0xFF;
            if (exceedsEdgeLimit(p1, p0, q0, q1, edgeLimit)) {
                continue;
            }
            adjustCenter(plane, at, step, p1, p0, q0, q1, true);
        }
    }

    /** Applies the normal filter to a macroblock edge, changing up to three pixels a side. */
    static void macroblockEdge(byte[] plane, int offset, int step, int along, int count,
            int edgeLimit, int interiorLimit, int hevThreshold) {
        for (int i = 0, at = offset; i < count; i++, at += along) {
            int p3 = plane[at - 4 * step] & 0xFF;
            int p2 = plane[at - 3 * step] & 0xFF;
            int p1 = plane[at - 2 * step] & 0xFF;
            int p0 = plane[at - step] & 0xFF;
            int q0 = plane[at] & 0xFF;
            int q1 = plane[at + step] & 0xFF;
            int q2 = plane[at + 2 * step] & 0xFF;
            int q3 = plane[at + 3 * step] & 0xFF;
            if (!shouldFilter(p3, p2, p1, p0, q0, q1, q2, q3, edgeLimit, interiorLimit)) {
                continue;
            }
            if (highEdgeVariance(p1, p0, q0, q1, hevThreshold)) {
                adjustCenter(plane, at, step, p1, p0, q0, q1, true);
                continue;
            }
            int w = clampSigned(clampSigned(p1 - q1) + 3 * (q0 - p0));
            int a = (27 * w + 63) >> 7;
            plane[at - step] = (byte) clamp255(p0 + a);
            plane[at] = (byte) clamp255(q0 - a);
            a = (18 * w + 63) >> 7;
            plane[at - 2 * step] = (byte) clamp255(p1 + a);
            plane[at + step] = (byte) clamp255(q1 - a);
            a = (9 * w + 63) >> 7;
            plane[at - 3 * step] = (byte) clamp255(p2 + a);
            plane[at + 2 * step] = (byte) clamp255(q2 - a);
        }
    }

    /** Applies the normal filter to an inner edge, changing up to two pixels a side. */
    static void subblockEdge(byte[] plane, int offset, int step, int along, int count,
            int edgeLimit, int interiorLimit, int hevThreshold) {
        for (int i = 0, at = offset; i < count; i++, at += along) {
            int p3 = plane[at - 4 * step] & 0xFF;
            int p2 = plane[at - 3 * step] & 0xFF;
            int p1 = plane[at - 2 * step] & 0xFF;
            int p0 = plane[at - step] & 0xFF;
            int q0 = plane[at] & 0xFF;
            int q1 = plane[at + step] & 0xFF;
            int q2 = plane[at + 2 * step] & 0xFF;
            int q3 = plane[at + 3 * step] & 0xFF;
            if (!shouldFilter(p3, p2, p1, p0, q0, q1, q2, q3, edgeLimit, interiorLimit)) {
                continue;
            }
            boolean hev = highEdgeVariance(p1, p0, q0, q1, hevThreshold);
            int a = (adjustCenter(plane, at, step, p1, p0, q0, q1, hev) + 1) >> 1;
            if (!hev) {
                plane[at - 2 * step] = (byte) clamp255(p1 + a);
                plane[at + step] = (byte) clamp255(q1 - a);
            }
        }
    }

    /**
     * Moves p0 and q0 toward each other, using p1 - q1 as well when {@code outerTaps} is set,
     * and returns the amount subtracted from q0.
     */
    private static int adjustCenter(byte[] plane, int at, int step, int p1, int p0, int q0,
            int q1, boolean outerTaps) {
        int a = clampSigned((outerTaps ? clampSigned(p1 - q1) : 0) + 3 * (q0 - p0));
        int b = clampSigned(a + 3) >> 3;
        a = clampSigned(a + 4) >> 3;
        plane[at] = (byte) clamp255(q0 - a);
        plane[at - step] = (byte) clamp255(p0 + b);
        return a;
    }

    private static boolean exceedsEdgeLimit(int p1, int p0, int q0, int q1, int edgeLimit) {
        return 2 * Math.abs(p0 - q0) + (Math.abs(p1 - q1) >> 1) > edgeLimit;
    }

    private static boolean shouldFilter(int p3, int p2, int p1, int p0, int q0, int q1, int q2,
            int q3, int edgeLimit, int interiorLimit) {
        return !exceedsEdgeLimit(p1, p0, q0, q1, edgeLimit)
                && Math.abs(p3 - p2) <= interiorLimit && Math.abs(p2 - p1) <= interiorLimit
                && Math.abs(p1 - p0) <= interiorLimit && Math.abs(q3 - q2) <= interiorLimit
                && Math.abs(q2 - q1) <= interiorLimit && Math.abs(q1 - q0) <= interiorLimit;
    }

    private static boolean highEdgeVariance(int p1, int p0, int q0, int q1, int threshold) {
        return Math.abs(p1 - p0) > threshold || Math.abs(q1 - q0) > threshold;
    }

    private static int clampSigned(int value) {
        return value < -128 ? -128 : Math.min(value, 127);
    }

    private static int clamp255(int value) {
        return value < 0 ? 0 : Math.min(value, 255);
    }

    /**
     * Filters a whole frame, macroblock by macroblock in raster order, with the parameters that
     * {@code Vp8Decoder} packed per macroblock (level, interior limit, threshold, inner flag).
     */
    static void filterFrame(Vp8Decoder.Frame frame, int[] parameters, int mbWidth,
            int mbHeight, boolean simpleFilter) {
        int stride = frame.yStride();
        int uvStride = frame.uvStride();
        for (int mbY = 0; mbY < mbHeight; mbY++) {
            for (int mbX = 0; mbX < mbWidth; mbX++) {
                int packed = parameters[mbY * mbWidth + mbX];
                int level = packed & 0x3F;
                if (level == 0) {
                    continue;
                }
                int interior = (packed >> 8) & 0x3F;
                int hev = (packed >> 16) & 3;
                boolean inner = (packed >> 24 & 1) != 0;
                int edgeLimit = 2 * level + interior;
                int mbEdgeLimit = edgeLimit + 4;
                int yAt = mbY * 16 * stride + mbX * 16;
                int uvAt = mbY * 8 * uvStride + mbX * 8;
                if (simpleFilter) {
                    filterSimple(frame.y(), yAt, stride, mbX, mbY, inner, edgeLimit);
                } else {
                    filterNormal(frame, yAt, uvAt, mbX, mbY, inner, edgeLimit, mbEdgeLimit,
                            interior, hev);
                }
            }
        }
    }

    private static void filterSimple(byte[] y, int at, int stride, int mbX, int mbY,
            boolean inner, int edgeLimit) {
        if (mbX > 0) {
            simple(y, at, 1, stride, 16, edgeLimit + 4);
        }
        if (inner) {
            for (int i = 4; i < 16; i += 4) {
                simple(y, at + i, 1, stride, 16, edgeLimit);
            }
        }
        if (mbY > 0) {
            simple(y, at, stride, 1, 16, edgeLimit + 4);
        }
        if (inner) {
            for (int i = 4; i < 16; i += 4) {
                simple(y, at + i * stride, stride, 1, 16, edgeLimit);
            }
        }
    }

    private static void filterNormal(Vp8Decoder.Frame frame, int yAt, int uvAt, int mbX, int mbY,
            boolean inner, int edgeLimit, int mbEdgeLimit, int interior, int hev) {
        int stride = frame.yStride();
        int uvStride = frame.uvStride();
        byte[] y = frame.y();
        if (mbX > 0) {
            macroblockEdge(y, yAt, 1, stride, 16, mbEdgeLimit, interior, hev);
            macroblockEdge(frame.u(), uvAt, 1, uvStride, 8, mbEdgeLimit, interior,
                    hev);
            macroblockEdge(frame.v(), uvAt, 1, uvStride, 8, mbEdgeLimit, interior,
                    hev);
        }
        if (inner) {
            for (int i = 4; i < 16; i += 4) {
                subblockEdge(y, yAt + i, 1, stride, 16, edgeLimit, interior, hev);
            }
            subblockEdge(frame.u(), uvAt + 4, 1, uvStride, 8, edgeLimit, interior,
                    hev);
            subblockEdge(frame.v(), uvAt + 4, 1, uvStride, 8, edgeLimit, interior,
                    hev);
        }
        if (mbY > 0) {
            macroblockEdge(y, yAt, stride, 1, 16, mbEdgeLimit, interior, hev);
            macroblockEdge(frame.u(), uvAt, uvStride, 1, 8, mbEdgeLimit, interior,
                    hev);
            macroblockEdge(frame.v(), uvAt, uvStride, 1, 8, mbEdgeLimit, interior,
                    hev);
        }
        if (inner) {
            for (int i = 4; i < 16; i += 4) {
                subblockEdge(y, yAt + i * stride, stride, 1, 16, edgeLimit,
                        interior, hev);
            }
            subblockEdge(frame.u(), uvAt + 4 * uvStride, uvStride, 1, 8,
                    edgeLimit, interior, hev);
            subblockEdge(frame.v(), uvAt + 4 * uvStride, uvStride, 1, 8,
                    edgeLimit, interior, hev);
        }
    }
}
