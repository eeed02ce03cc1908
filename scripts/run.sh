#!/usr/bin/env bash
# Start the assistant: the action server, Rasa with the REST channel, the widget's demo page,
# the Telegram bridge when TELEGRAM_BOT_TOKEN is set, and the Zalo bridge when its credentials
# are set. Ctrl+C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
: "${ENDPOINTS:=endpoints.yml}" "${RASA_PORT:=5005}" "${ACTIONS_PORT:=5055}" "${WIDGET_PORT:=8080}"
: "${WIDGET_ORIGINS:=http://localhost:$WIDGET_PORT http://127.0.0.1:$WIDGET_PORT}"
export RASA_TELEMETRY_ENABLED=false  # these machines reach no telemetry servers
export RASA_URL="${RASA_URL:-http://localhost:$RASA_PORT}"
# The staff console's test pane: messages carrying this token are answered from its drafts.
export STAFF_PREVIEW_TOKEN="${STAFF_PREVIEW_TOKEN:-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
# Retraining from the console: Rasa's HTTP API (PUT /model) is served only behind this token,
# given to Rasa through the environment (rasa_server/__main__.py), never on a command line.
export RASA_ADMIN_TOKEN="${RASA_ADMIN_TOKEN:-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
# The servers a new model is loaded into, one after the other (each instance behind nginx).
if [ "${RASA_INSTANCES:-1}" -gt 1 ]; then
  RASA_INSTANCE_URLS=""
  for i in $(seq 1 "$RASA_INSTANCES"); do RASA_INSTANCE_URLS+="http://127.0.0.1:$((RASA_PORT + i)) "; done
  export RASA_INSTANCE_URLS
fi

pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop INT TERM EXIT

wait_for() {  # url, name, pid: wait until it answers or its process dies
  for _ in $(seq 1 240); do
    curl -fs -o /dev/null "$1" && return 0
    kill -0 "$3" 2>/dev/null || { echo "$2 failed to start; see the messages above." >&2; exit 1; }
    sleep 1
  done
  echo "$2 did not start within 4 minutes." >&2; exit 1
}

echo "==> Starting the action server on :$ACTIONS_PORT"
$BIN/rasa run actions --actions actions --port "$ACTIONS_PORT" & pids+=($!)
wait_for "http://localhost:$ACTIONS_PORT/health" "The action server" "${pids[-1]}"

if [ "${RASA_INSTANCES:-1}" -gt 1 ]; then
  # Rasa's multi-instance layout: N servers on RASA_PORT+1..+N sharing PostgreSQL (tracker
  # store) and Redis (lock store) behind nginx on RASA_PORT; see scripts/scale.py.
  RASA_INSTANCES=$RASA_INSTANCES WIDGET_ORIGINS="$WIDGET_ORIGINS" $BIN/python -m scripts.scale & pids+=($!)
  wait_for "http://localhost:$RASA_PORT/" "Rasa x$RASA_INSTANCES behind nginx" "${pids[-1]}"
else
  echo "==> Starting Rasa (REST channel) on :$RASA_PORT, conversations in $ENDPOINTS"
  # shellcheck disable=SC2086  # WIDGET_ORIGINS is a space-separated list
  $BIN/python -m rasa_server run --model models/assistant.tar.gz --endpoints "$ENDPOINTS" --credentials credentials.yml \
    --port "$RASA_PORT" --cors $WIDGET_ORIGINS & pids+=($!)
  wait_for "http://localhost:$RASA_PORT/" "Rasa" "${pids[-1]}"
fi

if [ -d channels/web ]; then
  echo "==> Serving the demo page with the chat widget"
  $BIN/python -m channels.web & pids+=($!)
fi

if [ -x .venv-staff/bin/python ]; then
  echo "==> Starting the staff console on :${STAFF_PORT:-8081}"
  PYTHONPATH=. .venv-staff/bin/python -m staff & pids+=($!)
  wait_for "http://localhost:${STAFF_PORT:-8081}/login" "The staff console" "${pids[-1]}"
fi

if [ -n "${TELEGRAM_BOT_TOKEN:-}" ]; then
  echo "==> Starting the Telegram bridge"
  $BIN/python -m channels.telegram & pids+=($!)
else
  echo "==> Telegram bridge not started: set TELEGRAM_BOT_TOKEN to start it (see channels/telegram/README.md)"
fi

zalo_missing=""
for var in ZALO_APP_ID ZALO_APP_SECRET ZALO_OA_SECRET_KEY; do [ -n "${!var:-}" ] || zalo_missing+=" $var"; done
[ -n "${ZALO_ACCESS_TOKEN:-}${ZALO_REFRESH_TOKEN:-}" ] || [ -s "${ZALO_TOKEN_FILE:-var/zalo/token.json}" ] \
  || zalo_missing+=" ZALO_ACCESS_TOKEN/ZALO_REFRESH_TOKEN (or ${ZALO_TOKEN_FILE:-var/zalo/token.json})"
if [ -z "$zalo_missing" ]; then
  echo "==> Starting the Zalo OA bridge (webhook on ${ZALO_HOST:-127.0.0.1}:${ZALO_PORT:-8090}/zalo/webhook)"
  $BIN/python -m channels.zalo & pids+=($!)
else
  echo "==> Zalo bridge not started: missing$zalo_missing (see channels/zalo/README.md)"
fi

cat <<MSG

The assistant is running:
  REST:      curl -s -X POST $RASA_URL/webhooks/rest/webhook -H 'Content-Type: application/json' \\
               -d '{"sender":"me","message":"lam ly lich tu phap o dau"}'
  Demo page: http://localhost:$WIDGET_PORT/
  Staff console: http://localhost:${STAFF_PORT:-8081}/  (no account yet? make staff-user, or STAFF_ADMIN_PASSWORD=... make run)
Press Ctrl+C to stop.
MSG
wait -n "${pids[@]}"
