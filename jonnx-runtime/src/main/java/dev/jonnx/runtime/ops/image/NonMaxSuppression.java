package dev.jonnx.runtime.ops.image;

import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * NonMaxSuppression: for each batch and class, greedily selects boxes in decreasing score
 * order (ties in increasing box index) and drops every later box whose intersection over union
 * with a selected box exceeds iou_threshold.
 */
final class NonMaxSuppression {
    private NonMaxSuppression() {}

    static Kernel create(NodeContext node) {
        long centerPointBox = node.getInt("center_point_box", 0);
        if (centerPointBox != 0 && centerPointBox != 1) {
            throw node.error("center_point_box must be 0 or 1, got " + centerPointBox);
        }
        boolean center = centerPointBox == 1;
        return (inputs, ctx) -> {
            Tensor boxes = ImageInputs.required(inputs, 0, "boxes");
            Tensor scores = ImageInputs.required(inputs, 1, "scores");
            Tensor maxOutput = ImageInputs.optional(inputs, 2, "max_output_boxes_per_class");
            Tensor iouInput = ImageInputs.optional(inputs, 3, "iou_threshold");
            Tensor scoreInput = ImageInputs.optional(inputs, 4, "score_threshold");
            if (boxes.rank() != 3 || boxes.dim(2) != 4) {
                throw new IllegalArgumentException("input boxes must have shape (num_batches,"
                        + " spatial_dimension, 4), got " + Arrays.toString(boxes.shape()));
            }
            int batches = boxes.dim(0);
            int count = boxes.dim(1);
            if (scores.rank() != 3 || scores.dim(0) != batches || scores.dim(2) != count) {
                throw new IllegalArgumentException("input scores must have shape (" + batches
                        + ", num_classes, " + count + "), got " + Arrays.toString(scores.shape()));
            }
            int classes = scores.dim(1);
            long limit = maxOutput == null || maxOutput.size() == 0 ? 0 : maxOutput.getLong(0);
            double iouThreshold = iouInput == null || iouInput.size() == 0 ? 0
                    : iouInput.getDouble(0);
            boolean hasScoreThreshold = scoreInput != null && scoreInput.size() > 0;
            double scoreThreshold = hasScoreThreshold ? scoreInput.getDouble(0) : 0;
            double[] box = boxes.toDoubleArray();
            double[] score = scores.toDoubleArray();
            // Corners as (y1, x1, y2, x2) with y1 <= y2 and x1 <= x2.
            double[] corners = new double[batches * count * 4];
            for (int i = 0; i < batches * count; i++) {
                double a = box[i * 4];
                double b = box[i * 4 + 1];
                double c = box[i * 4 + 2];
                double d = box[i * 4 + 3];
                if (center) {
                    corners[i * 4] = b - d / 2;
                    corners[i * 4 + 1] = a - c / 2;
                    corners[i * 4 + 2] = b + d / 2;
                    corners[i * 4 + 3] = a + c / 2;
                } else {
                    corners[i * 4] = Math.min(a, c);
                    corners[i * 4 + 1] = Math.min(b, d);
                    corners[i * 4 + 2] = Math.max(a, c);
                    corners[i * 4 + 3] = Math.max(b, d);
                }
            }
            long[] selected = new long[16 * 3];
            int selectedCount = 0;
            Integer[] order = new Integer[count];
            int[] selectedInClass = new int[count];
            for (int b = 0; b < batches && limit > 0; b++) {
                for (int c = 0; c < classes; c++) {
                    int scoreBase = (b * classes + c) * count;
                    int candidates = 0;
                    for (int i = 0; i < count; i++) {
                        if (!hasScoreThreshold || score[scoreBase + i] > scoreThreshold) {
                            order[candidates++] = i;
                        }
                    }
                    Arrays.sort(order, 0, candidates, (p, q) -> {
                        int byScore = Double.compare(score[scoreBase + q], score[scoreBase + p]);
                        return byScore != 0 ? byScore : Integer.compare(p, q);
                    });
                    int selectedInClassCount = 0;
                    for (int k = 0; k < candidates && selectedInClassCount < limit; k++) {
                        int i = order[k];
                        boolean suppressed = false;
                        for (int j = 0; j < selectedInClassCount; j++) {
                            if (iou(corners, (b * count + i) * 4, (b * count + selectedInClass[j]) * 4)
                                    > iouThreshold) {
                                suppressed = true;
                                break;
                            }
                        }
                        if (suppressed) {
                            continue;
                        }
                        selectedInClass[selectedInClassCount++] = i;
                        if ((selectedCount + 1) * 3 > selected.length) {
                            selected = Arrays.copyOf(selected, selected.length * 2);
                        }
                        selected[selectedCount * 3] = b;
                        selected[selectedCount * 3 + 1] = c;
                        selected[selectedCount * 3 + 2] = i;
                        selectedCount++;
                    }
                }
            }
            return new Value[] {Tensor.of(Arrays.copyOf(selected, selectedCount * 3),
                    selectedCount, 3)};
        };
    }

    private static double iou(double[] corners, int a, int b) {
        double height = Math.min(corners[a + 2], corners[b + 2])
                - Math.max(corners[a], corners[b]);
        double width = Math.min(corners[a + 3], corners[b + 3])
                - Math.max(corners[a + 1], corners[b + 1]);
        if (height <= 0 || width <= 0) {
            return 0;
        }
        double intersection = height * width;
        double areaA = (corners[a + 2] - corners[a]) * (corners[a + 3] - corners[a + 1]);
        double areaB = (corners[b + 2] - corners[b]) * (corners[b + 3] - corners[b + 1]);
        double union = areaA + areaB - intersection;
        return union <= 0 ? 0 : intersection / union;
    }
}
