package dev.jonnx.runtime.ops.image.jpeg2000;

import dev.jonnx.runtime.ops.image.jpeg2000.Codestream.CodingStyle;
import dev.jonnx.runtime.ops.image.jpeg2000.TileGeometry.Block;
import dev.jonnx.runtime.ops.image.jpeg2000.TileGeometry.Precinct;
import dev.jonnx.runtime.ops.image.jpeg2000.TileGeometry.PrecinctBand;
import dev.jonnx.runtime.ops.image.jpeg2000.TileGeometry.TileComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Tier-2 decoding (ITU-T T.800 Annex B): walks the packets of a tile in its progression order,
 * reads each packet header and hands each code-block its share of the packet body.
 */
final class PacketDecoder {
    static final int LRCP = 0;
    static final int RLCP = 1;
    static final int RPCL = 2;
    static final int PCRL = 3;
    static final int CPRL = 4;

    /**
     * The maximum coding pass count accepted for one code-block. At most 3 * 30 - 2 passes carry
     * bits, but encoders may declare a few passes past the last bit-plane, which tier-1
     * decoding skips. So this limit only bounds the memory a corrupt header can claim.
     */
    private static final int MAX_PASSES = 1024;

    private static final int SOP = 0xFF91;
    private static final int EPH = 0xFF92;

    private final byte[] data;
    private int position;
    private final int end;
    private final CodingStyle style;

    private PacketDecoder(byte[] data, CodingStyle style) {
        this.data = data;
        this.end = data.length;
        this.style = style;
    }

    /** A precinct of one resolution of one component, the unit a packet belongs to. */
    private record PrecinctRef(int component, int resolution, Precinct precinct) {}

    /** Decodes every packet of a tile whose concatenated tile-part bodies are {@code data}. */
    static void decodeTile(byte[] data, CodingStyle style, TileComponent[] components) {
        PacketDecoder decoder = new PacketDecoder(data, style);
        int layers = style.layers;
        List<PrecinctRef> order = precinctOrder(style.progression, components);
        switch (style.progression) {
            case LRCP -> {
                for (int layer = 0; layer < layers; layer++) {
                    for (PrecinctRef ref : order) {
                        decoder.packet(components[ref.component], ref.precinct, layer);
                    }
                }
            }
            case RLCP -> {
                int start = 0;
                while (start < order.size()) {
                    int resolution = order.get(start).resolution;
                    int stop = start;
                    while (stop < order.size() && order.get(stop).resolution == resolution) {
                        stop++;
                    }
                    for (int layer = 0; layer < layers; layer++) {
                        for (int i = start; i < stop; i++) {
                            PrecinctRef ref = order.get(i);
                            decoder.packet(components[ref.component], ref.precinct, layer);
                        }
                    }
                    start = stop;
                }
            }
            default -> {
                for (PrecinctRef ref : order) {
                    for (int layer = 0; layer < layers; layer++) {
                        decoder.packet(components[ref.component], ref.precinct, layer);
                    }
                }
            }
        }
    }

    /**
     * Lists the precincts in the order the progression visits them, leaving out the layer loop
     * (innermost for RPCL, PCRL and CPRL, outermost for LRCP, and inside the resolution for
     * RLCP).
     */
    private static List<PrecinctRef> precinctOrder(int progression,
            TileComponent[] components) {
        int maxResolutions = 0;
        for (TileComponent tc : components) {
            maxResolutions = Math.max(maxResolutions, tc.resolutions.length);
        }
        List<PrecinctRef> refs = new ArrayList<>();
        for (int r = 0; r < maxResolutions; r++) {
            for (int c = 0; c < components.length; c++) {
                if (r < components[c].resolutions.length) {
                    for (Precinct p : components[c].resolutions[r].precincts) {
                        refs.add(new PrecinctRef(c, r, p));
                    }
                }
            }
        }
        Comparator<PrecinctRef> byPosition = Comparator
                .comparingLong((PrecinctRef ref) -> ref.precinct.referenceY)
                .thenComparingLong(ref -> ref.precinct.referenceX);
        Comparator<PrecinctRef> byResolution = Comparator.comparingInt(PrecinctRef::resolution);
        Comparator<PrecinctRef> byComponent = Comparator.comparingInt(PrecinctRef::component);
        // The list starts in R, C, P order, which LRCP and RLCP use as it is. The sort is
        // stable, so precincts of one component and resolution keep their raster order.
        switch (progression) {
            case RPCL -> refs.sort(byResolution.thenComparing(byPosition).thenComparing(
                    byComponent));
            case PCRL -> refs.sort(byPosition.thenComparing(byComponent).thenComparing(
                    byResolution));
            case CPRL -> refs.sort(byComponent.thenComparing(byPosition).thenComparing(
                    byResolution));
            default -> {
            }
        }
        return refs;
    }

    private int byteAt(int index) {
        return index < end ? data[index] & 0xFF : -1;
    }

    private void packet(TileComponent tc, Precinct precinct, int layer) {
        if (style.startOfPacket && byteAt(position) == 0xFF && byteAt(position + 1) == 0x91) {
            if (end - position < 6) {
                throw Codestream.invalid("an SOP marker segment is truncated");
            }
            position += 6;
        }
        PacketHeaderBits bits = new PacketHeaderBits(data, position, end);
        List<Block> included = new ArrayList<>();
        if (bits.bit() != 0) {
            for (PrecinctBand pb : precinct.bands) {
                readBlockHeaders(bits, tc, pb, layer, included);
            }
        }
        position = bits.finish();
        if (style.endOfPacketHeader) {
            if (byteAt(position) != 0xFF || byteAt(position + 1) != 0x92) {
                throw Codestream.invalid(String.format("expected the EPH marker 0x%04X after a"
                        + " packet header at tile offset %d", EPH, position));
            }
            position += 2;
        }
        for (Block block : included) {
            int length = block.packetLength;
            if (length > end - position) {
                throw Codestream.invalid("a packet body declares " + length + " bytes for a"
                        + " code-block, but the tile data has " + (end - position) + " left");
            }
            if (block.length + length > block.data.length) {
                block.data = Arrays.copyOf(block.data,
                        Math.max(block.length + length, block.data.length * 2));
            }
            System.arraycopy(data, position, block.data, block.length, length);
            block.length += length;
            position += length;
        }
    }

    private void readBlockHeaders(PacketHeaderBits bits, TileComponent tc, PrecinctBand pb,
            int layer, List<Block> included) {
        int blockStyle = tc.style.blockStyle;
        for (int i = 0; i < pb.blocks.length; i++) {
            Block block = pb.blocks[i];
            int x = i % pb.blocksWide;
            int y = i / pb.blocksWide;
            boolean first = !block.included;
            boolean inLayer;
            if (first) {
                inLayer = pb.inclusion.decode(bits, x, y, layer + 1) <= layer;
            } else {
                inLayer = bits.bit() != 0;
            }
            if (!inLayer) {
                continue;
            }
            if (first) {
                block.included = true;
                block.zeroPlanes = pb.zeroPlanes.decode(bits, x, y, Integer.MAX_VALUE);
            }
            int newPasses = readPassCount(bits);
            if (block.passes + newPasses > MAX_PASSES) {
                throw Codestream.invalid("a code-block of component " + tc.index + " declares "
                        + (block.passes + newPasses) + " coding passes (at most " + MAX_PASSES
                        + " are accepted)");
            }
            while (bits.bit() != 0) {
                block.lengthBits++;
                if (block.lengthBits > 31) {
                    throw Codestream.invalid("a code-block length field grows past 31 bits");
                }
            }
            int total = 0;
            while (newPasses > 0) {
                int segment = openSegment(block, blockStyle);
                int firstPass = block.passes - block.segmentPasses[segment];
                int room = segmentCapacity(firstPass, blockStyle) - block.segmentPasses[segment];
                int passes = Math.min(newPasses, room);
                int lengthBits = block.lengthBits + 31 - Integer.numberOfLeadingZeros(passes);
                if (lengthBits > 31) {
                    throw Codestream.invalid("a code-block length field has " + lengthBits
                            + " bits");
                }
                int length = bits.bits(lengthBits);
                block.segmentPasses[segment] += passes;
                block.segmentLengths[segment] += length;
                block.passes += passes;
                newPasses -= passes;
                total += length;
                if (total < 0) {
                    throw Codestream.invalid("a code-block declares more than 2^31 bytes");
                }
            }
            block.packetLength = total;
            included.add(block);
        }
    }

    /**
     * Returns the index of the segment that takes the block's next pass, opening a new one
     * when the last is full.
     */
    private static int openSegment(Block block, int blockStyle) {
        if (block.segments > 0) {
            int last = block.segments - 1;
            int firstPass = block.passes - block.segmentPasses[last];
            if (block.segmentPasses[last] < segmentCapacity(firstPass, blockStyle)) {
                return last;
            }
        }
        if (block.segments == block.segmentLengths.length) {
            block.segmentLengths = Arrays.copyOf(block.segmentLengths, block.segments * 2);
            block.segmentPasses = Arrays.copyOf(block.segmentPasses, block.segments * 2);
        }
        return block.segments++;
    }

    /** Returns how many passes a codeword segment that starts at {@code firstPass} holds. */
    private static int segmentCapacity(int firstPass, int blockStyle) {
        if ((blockStyle & CodeBlockDecoder.STYLE_TERMINATE_ALL) != 0) {
            return 1;
        }
        if ((blockStyle & CodeBlockDecoder.STYLE_BYPASS) != 0) {
            // Bypass mode ends a segment after the first ten passes (four bit-planes), then
            // alternates raw significance and refinement pairs with arithmetic cleanup passes.
            if (firstPass < 10) {
                return 10;
            }
            return firstPass % 3 == 1 ? 2 : 1;
        }
        // One segment carries every pass. No valid code-block has more than 3 * 37 - 2 = 109
        // (37 bit-planes at most), and OpenJPEG 2.x opens a new segment after 109 passes, so
        // this decoder does too and reads invalid streams the same way.
        return 109;
    }

    /** Reads the number of new coding passes (T.800 Table B.4). */
    private static int readPassCount(PacketHeaderBits bits) {
        if (bits.bit() == 0) {
            return 1;
        }
        if (bits.bit() == 0) {
            return 2;
        }
        int two = bits.bits(2);
        if (two < 3) {
            return 3 + two;
        }
        int five = bits.bits(5);
        if (five < 31) {
            return 6 + five;
        }
        return 37 + bits.bits(7);
    }
}
