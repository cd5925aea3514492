package dev.jonnx.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.ModelFormatException;
import dev.jonnx.onnx.TensorProto;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Tensors of every element type through TensorProto and .npy encoding and back. */
class TensorRoundTripTest {
    /** The element types NumPy has a dtype for, and so .npy files can hold. */
    static final Set<DataType> NUMPY_TYPES = EnumSet.of(DataType.FLOAT, DataType.DOUBLE,
            DataType.FLOAT16, DataType.INT8, DataType.UINT8, DataType.INT16, DataType.UINT16,
            DataType.INT32, DataType.UINT32, DataType.INT64, DataType.UINT64, DataType.BOOL,
            DataType.COMPLEX64, DataType.COMPLEX128, DataType.STRING);

    @TempDir
    Path dir;

    /**
     * Builds a 2 x 3 x 5 tensor (an odd count, so sub-byte packing has a half-filled last byte)
     * whose elements cover each type's extremes: sign bits, the full unsigned range, NaN and
     * infinity bit patterns, and non-ASCII strings.
     */
    static Tensor sample(DataType type) {
        int[] shape = {2, 3, 5};
        int size = 30;
        Object data = Tensor.allocate(type, size);
        int slots = size * type.slotsPerElement();
        switch (type) {
            case FLOAT, COMPLEX64 -> {
                float[] values = (float[]) data;
                float[] specials = {0f, -0f, 1.5f, -2.25f, Float.MAX_VALUE, Float.MIN_VALUE,
                        Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
                for (int i = 0; i < slots; i++) {
                    values[i] = i < specials.length ? specials[i] : (float) Math.sin(i) * 1000;
                }
            }
            case DOUBLE, COMPLEX128 -> {
                double[] values = (double[]) data;
                double[] specials = {0d, -0d, Double.MAX_VALUE, Double.MIN_VALUE, Double.NaN,
                        Double.NEGATIVE_INFINITY};
                for (int i = 0; i < slots; i++) {
                    values[i] = i < specials.length ? specials[i] : Math.cos(i) * 1e10;
                }
            }
            case INT64, UINT64 -> {
                long[] values = (long[]) data;
                for (int i = 0; i < slots; i++) {
                    values[i] = switch (i) {
                        case 0 -> Long.MIN_VALUE;
                        case 1 -> Long.MAX_VALUE;
                        case 2 -> -1;
                        default -> i * 123456789L;
                    };
                }
            }
            case INT32, UINT32 -> {
                int[] values = (int[]) data;
                for (int i = 0; i < slots; i++) {
                    values[i] = switch (i) {
                        case 0 -> Integer.MIN_VALUE;
                        case 1 -> Integer.MAX_VALUE;
                        case 2 -> -1;
                        default -> i * 12345;
                    };
                }
            }
            case INT16, UINT16, FLOAT16, BFLOAT16 -> {
                short[] values = (short[]) data;
                for (int i = 0; i < slots; i++) {
                    values[i] = (short) (i * 2221 - 32768);
                }
            }
            case INT8, UINT8, FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ, FLOAT8E8M0 -> {
                byte[] values = (byte[]) data;
                for (int i = 0; i < slots; i++) {
                    values[i] = (byte) (i * 37 - 128);
                }
            }
            case INT4 -> fillBytes((byte[]) data, -8, 16);
            case UINT4, FLOAT4E2M1 -> fillBytes((byte[]) data, 0, 16);
            case INT2 -> fillBytes((byte[]) data, -2, 4);
            case UINT2 -> fillBytes((byte[]) data, 0, 4);
            case BOOL -> {
                boolean[] values = (boolean[]) data;
                for (int i = 0; i < slots; i++) {
                    values[i] = i % 3 == 0;
                }
            }
            case STRING -> {
                String[] values = (String[]) data;
                for (int i = 0; i < slots; i++) {
                    values[i] = switch (i) {
                        case 0 -> "";
                        case 1 -> "naïve 東京 😀";
                        default -> "s" + i;
                    };
                }
            }
        }
        return Tensor.of(type, shape, data);
    }

    /** Fills with {@code min}, {@code min + 1}, ... cycling through {@code count} values. */
    private static void fillBytes(byte[] values, int min, int count) {
        for (int i = 0; i < values.length; i++) {
            values[i] = (byte) (min + i % count);
        }
    }

    private static void assertSameTensor(Tensor actual, Tensor expected) {
        assertThat(actual.type()).isEqualTo(expected.type());
        assertThat(actual.shape()).isEqualTo(expected.shape());
        assertThat(Objects.deepEquals(actual.data(), expected.data()))
                .as("elements of %s equal bit for bit", expected.describe())
                .isTrue();
    }

    @ParameterizedTest
    @EnumSource(DataType.class)
    void tensorProtoRoundTrip(DataType type) throws Exception {
        Tensor original = sample(type);
        TensorProto proto = TensorProtos.toProto(original, "t");
        Tensor decoded = TensorProtos.toTensor(TensorProto.parseFrom(proto.toByteString()));
        assertSameTensor(decoded, original);
    }

    @ParameterizedTest
    @EnumSource(DataType.class)
    void emptyTensorProtoRoundTrip(DataType type) {
        Tensor original = Tensor.zeros(type, 0, 3);
        Tensor decoded = TensorProtos.toTensor(TensorProtos.toProto(original, "empty"));
        assertSameTensor(decoded, original);
    }

    @ParameterizedTest
    @EnumSource(DataType.class)
    void scalarTensorProtoRoundTrip(DataType type) {
        Tensor original = sample(type).reshape(30).copy();
        Object one = Tensor.allocate(type, 1);
        System.arraycopy(original.data(), type.slotsPerElement(), one, 0, type.slotsPerElement());
        Tensor scalar = Tensor.of(type, new int[0], one);
        assertSameTensor(TensorProtos.toTensor(TensorProtos.toProto(scalar, "s")), scalar);
    }

    @ParameterizedTest
    @EnumSource(DataType.class)
    void npyRoundTrip(DataType type) {
        Tensor original = sample(type);
        if (!NUMPY_TYPES.contains(type)) {
            assertThatThrownBy(() -> Npy.toBytes(original))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("NumPy has no dtype for " + type);
            return;
        }
        Path file = dir.resolve(type + ".npy");
        Npy.write(original, file);
        assertSameTensor(Npy.read(file), original);
    }

    @Test
    void npyRankZeroAndOneRoundTrip() {
        Tensor scalar = Tensor.scalar(2.5f);
        assertSameTensor(Npy.read(Npy.toBytes(scalar), "scalar"), scalar);
        Tensor vector = Tensor.of(new long[] {7, -8, 9}, 3);
        assertSameTensor(Npy.read(Npy.toBytes(vector), "vector"), vector);
    }

    @Test
    void npyBadMagicRejected() {
        assertThatThrownBy(() -> Npy.read("not numpy".getBytes(java.nio.charset.StandardCharsets.UTF_8), "x.npy"))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("bad magic");
    }

    @Test
    void npyTruncatedDataRejected() {
        byte[] bytes = Npy.toBytes(Tensor.of(new float[] {1, 2, 3, 4}, 4));
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        assertThatThrownBy(() -> Npy.read(cut, "cut.npy"))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("needs 16 bytes");
    }

    @Test
    void npyTruncatedHeaderRejected() {
        byte[] bytes = Npy.toBytes(Tensor.of(new float[] {1, 2}, 2));
        byte[] cut = java.util.Arrays.copyOf(bytes, 20);
        assertThatThrownBy(() -> Npy.read(cut, "header.npy"))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("truncated");
    }

    /** A complex element is two floats (complex64) or two doubles (complex128), as NumPy lays it out. */
    @Test
    void complexRawDataHasTwoPartsPerElement() {
        Tensor c64 = Tensor.of(DataType.COMPLEX64, new int[] {2}, new float[] {1, 2, 3, -4});
        assertThat(TensorProtos.rawByteLength(DataType.COMPLEX64, 2)).isEqualTo(16);
        assertThat(TensorProtos.toBytes(c64)).hasSize(16);
        Tensor c128 = Tensor.of(DataType.COMPLEX128, new int[] {1}, new double[] {5, -6});
        assertThat(TensorProtos.rawByteLength(DataType.COMPLEX128, 1)).isEqualTo(16);
        assertThat(TensorProtos.toBytes(c128)).hasSize(16);
    }

    @Test
    void complexNpyFromNumpyLayoutDecoded() {
        // The bytes numpy.save writes for np.array([1+2j, 3-4j], dtype=np.complex64).
        String header = "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }";
        int unpadded = 10 + header.length() + 1;
        String padded = header + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        java.nio.ByteBuffer file = java.nio.ByteBuffer.allocate(10 + padded.length() + 16)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        file.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        file.putShort((short) padded.length());
        file.put(padded.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        file.putFloat(1).putFloat(2).putFloat(3).putFloat(-4);

        Tensor read = Npy.read(file.array(), "complex.npy");

        assertThat(read.type()).isEqualTo(DataType.COMPLEX64);
        assertThat(read.shape()).containsExactly(2);
        assertThat(read.floats()).containsExactly(1f, 2f, 3f, -4f);
    }

    @Test
    void typedFieldsDecoded() {
        TensorProto floats = TensorProto.newBuilder().setDataType(DataType.FLOAT.code()).addDims(2)
                .addFloatData(1.5f).addFloatData(-2f).build();
        assertThat(TensorProtos.toTensor(floats).floats()).containsExactly(1.5f, -2f);

        TensorProto int8 = TensorProto.newBuilder().setDataType(DataType.INT8.code()).addDims(3)
                .addInt32Data(-128).addInt32Data(0).addInt32Data(127).build();
        assertThat(TensorProtos.toTensor(int8).bytes()).containsExactly(-128, 0, 127);

        TensorProto uint64 = TensorProto.newBuilder().setDataType(DataType.UINT64.code()).addDims(1)
                .addUint64Data(-1L).build();
        assertThat(TensorProtos.toTensor(uint64).longs()).containsExactly(-1L);

        TensorProto int4 = TensorProto.newBuilder().setDataType(DataType.INT4.code()).addDims(3)
                .addInt32Data(0x8F).addInt32Data(0x07).build();
        assertThat(TensorProtos.toTensor(int4).bytes()).containsExactly(-1, -8, 7);

        TensorProto tooFew = TensorProto.newBuilder().setDataType(DataType.DOUBLE.code()).addDims(2)
                .addDoubleData(1).build();
        assertThatThrownBy(() -> TensorProtos.toTensor(tooFew))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("needs 2 values in double_data, got 1");
    }
}
