package dev.jonnx.runtime.ops.image.jpeg2000;

/**
 * A tag tree (ITU-T T.800 B.10.2): a quad-tree of lower bounds over a grid of values, each
 * node the minimum of its children, decoded incrementally against rising thresholds.
 */
final class TagTree {
    private final int[] levelWidths;
    private final int[] levelOffsets;
    private final int[] lowerBounds;
    private final boolean[] known;

    TagTree(int width, int height) {
        int levels = 1;
        for (int w = width, h = height; w > 1 || h > 1; w = (w + 1) >> 1, h = (h + 1) >> 1) {
            levels++;
        }
        levelWidths = new int[levels];
        levelOffsets = new int[levels];
        int total = 0;
        int w = width;
        int h = height;
        for (int level = 0; level < levels; level++) {
            levelWidths[level] = w;
            levelOffsets[level] = total;
            total += w * h;
            w = (w + 1) >> 1;
            h = (h + 1) >> 1;
        }
        lowerBounds = new int[total];
        known = new boolean[total];
    }

    /**
     * Reads bits until the value of leaf (x, y) is known or is at least {@code threshold}, and
     * returns the value in the first case or a number at least {@code threshold} in the second.
     */
    int decode(PacketHeaderBits bits, int x, int y, int threshold) {
        int floor = 0;
        for (int level = levelWidths.length - 1; level >= 0; level--) {
            int node = levelOffsets[level] + (y >> level) * levelWidths[level] + (x >> level);
            if (lowerBounds[node] < floor) {
                lowerBounds[node] = floor;
            }
            while (!known[node] && lowerBounds[node] < threshold) {
                if (bits.bit() != 0) {
                    known[node] = true;
                } else {
                    lowerBounds[node]++;
                }
            }
            floor = lowerBounds[node];
        }
        return floor;
    }
}
