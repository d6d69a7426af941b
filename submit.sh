#!/usr/bin/env bash
# spark-bce jobs: ./submit.sh COMMAND [options]   (./submit.sh --help)
#
# Without --master and without spark-submit (no SPARK_HOME, none on the PATH) the job runs on the
# embedded Spark of the project's own dependencies (local[*]): java + the JVM flags and Spark
# settings of conf/spark-defaults.conf + conf/log4j2.properties. With --master, SPARK_HOME or a
# spark-submit on the PATH, the same jar and conf/spark-defaults.conf go to spark-submit.
#
# The jar is (re)built with Maven when it is missing or older than src/main or pom.xml.
#
# Environment:
#   SPARK_BCE_CONF       Spark properties file instead of conf/spark-defaults.conf
#   SPARK_BCE_JAVA_OPTS  extra JVM options for the embedded run (e.g. -Xmx8g)
#   SPARK_BCE_JAR        use this jar (or classes directory) as is: no build
#   SPARK_BCE_CLASSPATH  with SPARK_BCE_JAR: the dependency classpath for the embedded run
#   SPARK_BCE_DEBUG      print stack traces and the command line
# Exit codes: 0 success, 1 failure (also a missing input or SQL file), 2 usage error, 3 a monitor
# alert fired, 75 retryable (another run changed or locked monitor's history at the same time).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONF_FILE="${SPARK_BCE_CONF:-$HERE/conf/spark-defaults.conf}"
LOG_CONF="$HERE/conf/log4j2.properties"
CLASSPATH_FILE="$HERE/target/classpath.txt"
MAIN_CLASS=io.sparkbce.job.Main

usage() {
  cat <<'EOF'
usage: ./submit.sh COMMAND [options] [--master URL] [--conf key=value ...]

commands:
  demo       generate a partitioned multi-label data set under target/demo, evaluate and
             monitor it
  evaluate   loss of a data set of logits and labels (./submit.sh evaluate --help)
  monitor    loss per event-time window and segment: metric history, alerts, HTML report
             (./submit.sh monitor --help)
  sql FILE   run the statements of a SQL file with the spark-bce functions (udf/examples.sql)
  bench      throughput benchmark (./submit.sh bench --help)

COMMAND --help lists the options of a command; an unknown option is an error.
--master URL     run through spark-submit on that master (local[N] runs embedded if there is
                 no spark-submit)
--conf key=value Spark configuration, passed through (repeatable)
Exit codes: 0 success, 1 failure (also a missing input or SQL file), 2 usage error (unknown
command or option, bad value), 3 monitor alert fired, 75 retryable (another run changed or locked monitor's
history at the same time).
EOF
}

die() { # code message
  echo "submit.sh: $2" >&2
  exit "$1"
}

# --- after a build: what was built is newer than pom.xml and the sources ----------------------
# Maven leaves an unchanged file alone, so without the touch a pom.xml edit that keeps the
# classpath would rebuild on every run.
mark_built() {
  [[ " ${GOALS[*]} " == *" package "* ]] && touch "$JAR"
  [[ " ${GOALS[*]} " == *" dependency:build-classpath "* ]] && touch "$CLASSPATH_FILE"
  return 0
}

# --- the job's stderr without the JVM's notice about --add-modules=jdk.incubator.vector ----------
# The JVM prints "WARNING: Using incubator modules: jdk.incubator.vector" as it starts, after its
# own option warnings, if any. Only that line is dropped, and only among the first lines; then
# everything passes through unbuffered (Spark's progress bar redraws a line with carriage returns).
drop_incubator_notice() {
  local line n=0
  while [ $n -lt 8 ] && IFS= read -r line; do
    n=$((n + 1))
    if [[ "$line" == "WARNING: Using incubator modules: "* ]]; then
      exec cat
    fi
    printf '%s\n' "$line"
  done
  printf '%s' "$line"
  exec cat
}

# --- run the job: its exit code is ours; TERM/INT/HUP reach it so that it cleans up --------------
run_job() { # command...
  local job filter code=0
  exec 3> >(drop_incubator_notice >&2)
  filter=$!
  "$@" 2>&3 <&0 &
  job=$!
  exec 3>&-
  trap 'kill -TERM "$job" 2>/dev/null || true' TERM INT HUP
  wait "$job" || code=$?
  while kill -0 "$job" 2>/dev/null; do
    code=0
    wait "$job" || code=$?
  done
  trap - TERM INT HUP
  wait "$filter" 2>/dev/null || true
  exit "$code"
}

# --- arguments: --master and --conf are ours (any position), the rest goes to the job ---------
MASTER=""
CONFS=()
APP_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --master) [ $# -ge 2 ] || die 2 "--master needs a value"; MASTER="$2"; shift 2 ;;
    --master=*) MASTER="${1#--master=}"; shift ;;
    --conf) [ $# -ge 2 ] || die 2 "--conf needs key=value"; CONFS+=("$2"); shift 2 ;;
    --conf=*) CONFS+=("${1#--conf=}"); shift ;;
    *) APP_ARGS+=("$1"); shift ;;
  esac
done
for c in ${CONFS[@]+"${CONFS[@]}"}; do
  [[ "$c" == *=* && "${c%%=*}" != "" ]] || die 2 "--conf needs key=value, got '$c'"
done
if [ ${#APP_ARGS[@]} -eq 0 ]; then
  usage >&2
  exit 2
fi
case "${APP_ARGS[0]}" in
  -h|--help|help) usage; exit 0 ;;
  demo|evaluate|monitor|sql|bench) ;;
  *) usage >&2; die 2 "unknown command '${APP_ARGS[0]}'" ;;
esac
[ -f "$CONF_FILE" ] || die 2 "no Spark properties file at $CONF_FILE"

# --- where to run --------------------------------------------------------------------------
SPARK_SUBMIT=""
if [ -n "${SPARK_HOME:-}" ]; then
  [ -x "$SPARK_HOME/bin/spark-submit" ] || die 2 "SPARK_HOME=$SPARK_HOME has no bin/spark-submit"
  SPARK_SUBMIT="$SPARK_HOME/bin/spark-submit"
elif command -v spark-submit >/dev/null 2>&1; then
  SPARK_SUBMIT="$(command -v spark-submit)"
fi
MODE=embedded
if [ -n "$SPARK_SUBMIT" ]; then
  MODE=spark-submit
elif [ -n "$MASTER" ] && [[ "$MASTER" != local* ]]; then
  die 2 "--master $MASTER needs spark-submit: set SPARK_HOME or put spark-submit on the PATH"
fi

# --- conf/spark-defaults.conf, then --conf (later wins) -----------------------------------
# "key value", "key=value" or "key: value" per line, # and ! comments (no line continuations).
CONF_KEYS=()
CONF_VALUES=()
while IFS= read -r line || [ -n "$line" ]; do
  line="${line%$'\r'}"
  line="${line#"${line%%[![:space:]]*}"}"
  case "$line" in ''|'#'*|'!'*) continue ;; esac
  if [[ "$line" =~ ^([^[:space:]=:]+)[[:space:]]*[=:]?[[:space:]]*(.*)$ ]]; then
    value="${BASH_REMATCH[2]}"
    CONF_KEYS+=("${BASH_REMATCH[1]}")
    CONF_VALUES+=("${value%"${value##*[![:space:]]}"}")
  fi
done < "$CONF_FILE"
for c in ${CONFS[@]+"${CONFS[@]}"}; do
  CONF_KEYS+=("${c%%=*}")
  CONF_VALUES+=("${c#*=}")
done
conf_value() { # key -> last value, or empty
  local v="" i
  for i in "${!CONF_KEYS[@]}"; do
    [ "${CONF_KEYS[$i]}" = "$1" ] && v="${CONF_VALUES[$i]}"
  done
  printf '%s' "$v"
}
DRIVER_JAVA_OPTS="$(conf_value spark.driver.extraJavaOptions)"
DRIVER_MEMORY="$(conf_value spark.driver.memory)"
if [ -t 2 ]; then PROGRESS=true; else PROGRESS=false; fi

# --- the jar (and, for the embedded run, the dependency classpath) ---------------------------
find_jar() { # the newest target/spark-bce-*.jar that is not a tests/sources/javadoc jar
  local j best=""
  for j in "$HERE"/target/spark-bce-*.jar; do
    [ -f "$j" ] || continue
    case "$j" in *-tests.jar|*-sources.jar|*-javadoc.jar) continue ;; esac
    if [ -z "$best" ] || [ "$j" -nt "$best" ]; then best="$j"; fi
  done
  printf '%s' "$best"
}
if [ -n "${SPARK_BCE_JAR:-}" ]; then
  JAR="$SPARK_BCE_JAR"
  DEP_CP="${SPARK_BCE_CLASSPATH:-}"
else
  # Two submit.sh started at once on a fresh clone would both run Maven in one target/ (one
  # deleting classes the other is packaging): the check and the build hold a lock, so the second
  # waits and then finds the jar built. Where flock(1) is missing (macOS), no lock.
  if command -v flock >/dev/null 2>&1 && mkdir -p "$HERE/target" 2>/dev/null \
      && exec 9>"$HERE/target/.submit-build.lock"; then
    flock 9
  fi
  JAR="$(find_jar)"
  GOALS=()
  if [ -z "$JAR" ] || [ -n "$(find "$HERE/src/main" "$HERE/pom.xml" -newer "$JAR" -print -quit)" ]; then
    GOALS+=(package)
  fi
  if [ "$MODE" = embedded ] && { [ ! -s "$CLASSPATH_FILE" ] || [ "$HERE/pom.xml" -nt "$CLASSPATH_FILE" ]; }; then
    # includeScope (not mdep.includeScope, which the plugin ignores): compile and provided, never
    # the test dependencies (JUnit, Hive metastore, MiniDFSCluster).
    GOALS+=(dependency:build-classpath -DincludeScope=compile "-Dmdep.outputFile=$CLASSPATH_FILE")
  fi
  if [ ${#GOALS[@]} -gt 0 ]; then
    command -v mvn >/dev/null 2>&1 || die 1 "Maven (mvn) is needed to build the jar; install Maven 3.8+"
    echo "submit.sh: building spark-bce (mvn ${GOALS[0]}) ..." >&2
    # Maven 3.8 prints colour resets (ESC[0m) even with -q -B: dropped, or a log shows "[0m[0m"
    (cd "$HERE" && mvn -q -B -ntp -Dstyle.color=never -Dmaven.test.skip=true "${GOALS[@]}" 2>&1 \
      | sed $'s/\e\\[[0-9;]*m//g') >&2 \
      || die 1 "the Maven build failed (run: mvn -B package -DskipTests)"
    JAR="$(find_jar)"
    [ -n "$JAR" ] || die 1 "the build made no target/spark-bce-*.jar"
    mark_built
  fi
  exec 9>&- # releases the build lock (closing an fd never opened is no error)
  DEP_CP=""
  [ "$MODE" = embedded ] && DEP_CP="$(cat "$CLASSPATH_FILE")"
fi

# --- UTF-8 in the JVM ------------------------------------------------------------------------
# JDK 17 takes the encoding of file names (sun.jnu.encoding) and of text from the locale: under
# LC_ALL=C an --output named 出力 would be created as ??. A UTF-8 locale stays as it is; otherwise
# the JVM runs under one (C.UTF-8 where the system has it) and with -Dfile.encoding=UTF-8.
use_utf8_locale() {
  case "$(locale charmap 2>/dev/null || true)" in UTF-8|utf-8|utf8|UTF8) return 0 ;; esac
  local available l
  available="$(locale -a 2>/dev/null || true)"
  for l in C.UTF-8 C.utf8 en_US.UTF-8 en_US.utf8; do
    if grep -qx "$l" <<< "$available"; then
      export LC_ALL="$l"
      return 0
    fi
  done
  export LC_ALL=C.UTF-8
}
use_utf8_locale
UTF8_OPTS="-Dfile.encoding=UTF-8 -Dsun.stdout.encoding=UTF-8 -Dsun.stderr.encoding=UTF-8"

debug_cmd() {
  if [ -n "${SPARK_BCE_DEBUG:-}" ]; then
    printf 'submit.sh:' >&2
    printf ' %q' "$@" >&2
    printf '\n' >&2
  fi
}

# --- spark-submit ----------------------------------------------------------------------------
if [ "$MODE" = spark-submit ]; then
  CMD=("$SPARK_SUBMIT" --class "$MAIN_CLASS" --properties-file "$CONF_FILE")
  [ -n "$MASTER" ] && CMD+=(--master "$MASTER")
  CMD+=(--driver-java-options "$DRIVER_JAVA_OPTS $UTF8_OPTS -Dlog4j2.configurationFile=$LOG_CONF -Dsparkbce.home=$HERE")
  CMD+=(--conf "spark.ui.showConsoleProgress=$PROGRESS")
  for c in ${CONFS[@]+"${CONFS[@]}"}; do
    # already in --driver-java-options; passed again it would replace them (log4j2, --add-opens)
    [ "${c%%=*}" = spark.driver.extraJavaOptions ] && continue
    CMD+=(--conf "$c")
  done
  CMD+=("$JAR" "${APP_ARGS[@]}")
  debug_cmd "${CMD[@]}"
  run_job "${CMD[@]}"
fi

# --- embedded Spark --------------------------------------------------------------------------
JAVA="java"
[ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && JAVA="$JAVA_HOME/bin/java"
command -v "$JAVA" >/dev/null 2>&1 || die 1 "java (17+) is needed; set JAVA_HOME or put it on the PATH"
JVM_OPTS=()
read -r -a JVM_OPTS <<< "$DRIVER_JAVA_OPTS"
[ -n "$DRIVER_MEMORY" ] && JVM_OPTS+=("-Xmx$DRIVER_MEMORY")
if [ -n "${SPARK_BCE_JAVA_OPTS:-}" ]; then
  read -r -a EXTRA <<< "$SPARK_BCE_JAVA_OPTS"
  JVM_OPTS+=("${EXTRA[@]}")
fi
PROPS=("-Dspark.master=${MASTER:-local[*]}" -Dspark.ui.enabled=false
  -Dspark.driver.host=127.0.0.1 -Dspark.driver.bindAddress=127.0.0.1
  "-Dspark.ui.showConsoleProgress=$PROGRESS")
for i in "${!CONF_KEYS[@]}"; do
  PROPS+=("-D${CONF_KEYS[$i]}=${CONF_VALUES[$i]}")
done
CP="$JAR"
[ -n "$DEP_CP" ] && CP="$JAR:$DEP_CP"
read -r -a ENCODING_OPTS <<< "$UTF8_OPTS"
CMD=("$JAVA" ${JVM_OPTS[@]+"${JVM_OPTS[@]}"} "${ENCODING_OPTS[@]}" "-Dlog4j2.configurationFile=$LOG_CONF"
  "-Dsparkbce.home=$HERE" "${PROPS[@]}" -cp "$CP" "$MAIN_CLASS" "${APP_ARGS[@]}")
debug_cmd "${CMD[@]}"
run_job "${CMD[@]}"
