package dev.jonnx.runtime.ops.random;

import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Registers the random generators: RandomNormal, RandomUniform, their -Like forms, Bernoulli
 * and Multinomial.
 *
 * <p>Seeding: with the {@code seed} attribute, every run of the node starts a
 * {@link SplittableRandom} from that seed (the float value's bits), so the node returns the
 * same values on every run and thread. Without it, each run draws a fresh seed. The sequences
 * differ from NumPy's and from other runtimes', as the ONNX definitions allow.
 */
public final class RandomOps {
    private RandomOps() {}

    private static final Set<DataType> FLOAT_TYPES =
            Set.of(DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.BFLOAT16);
    private static final Set<DataType> BERNOULLI_OUTPUTS = Set.of(DataType.UINT8, DataType.UINT16,
            DataType.UINT32, DataType.UINT64, DataType.INT8, DataType.INT16, DataType.INT32,
            DataType.INT64, DataType.BFLOAT16, DataType.FLOAT16, DataType.FLOAT, DataType.DOUBLE,
            DataType.BOOL);

    public static void register(OpRegistry.Builder registry) {
        registry.add("RandomNormal", randomNormal(), 1, 22);
        registry.add("RandomNormalLike", randomNormalLike(), 1, 22);
        registry.add("RandomUniform", randomUniform(), 1, 22);
        registry.add("RandomUniformLike", randomUniformLike(), 1, 22);
        registry.add("Bernoulli", bernoulli(), 15, 22);
        registry.add("Multinomial", multinomial(), 7, 22);
    }

    /** A source of generators: fixed by the seed attribute, or fresh on every run. */
    private record Seed(boolean fixed, long value) {
        static Seed of(NodeContext node) {
            if (!node.hasAttribute("seed")) {
                return new Seed(false, 0);
            }
            return new Seed(true, Double.doubleToLongBits(node.getFloat("seed")));
        }

        RandomGenerator generator() {
            return new SplittableRandom(fixed ? value : ThreadLocalRandom.current().nextLong());
        }
    }

    /** Draws one value per element. */
    @FunctionalInterface
    private interface Sampler {
        double draw(RandomGenerator random);
    }

    private static Tensor generate(DataType type, int[] shape, Seed seed, Sampler sampler) {
        RandomGenerator random = seed.generator();
        double[] values = new double[Tensor.sizeOf(shape)];
        for (int i = 0; i < values.length; i++) {
            values[i] = sampler.draw(random);
        }
        return Tensor.fromDoubles(type, shape, values);
    }

    private static DataType floatType(NodeContext node, DataType fallback) {
        if (!node.hasAttribute("dtype")) {
            return fallback;
        }
        DataType type = typeCode(node, node.getInt("dtype"));
        if (!FLOAT_TYPES.contains(type)) {
            throw node.error("dtype must be float, double, float16 or bfloat16, got " + type);
        }
        return type;
    }

    private static DataType typeCode(NodeContext node, long code) {
        try {
            return DataType.fromCode((int) code);
        } catch (IllegalArgumentException e) {
            throw node.error("dtype " + code + " is not a valid element type code");
        }
    }

    private static int[] shapeAttribute(NodeContext node) {
        long[] dims = node.getInts("shape", null);
        if (dims == null) {
            throw node.error("required attribute 'shape' is missing");
        }
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
                throw node.error("shape " + Arrays.toString(dims) + " has an invalid dimension");
            }
            shape[i] = (int) dims[i];
        }
        return shape;
    }

    private static Sampler normal(NodeContext node) {
        double mean = node.getFloat("mean", 0f);
        double scale = node.getFloat("scale", 1f);
        return random -> mean + scale * random.nextGaussian();
    }

    private static Sampler uniform(NodeContext node) {
        double low = node.getFloat("low", 0f);
        double high = node.getFloat("high", 1f);
        if (!(low <= high)) {
            throw node.error("low " + low + " must not exceed high " + high);
        }
        return random -> low + (high - low) * random.nextDouble();
    }

    static KernelFactory randomNormal() {
        return node -> {
            DataType type = floatType(node, DataType.FLOAT);
            int[] shape = shapeAttribute(node);
            Seed seed = Seed.of(node);
            Sampler sampler = normal(node);
            return (inputs, ctx) -> new Value[] {generate(type, shape, seed, sampler)};
        };
    }

    static KernelFactory randomUniform() {
        return node -> {
            DataType type = floatType(node, DataType.FLOAT);
            int[] shape = shapeAttribute(node);
            Seed seed = Seed.of(node);
            Sampler sampler = uniform(node);
            return (inputs, ctx) -> new Value[] {generate(type, shape, seed, sampler)};
        };
    }

    static KernelFactory randomNormalLike() {
        return like(RandomOps::normal);
    }

    static KernelFactory randomUniformLike() {
        return like(RandomOps::uniform);
    }

    /** Builds a -Like form: shape from the input, type from dtype or else the input's type. */
    private static KernelFactory like(Function<NodeContext, Sampler> distribution) {
        return node -> {
            DataType dtype = floatType(node, null);
            Seed seed = Seed.of(node);
            Sampler sampler = distribution.apply(node);
            return (inputs, ctx) -> {
                Tensor input = (Tensor) inputs[0];
                DataType type = dtype != null ? dtype : input.type();
                if (!FLOAT_TYPES.contains(type)) {
                    throw new IllegalArgumentException("input has type " + type + ", which is not a "
                            + "float type; set the dtype attribute to choose the output type");
                }
                return new Value[] {generate(type, input.shape(), seed, sampler)};
            };
        };
    }

    /** Bernoulli-15 and -22: 1 with probability p, else 0, per element. */
    static KernelFactory bernoulli() {
        return node -> {
            DataType dtype = node.hasAttribute("dtype") ? typeCode(node, node.getInt("dtype")) : null;
            if (dtype != null && !BERNOULLI_OUTPUTS.contains(dtype)) {
                throw node.error("dtype " + dtype + " is not a numeric or bool type");
            }
            Seed seed = Seed.of(node);
            return (inputs, ctx) -> {
                Tensor p = (Tensor) inputs[0];
                if (!FLOAT_TYPES.contains(p.type())) {
                    throw new IllegalArgumentException("input must be a float tensor, got " + p.type());
                }
                DataType type = dtype != null ? dtype : p.type();
                RandomGenerator random = seed.generator();
                double[] values = new double[p.size()];
                for (int i = 0; i < values.length; i++) {
                    double probability = p.getDouble(i);
                    if (!(probability >= 0 && probability <= 1)) {
                        throw new IllegalArgumentException("input value " + probability + " at index "
                                + i + " is not a probability in [0, 1]");
                    }
                    values[i] = random.nextDouble() < probability ? 1 : 0;
                }
                return new Value[] {Tensor.fromDoubles(type, p.shape(), values)};
            };
        };
    }

    /**
     * Multinomial-7 and -22: {@code sample_size} class indices per batch row, drawn with
     * probabilities proportional to {@code exp(input)}.
     */
    static KernelFactory multinomial() {
        return node -> {
            DataType type = typeCode(node, node.getInt("dtype", DataType.INT32.code()));
            if (type != DataType.INT32 && type != DataType.INT64) {
                throw node.error("dtype must be int32 or int64, got " + type);
            }
            long sampleSize = node.getInt("sample_size", 1);
            if (sampleSize < 1 || sampleSize > Integer.MAX_VALUE) {
                throw node.error("sample_size must be positive, got " + sampleSize);
            }
            Seed seed = Seed.of(node);
            return (inputs, ctx) -> {
                Tensor logits = (Tensor) inputs[0];
                if (!FLOAT_TYPES.contains(logits.type()) || logits.rank() != 2) {
                    throw new IllegalArgumentException("input must be a 2-D float tensor "
                            + "[batch_size, class_size], got " + logits.describe());
                }
                int batch = logits.dim(0);
                int classes = logits.dim(1);
                int samples = (int) sampleSize;
                if (classes == 0 && batch > 0) {
                    throw new IllegalArgumentException("input has no classes to sample from");
                }
                RandomGenerator random = seed.generator();
                double[] cumulative = new double[classes];
                long[] out = new long[batch * samples];
                for (int b = 0; b < batch; b++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < classes; c++) {
                        max = Math.max(max, logits.getDouble(b * classes + c));
                    }
                    if (max == Double.NEGATIVE_INFINITY || Double.isNaN(max)) {
                        throw new IllegalArgumentException("row " + b + " of the input has no "
                                + "finite log-probability to sample from");
                    }
                    double total = 0;
                    for (int c = 0; c < classes; c++) {
                        total += Math.exp(logits.getDouble(b * classes + c) - max);
                        cumulative[c] = total;
                    }
                    for (int s = 0; s < samples; s++) {
                        double target = random.nextDouble() * total;
                        int chosen = 0;
                        while (chosen < classes - 1 && cumulative[chosen] <= target) {
                            chosen++;
                        }
                        out[b * samples + s] = chosen;
                    }
                }
                return new Value[] {Tensor.fromLongs(type, new int[] {batch, samples}, out)};
            };
        };
    }
}
