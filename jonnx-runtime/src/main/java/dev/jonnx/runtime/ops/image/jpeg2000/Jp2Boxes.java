package dev.jonnx.runtime.ops.image.jpeg2000;

/**
 * Reads the boxes of a JP2 file (ITU-T T.800 Annex I) far enough to find the contiguous
 * codestream box and to reject color specifications this decoder does not convert.
 */
final class Jp2Boxes {
    private static final int SIGNATURE = 0x6A502020;
    private static final int HEADER = 0x6A703268;
    private static final int COLOR = 0x636F6C72;
    private static final int PALETTE = 0x70636C72;
    private static final int CODESTREAM = 0x6A703263;
    private static final int SYCC = 18;

    private Jp2Boxes() {}

    private static IllegalArgumentException invalid(String detail) {
        return new IllegalArgumentException("invalid JP2 file: " + detail);
    }

    /** Returns {start, end} of the contents of the first codestream box. */
    static int[] codestreamRange(byte[] data) {
        int position = 0;
        boolean first = true;
        while (position < data.length) {
            long[] box = readBoxHeader(data, position, data.length);
            int type = (int) box[0];
            int contentStart = (int) box[1];
            int end = (int) box[2];
            if (first && type != SIGNATURE) {
                throw invalid("it does not start with the JP2 signature box");
            }
            first = false;
            if (type == CODESTREAM) {
                return new int[] {contentStart, end};
            }
            if (type == HEADER) {
                checkHeader(data, contentStart, end);
            }
            // The file type box and boxes such as XML, UUID or IPR do not affect decoding.
            position = end;
        }
        throw invalid("no contiguous codestream box (jp2c) found");
    }

    /** Returns {type, content start, end} of the box at {@code position}. */
    private static long[] readBoxHeader(byte[] data, int position, int limit) {
        if (limit - position < 8) {
            throw invalid("a box header at offset " + position + " is truncated");
        }
        long length = readU32(data, position);
        int type = (int) readU32(data, position + 4);
        int headerLength = 8;
        if (length == 1) {
            if (limit - position < 16) {
                throw invalid("an extended box length at offset " + position + " is truncated");
            }
            length = readU32(data, position + 8) << 32 | readU32(data, position + 12);
            headerLength = 16;
        } else if (length == 0) {
            length = limit - position;
        }
        if (length < headerLength || length > limit - position) {
            throw invalid(String.format("box '%s' at offset %d declares %d bytes, but %d remain",
                    typeName(type), position, length, limit - position));
        }
        return new long[] {type, position + headerLength, position + length};
    }

    private static void checkHeader(byte[] data, int start, int end) {
        int position = start;
        while (position < end) {
            long[] box = readBoxHeader(data, position, end);
            int type = (int) box[0];
            int contentStart = (int) box[1];
            if (type == PALETTE) {
                throw new IllegalArgumentException("unsupported JP2 file: the palette box (pclr)"
                        + " is not implemented by the Jonnx decoder");
            }
            if (type == COLOR && box[2] - contentStart >= 7 && data[contentStart] == 1
                    && readU32(data, contentStart + 3) == SYCC) {
                throw new IllegalArgumentException("unsupported JP2 file: the sYCC color space"
                        + " is not implemented by the Jonnx decoder");
            }
            position = (int) box[2];
        }
    }

    private static long readU32(byte[] data, int at) {
        return (data[at] & 0xFFL) << 24 | (data[at + 1] & 0xFFL) << 16
                | (data[at + 2] & 0xFFL) << 8 | data[at + 3] & 0xFFL;
    }

    private static String typeName(int type) {
        char[] chars = new char[4];
        for (int i = 0; i < 4; i++) {
            int c = type >>> (24 - 8 * i) & 0xFF;
            chars[i] = c >= 0x20 && c < 0x7F ? (char) c : '?';
        }
        return new String(chars);
    }
}
