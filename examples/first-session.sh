#!/usr/bin/env bash
# The README's first session: an application's SMN path against the mock, then SUBHOOK.
# Run it from anywhere once the mock is up (npm start, in another terminal):
#   bash examples/first-session.sh
# It starts two receivers (smn-kit listen) and stops them by their PIDs when it ends,
# also when a step fails. What they record goes to tmp/, which git ignores.
set -euo pipefail
cd "$(dirname "$0")/.."                       # the repository: node dist/cli.js is smn-kit

SMN=${SMN:-http://127.0.0.1:4010}             # the mock (npm start)
SMN_RECEIVER_PORT=${SMN_RECEIVER_PORT:-9100}  # stands in for your application's SMN endpoint
SUBHOOK_PORT=${SUBHOOK_PORT:-8787}            # stands in for your SUBHOOK receiver
P=f96188c7ccaf4ffba0c9aa149ab2bd57            # a project id: any 32 hex digits work
H='X-Auth-Token: any-token'                   # the mock checks that a token is there
J='Content-Type: application/json'
mkdir -p tmp

receivers=''
stop_receivers() { if [ -n "$receivers" ]; then kill $receivers 2>/dev/null || true; wait $receivers 2>/dev/null || true; fi; receivers=''; }
trap stop_receivers EXIT
# Waits until a receiver accepts connections (a bare TCP connect, which it does not count).
wait_for_port() {
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "nothing listens on port $1" >&2; return 1
}

curl -fsS -o /dev/null -X POST "$SMN/_mock/reset"   # back to the seed, so that every run shows the same

# 1. Your application's SMN endpoint. listen --confirm confirms subscriptions (a GET of
#    subscribe_url) and verifies every message with the certificate the mock serves.
node dist/cli.js listen --port "$SMN_RECEIVER_PORT" --confirm --out tmp/notifications.jsonl &
receivers="$receivers $!"
wait_for_port "$SMN_RECEIVER_PORT"

# 2. CreateTopic, then AddSubscription: the mock sends the endpoint a signed
#    SubscriptionConfirmation, and listen confirms it.
curl -fsS -w '\n' -X POST -H "$H" -H "$J" "$SMN/v2/$P/notifications/topics" \
  -d '{"name":"orders","display_name":"Order desk"}'
TOPIC="urn:smn:cn-north-4:$P:orders"
curl -fsS -w '\n' -X POST -H "$H" -H "$J" "$SMN/v2/$P/notifications/topics/$TOPIC/subscriptions" \
  -d '{"protocol":"http","endpoint":"http://127.0.0.1:'"$SMN_RECEIVER_PORT"'/smn","remark":"first session"}'
for _ in $(seq 50); do   # status 1 once confirmed
  curl -fsS -H "$H" "$SMN/v2/$P/notifications/topics/$TOPIC/subscriptions" | grep -q '"status":1' && break; sleep 0.1
done
curl -fsS -w '\n' -H "$H" "$SMN/v2/$P/notifications/topics/$TOPIC/subscriptions"

# 3. PublishMessage: the endpoint receives a signed Notification, which listen verifies.
curl -fsS -w '\n' -X POST -H "$H" -H "$J" "$SMN/v2/$P/notifications/topics/$TOPIC/publish" \
  -d '{"subject":"Order 42","message":"Order 42 has shipped"}'

# 4. SMS callbacks: bind SMS failures to the topic (UpdateSmsEvent) and read it back
#    (ListSmsEvent). Then a shortcut of the mock, not SMN's API: /_mock/sms/events
#    publishes an SMS failure event to the bound topic, as SMN does when a message fails.
curl -fsS -w '\n' -X PUT -H "$H" -H "$J" "$SMN/v2/$P/notifications/sms/callback" \
  -d '{"callback":[{"event_type":"sms_fail_event","topic_urn":"'"$TOPIC"'"}]}'
curl -fsS -w '\n' -H "$H" "$SMN/v2/$P/notifications/sms/callback?event_type=sms_fail_event"
curl -fsS -X POST "$SMN/_mock/sms/events" -d '{"event_type":"sms_fail_event","status_desc":"UNDELIV"}'

# 5. SUBHOOK: a receiver that checks signatures with SUBHOOK_KEY and answers 400 to a bad
#    push; fire sends all 8 sms events signed with the same key, then one forged push.
export SUBHOOK_KEY=your-subhook-secret        # the environment keeps it out of the process list
node dist/cli.js listen --port "$SUBHOOK_PORT" --refuse-invalid --out tmp/deliveries.jsonl &
receivers="$receivers $!"
wait_for_port "$SUBHOOK_PORT"
node dist/cli.js fire all --to "http://127.0.0.1:$SUBHOOK_PORT/subhook"
node dist/cli.js fire request --tamper signature --to "http://127.0.0.1:$SUBHOOK_PORT/subhook"

# 6. Stop both receivers; each prints its summary:
#    "3 deliveries: 3 valid, 0 invalid; 1 subscription confirmed", "9 deliveries: 8 valid, 1 invalid".
stop_receivers
