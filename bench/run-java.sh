#!/usr/bin/env bash
# Runs a benchmark main class of the bench module with the build's classpath and Spark's JVM flags.
# Usage: bench/run-java.sh <SimpleClassName> [args...]   (build first: mvn -B -q package -DskipTests)
# Environment: BENCH_HEAP (default 4g); JAVA_OPTS adds JVM flags (e.g. a JFR recording).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jar=$(ls "$root"/bench/target/refinery-bench-*.jar | head -n 1)
exec java -Xmx"${BENCH_HEAP:-4g}" ${JAVA_OPTS:-} --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED \
  -cp "$jar:$(cat "$root/bench/target/classpath.txt")" "ai.refinery.bench.$1" "${@:2}"
