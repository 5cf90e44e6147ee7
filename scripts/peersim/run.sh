#!/usr/bin/env bash
# PeerSim 1.0.5 on the flood benchmark workload of issue 9, for the `x PS here` column of benches/flood.rs.
#
#   PEERSIM_HOME=DIR scripts/peersim/run.sh 1e4|1e5|1e6 [JVM flags...] [-- key=value ...]
#
# DIR holds PeerSim 1.0.5's jars (the release's peersim-1.0.5.jar, jep-2.3.0.jar and djep-1.0.0.jar). The flood
# workload (flood/*.java) is compiled into target/peersim-classes. Without JVM flags the run uses ParallelGC,
# PeerSim's fastest collector on this workload. Prints PeerSim's summary: `loop_seconds=... events/s=...` is the
# event loop's rate, `VmHWM` the peak memory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
size=${1:?usage: PEERSIM_HOME=DIR $0 1e4|1e5|1e6 [JVM flags...] [-- key=value ...]}
shift
# Peers and queries of scenarios/bench/flood-ms-SIZE.toml; flood.cfg holds the rest of the workload.
case $size in
  1e4) scale=(network.size=10000 init.load.queries=1000) ;;
  1e5) scale=(network.size=100000 init.load.queries=200) ;;
  1e6) scale=(network.size=1000000 init.load.queries=50) ;;
  *) echo "$0: size $size is not one of 1e4, 1e5, 1e6" >&2; exit 2 ;;
esac
[ -n "${PEERSIM_HOME:-}" ] || { echo "$0: set PEERSIM_HOME to the folder of PeerSim 1.0.5's jars" >&2; exit 2; }
ls "$PEERSIM_HOME"/*.jar >/dev/null 2>&1 || { echo "$0: no jars in PEERSIM_HOME=$PEERSIM_HOME" >&2; exit 2; }
jvm=()
overrides=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; overrides=("$@"); break; fi
  jvm+=("$1"); shift
done
[ ${#jvm[@]} -gt 0 ] || jvm=(-XX:+UseParallelGC)
classes=$here/../../target/peersim-classes
if [ ! -f "$classes/flood/FloodProtocol.class" ] || [ -n "$(find "$here/flood" -newer "$classes/flood/FloodProtocol.class")" ]; then
  mkdir -p "$classes"
  javac -nowarn -encoding UTF-8 -cp "$PEERSIM_HOME/*" -d "$classes" "$here"/flood/*.java
fi
exec java -Xmx8g "${jvm[@]}" -cp "$classes:$PEERSIM_HOME/*" peersim.Simulator "$here/flood.cfg" "${scale[@]}" "${overrides[@]}"
