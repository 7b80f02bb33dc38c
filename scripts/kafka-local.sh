#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft, no ZooKeeper) on 127.0.0.1, for integration tests and local runs.
#   scripts/kafka-local.sh start   fetch the broker with Maven (cached in ~/.m2), format storage if there is none,
#                                  start it and wait until it serves
#   scripts/kafka-local.sh stop    stop it cleanly (its storage stays: start again to resume with the same topics)
#   scripts/kafka-local.sh clean   stop it and remove its storage
#   scripts/kafka-local.sh run -- CMD...   start on fresh storage, run CMD with KAFKA_BROKERS set, then clean
# KAFKA_PORT (default 19092; the controller uses KAFKA_PORT+1) and KAFKA_HOME_DIR (default /tmp/kafka-local-$KAFKA_PORT).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
port="${KAFKA_PORT:-19092}"
controller_port=$((port + 1))
dir="${KAFKA_HOME_DIR:-/tmp/kafka-local-$port}"
pidfile="$dir/broker.pid"

classpath() {
  mkdir -p "$dir"
  if [ ! -s "$dir/classpath.txt" ]; then
    mvn -q -B -f "$here/kafka/pom.xml" dependency:build-classpath -Dmdep.outputFile="$dir/classpath.txt" >&2
  fi
  cat "$dir/classpath.txt"
}

start() {
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "kafka already running on 127.0.0.1:$port (pid $(cat "$pidfile"))"
    return 0
  fi
  rm -f "$dir/broker.log"
  mkdir -p "$dir/data"
  local cp
  cp="$(classpath)"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  cat > "$dir/log4j.properties" <<PROPS
log4j.rootLogger=WARN, stdout
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
PROPS
  local java_opts=(-Xms256m -Xmx512m -Dlog4j.configuration="file:$dir/log4j.properties")
  if [ ! -f "$dir/data/meta.properties" ]; then
    local cluster_id
    cluster_id="$(java "${java_opts[@]}" -cp "$cp" kafka.tools.StorageTool random-uuid)"
    java "${java_opts[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" >/dev/null
  fi
  nohup java "${java_opts[@]}" -cp "$cp" kafka.Kafka "$dir/server.properties" > "$dir/broker.log" 2>&1 &
  echo $! > "$pidfile"
  for _ in $(seq 1 120); do
    if grep -q "Kafka Server started" "$dir/broker.log" 2>/dev/null; then
      echo "kafka started on 127.0.0.1:$port (pid $(cat "$pidfile"), logs $dir/broker.log)"
      return 0
    fi
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "kafka exited while starting:" >&2
      tail -30 "$dir/broker.log" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "kafka did not start within 60 s:" >&2
  tail -30 "$dir/broker.log" >&2
  stop
  return 1
}

stop() {
  if [ -f "$pidfile" ]; then
    local pid
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  fi
}

clean() {
  stop
  rm -rf "$dir/data"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  clean) clean ;;
  run)
    shift
    [ "${1:-}" = "--" ] && shift
    clean
    start
    trap clean EXIT
    KAFKA_BROKERS="127.0.0.1:$port" "$@"
    ;;
  *)
    echo "usage: $0 start|stop|clean|run -- command..." >&2
    exit 2
    ;;
esac
