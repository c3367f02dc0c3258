#!/usr/bin/env bash
# Places one real interview call through Vapi or Retell and prints each change as it happens
# (docs/providers.md, "The real-call script"). It costs money at the platform and rings a real
# phone: it is never run by the tests.
#
# Needs: a built jar (mvn -B package -DskipTests), curl, jq, PostgreSQL as the README says, and a
# public https URL that reaches port $HTTP_PORT here (e.g. `cloudflared tunnel --url http://localhost:8080`).
#
#   CANDIDATE_PHONE   the phone to call, E.164 (your own)
#   CALLER_NUMBER     the number to call from, E.164 (a number of your Vapi or Retell account)
#   PARLEY_PUBLIC_URL the public https URL of this server
#   and either
#     PARLEY_PROVIDER=vapi   PARLEY_VAPI_API_KEY (private key)  VAPI_PHONE_NUMBER_ID (the caller number's ID at Vapi)
#   or
#     PARLEY_PROVIDER=retell PARLEY_RETELL_API_KEY  PARLEY_RETELL_AGENT_ID (the template agent)
#   optional: LANGUAGE (EN), QUESTIONS (a JSON array), HTTP_PORT (8080)
#
# It starts the server with that environment, creates a company with the caller number, a key and
# an interview due now, prints every change of the interview and its attempt until it is over,
# then the transcript, the analysis and the recording's size (saved as real-call.<ext>), and stops
# the server.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${CANDIDATE_PHONE:?the phone to call, E.164}"
: "${CALLER_NUMBER:?the number to call from, E.164}"
: "${PARLEY_PUBLIC_URL:?the public https URL of this server}"
: "${PARLEY_PROVIDER:?vapi or retell}"
export HTTP_PORT="${HTTP_PORT:-8080}"
LANGUAGE="${LANGUAGE:-EN}"
QUESTIONS="${QUESTIONS:-[\"Why are you interested in this role?\", \"Tell me about a project you are proud of.\"]}"
JAR=target/parley.jar
API="http://localhost:$HTTP_PORT/v1"
[ -f "$JAR" ] || { echo "build the jar first: mvn -B package -DskipTests" >&2; exit 1; }

case "$PARLEY_PROVIDER" in
  vapi) : "${PARLEY_VAPI_API_KEY:?}" "${VAPI_PHONE_NUMBER_ID:?the ID of the caller number at Vapi}"
        REF=(--provider-ref "$VAPI_PHONE_NUMBER_ID") ;;
  retell) : "${PARLEY_RETELL_API_KEY:?}" "${PARLEY_RETELL_AGENT_ID:?}"; REF=() ;;
  *) echo "PARLEY_PROVIDER must be vapi or retell" >&2; exit 1 ;;
esac

java -jar "$JAR" > real-call-server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
echo "server starting (log: real-call-server.log)"
until curl -sf "http://localhost:$HTTP_PORT/health/ready" > /dev/null; do
  kill -0 $SERVER 2>/dev/null || { echo "the server stopped:"; tail -5 real-call-server.log; exit 1; }
  sleep 1
done

P="java -jar $JAR admin"
COMPANY=$($P company create --name "Real call" --call-window 00:00-24:00 | jq -r .id)
$P phone-number create --company "$COMPANY" --number "$CALLER_NUMBER" "${REF[@]}" --default | jq -c .
KEY=$($P key create --company "$COMPANY" --name real-call --scopes read:interviews,write:interviews | jq -r .key)
AUTH="Authorization: Bearer $KEY"

ID=$(curl -s -X POST "$API/interviews" -H "$AUTH" -H 'Content-Type: application/json' -d "{
  \"candidate\": {\"firstName\": \"Test\", \"lastName\": \"Candidate\", \"phoneNumber\": \"$CANDIDATE_PHONE\"},
  \"agent\": {\"name\": \"Real call\", \"language\": \"$LANGUAGE\", \"duration\": 5, \"questions\": $QUESTIONS}}" \
  | jq -r '.data.id // error(.error | tostring)')
echo "interview $ID created; the phone rings in a moment"

LAST=""
while :; do
  NOW=$(curl -s "$API/interviews/$ID" -H "$AUTH" | jq -c '.data | {status, attempts: [.callAttempts[] |
    {status, reasonCode, provider, providerReason, providerCallId, duration}], analysed: (.analysis != null)}')
  if [ "$NOW" != "$LAST" ]; then echo "$(date -u +%H:%M:%S) $NOW"; LAST=$NOW; fi
  STATUS=$(jq -r .status <<< "$NOW")
  if [ "$STATUS" = FAILED ] || { [ "$STATUS" = COMPLETED ] && [ "$(jq -r .analysed <<< "$NOW")" = true ]; }; then break; fi
  sleep 1
done

curl -s "$API/interviews/$ID" -H "$AUTH" | jq '.data | {transcript, analysis: .analysis.general}'
if [ "$STATUS" = COMPLETED ]; then
  TYPE=$(curl -s -o real-call.audio -w '%{content_type}' "$API/interviews/$ID/recording" -H "$AUTH")
  EXT=audio
  case "$TYPE" in
    audio/mpeg) EXT=mp3 ;;
    audio/wav|audio/x-wav) EXT=wav ;;
  esac
  mv real-call.audio "real-call.$EXT"
  echo "recording: real-call.$EXT, $(wc -c < "real-call.$EXT") bytes, $TYPE"
fi
