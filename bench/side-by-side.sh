#!/usr/bin/env bash
# Times the benchmark models through Jonnx and ONNX Runtime in one process each, alternating
# runs, at 1 and 2 threads, and prints one line per model and thread count with the ratios.
# Usage: bench/side-by-side.sh [ITERATIONS]   (models are fetched by bench/fetch-models.sh)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/.mvn/jdk.sh"
iterations="${1:-30}"
"$root/bench/fetch-models.sh" >/dev/null
"$root/mvnw" -q -o -f "$root/pom.xml" -DskipTests package -pl jonnx-bench -am >&2
cp="$root/jonnx-bench/target/jonnx-bench.jar:$root/jonnx-bench/target/lib/*"
m="$root/models"
bench() {
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -Xss16m -Xmx8g -cp "$cp" dev.jonnx.bench.SideBySide "$@" --iterations "$iterations" \
    --ort-spinning off 2>/dev/null
}
for threads in 1 2; do
  bench "$m/all-minilm-l6-v2.onnx" --label "MiniLM fp32 b1x128" --threads $threads \
    --shape input_ids=1,128 --shape attention_mask=1,128 --shape token_type_ids=1,128
  bench "$m/all-minilm-l6-v2.onnx" --label "MiniLM fp32 b8x128" --threads $threads \
    --shape input_ids=8,128 --shape attention_mask=8,128 --shape token_type_ids=8,128
  bench "$m/all-minilm-l6-v2-q.onnx" --label "MiniLM int8 b1x128" --threads $threads \
    --shape input_ids=1,128 --shape attention_mask=1,128 --shape token_type_ids=1,128
  bench "$m/e5-small-v2-q.onnx" --label "e5-small int8 b1x128" --threads $threads \
    --shape input_ids=1,128 --shape attention_mask=1,128 --shape token_type_ids=1,128
  bench "$m/ocr-det.onnx" --label "OCR det 1x3x640x640" --threads $threads --shape x=1,3,640,640
  bench "$m/ocr-rec.onnx" --label "OCR rec 1x3x48x320" --threads $threads --shape x=1,3,48,320
  bench "$m/ocr-cls.onnx" --label "OCR cls 1x3x48x192" --threads $threads --shape x=1,3,48,192
  bench "$m/silero_vad_v5.onnx" --label "Silero VAD v5 512" --threads $threads \
    --shape input=1,512 --shape state=2,1,128 --value sr=16000
done
