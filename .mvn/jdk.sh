# Sourced by ./mvnw and ./jonnx: points JAVA_HOME at a JDK 25 or newer.
# Keeps JAVA_HOME when it already names one; otherwise takes the newest under /usr/lib/jvm.
jonnx_java_feature() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}
jonnx_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    v=$(jonnx_java_feature "$JAVA_HOME")
    [ "${v:-0}" -ge 25 ] && return 0
  fi
  best="" best_v=0
  for name in $(ls /usr/lib/jvm 2>/dev/null); do
    dir=/usr/lib/jvm/$name
    [ -x "$dir/bin/javac" ] || continue
    v=$(jonnx_java_feature "$dir")
    if [ "${v:-0}" -ge 25 ] && [ "$v" -gt "$best_v" ]; then best="$dir" best_v="$v"; fi
  done
  if [ -z "$best" ]; then
    echo "error: Jonnx needs a JDK 25 or newer. Set JAVA_HOME to one, or install one under /usr/lib/jvm." >&2
    return 1
  fi
  export JAVA_HOME="$best"
}
jonnx_find_jdk || exit 1
