#!/bin/bash
# Bucket IAM policies (GET /storage/v1/b/BUCKET/iam), Resource Manager
# projects (GET /v1/projects/ID, /v3/projects/ID) and their policies (POST
# .../ID:getIamPolicy), IAM roles (GET /v1/roles/X, /v1/projects/P/roles/X,
# /v1/organizations/O/roles/X): the shapes with curl and jq, then, when the
# Google Cloud CLI is installed, `gcloud storage buckets get-iam-policy` and
# `gcloud projects describe` reading them. Without gcloud the curl half still
# runs and the test exits 77 (skipped).
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || skip "curl is not installed"
command -v jq >/dev/null || skip "jq is not installed"

agent='serviceAccount:service-111222333444@gcp-sa-healthcare.iam.gserviceaccount.com'
cat >"$WORK/policy.json" <<EOF
{"version": 1, "etag": "BwXyz12AbcE=", "bindings": [
  {"role": "roles/storage.objectViewer", "members": ["$agent", "user:someone@example.com"]},
  {"role": "roles/storage.legacyBucketReader", "members": ["projectViewer:my-project"]}]}
EOF
cat >"$WORK/conditional.json" <<EOF
{"bindings": [{"role": "roles/storage.objectViewer", "members": ["$agent"],
  "condition": {"title": "until 2030", "description": "temporary",
                "expression": "request.time < timestamp(\"2030-01-01T00:00:00Z\")"}}]}
EOF
start_server --gen-bucket scans=2x2 --gen-bucket cond=1 --gen-bucket plain=1 --gen-bucket locked=1 \
    --iam scans="$WORK/policy.json" --iam cond="$WORK/conditional.json" --iam locked=deny \
    --project my-project=111222333444 --project other-project=555666777888 --require-token tok

get() { # URL -> body in $WORK/body, prints the status
    curl -s -o "$WORK/body" -w '%{http_code}' -H 'Authorization: Bearer tok' "$@"
}
O="$BASE/storage/v1/b"

# --- bucket policies
[ "$(get "$O/scans/iam")" = 200 ] || fail "scans/iam: $(cat "$WORK/body")"
jq -e --arg a "$agent" '.kind == "storage#policy" and .resourceId == "projects/_/buckets/scans"
    and .version == 1 and .etag == "BwXyz12AbcE="
    and .bindings[0] == {"role": "roles/storage.objectViewer", "members": [$a, "user:someone@example.com"]}
    and (.bindings | length) == 2 and (keys == ["bindings", "etag", "kind", "resourceId", "version"])' \
    "$WORK/body" >/dev/null || fail "policy shape: $(cat "$WORK/body")"
[ "$(get "$O/scans/iam?fields=bindings,etag")" = 200 ] &&
    jq -e 'keys == ["bindings", "etag"]' "$WORK/body" >/dev/null || fail "fields on iam"
[ "$(get "$O/plain/iam")" = 200 ] || fail "default policy status"
jq -e '.version == 1 and .etag == "CAE=" and .resourceId == "projects/_/buckets/plain"
    and ([.bindings[].role] == ["roles/storage.legacyBucketOwner", "roles/storage.legacyBucketReader",
         "roles/storage.legacyObjectOwner", "roles/storage.legacyObjectReader"])
    and ([.bindings[].members[]] | all(test("^project(Owner|Editor|Viewer):test-project$")))' \
    "$WORK/body" >/dev/null || fail "default policy: $(cat "$WORK/body")"
[ "$(get "$O/cond/iam?optionsRequestedPolicyVersion=3")" = 200 ] &&
    jq -e '.version == 3 and .bindings[0].condition.title == "until 2030"
        and (.bindings[0].condition.expression | startswith("request.time <"))' "$WORK/body" >/dev/null ||
    fail "conditional policy: $(cat "$WORK/body")"
[ "$(get "$O/cond/iam")" = 400 ] || fail "a conditional policy was given without version 3"
[ "$(get "$O/locked/iam")" = 403 ] &&
    jq -e '.error.code == 403 and .error.errors[0].reason == "forbidden"
        and (.error.message | test("does not have storage.buckets.getIamPolicy access to the Google Cloud Storage bucket. Permission .storage.buckets.getIamPolicy. denied on resource \\(or it may not exist\\)."))' \
        "$WORK/body" >/dev/null || fail "403 shape: $(cat "$WORK/body")"
[ "$(get "$O/missing/iam")" = 404 ] && jq -e '.error.errors[0].reason == "notFound"' "$WORK/body" >/dev/null ||
    fail "a missing bucket's policy is not 404"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$O/scans/iam")" = 401 ] || fail "iam without the token"
echo "ok: bucket IAM policies (file, default, conditional, 403, 404, 401)"

# --- Resource Manager
[ "$(get "$BASE/v1/projects/my-project?alt=json")" = 200 ] || fail "projects.get"
jq -e '.projectNumber == "111222333444" and .projectId == "my-project" and .lifecycleState == "ACTIVE"
    and .name == "my-project" and (.createTime | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{3}Z$"))' \
    "$WORK/body" >/dev/null || fail "v1 project: $(cat "$WORK/body")"
[ "$(get "$BASE/v1/projects/555666777888")" = 200 ] &&
    jq -e '.projectId == "other-project"' "$WORK/body" >/dev/null || fail "a project by number"
[ "$(get "$BASE/v3/projects/my-project")" = 200 ] &&
    jq -e '.name == "projects/111222333444" and .projectId == "my-project" and .state == "ACTIVE"' \
        "$WORK/body" >/dev/null || fail "v3 project: $(cat "$WORK/body")"
[ "$(get "$BASE/v1/projects/not-mine")" = 403 ] &&
    jq -e '.error == {"code": 403, "message": "The caller does not have permission", "status": "PERMISSION_DENIED"}' \
        "$WORK/body" >/dev/null || fail "unknown project: $(cat "$WORK/body")"
[ "$(get "$BASE/v1/projects/test-project")" = 403 ] || fail "test-project is known although --project was given"
[ "$(curl -s -o "$WORK/body" -w '%{http_code}' "$BASE/v1/projects/my-project")" = 401 ] &&
    jq -e '.error.status == "UNAUTHENTICATED"' "$WORK/body" >/dev/null || fail "projects.get without the token"
echo "ok: Resource Manager projects (v1, v3, by number, 403 PERMISSION_DENIED, 401)"
stop_server
[ "$(stat requests iam)" = 7 ] && [ "$(stat requests project)" = 6 ] || fail "iam/project requests not counted"

# --- project policies (projects.getIamPolicy, v1 and v3) and IAM roles (roles.get)
cat >"$WORK/project.json" <<EOF
{"version": 1, "etag": "BwPrj=", "bindings": [
  {"role": "roles/storage.objectViewer", "members": ["$agent"]},
  {"role": "roles/owner", "members": ["user:owner@example.com"]}]}
EOF
cat >"$WORK/project-cond.json" <<EOF
{"bindings": [{"role": "roles/storage.objectViewer", "members": ["$agent"],
  "condition": {"title": "weekdays", "expression": "request.time.getDayOfWeek() < 5"}}]}
EOF
start_server --gen-bucket b=1 --project my-project=111222333444 --project cond-project=222 \
    --project locked-project=333 --project plain-project=444 \
    --project-iam my-project="$WORK/project.json" --project-iam cond-project="$WORK/project-cond.json" \
    --project-iam locked-project=deny \
    --role projects/my-project/roles/reader=storage.objects.get,storage.objects.list \
    --role organizations/123/roles/lister=storage.objects.list \
    --role projects/my-project/roles/old=deleted:storage.objects.get --role roles/storage.secret=deny \
    --role roles/storage.objectViewer=storage.objects.get,storage.objects.list,storage.folders.get
post() { # URL BODY -> body in $WORK/body, prints the status
    curl -s -o "$WORK/body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        --data "$2" "$1"
}
for v in v1 v3; do
    [ "$(post "$BASE/$v/projects/my-project:getIamPolicy" '{}')" = 200 ] &&
        jq -e --arg a "$agent" '.version == 1 and .etag == "BwPrj=" and .bindings[0].members == [$a]' \
            "$WORK/body" >/dev/null || fail "$v project policy: $(cat "$WORK/body")"
done
[ "$(post "$BASE/v3/projects/111222333444:getIamPolicy" '{}')" = 200 ] || fail "a project policy by number"
[ "$(post "$BASE/v3/projects/plain-project:getIamPolicy" '{"options":{"requestedPolicyVersion":3}}')" = 200 ] &&
    jq -e '.bindings == [{"role": "roles/owner", "members": ["user:owner@example.com"]}]' "$WORK/body" \
        >/dev/null || fail "the default project policy: $(cat "$WORK/body")"
[ "$(post "$BASE/v3/projects/cond-project:getIamPolicy" '{}')" = 400 ] || fail "conditions without version 3"
[ "$(post "$BASE/v3/projects/cond-project:getIamPolicy" '{"options":{"requestedPolicyVersion":3}}')" = 200 ] &&
    jq -e '.version == 3 and .bindings[0].condition.title == "weekdays"' "$WORK/body" >/dev/null ||
    fail "a conditional project policy: $(cat "$WORK/body")"
[ "$(post "$BASE/v3/projects/locked-project:getIamPolicy" '{}')" = 403 ] &&
    jq -e '.error.status == "PERMISSION_DENIED"' "$WORK/body" >/dev/null || fail "a denied project policy"
[ "$(post "$BASE/v3/projects/not-mine:getIamPolicy" '{}')" = 403 ] || fail "an unknown project's policy"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/v3/projects/my-project:getIamPolicy")" = 405 ] ||
    fail "getIamPolicy by GET"
[ "$(curl -s -o "$WORK/body" -w '%{http_code}' "$BASE/v1/projects/my-project/roles/reader")" = 200 ] &&
    jq -e '.name == "projects/my-project/roles/reader" and .includedPermissions ==
        ["storage.objects.get", "storage.objects.list"] and (has("deleted") | not)' "$WORK/body" \
        >/dev/null || fail "a custom role: $(cat "$WORK/body")"
[ "$(curl -s -o "$WORK/body" -w '%{http_code}' "$BASE/v1/organizations/123/roles/lister")" = 200 ] &&
    jq -e '.includedPermissions == ["storage.objects.list"]' "$WORK/body" >/dev/null || fail "an organization role"
[ "$(curl -s -o "$WORK/body" -w '%{http_code}' "$BASE/v1/projects/my-project/roles/old")" = 200 ] &&
    jq -e '.deleted == true' "$WORK/body" >/dev/null || fail "a deleted role"
[ "$(curl -s -o "$WORK/body" -w '%{http_code}' "$BASE/v1/roles/storage.objectViewer")" = 200 ] &&
    jq -e '.includedPermissions | length == 3' "$WORK/body" >/dev/null || fail "a predefined role"
[ "$(curl -s -o "$WORK/body" -w '%{http_code}' "$BASE/v1/roles/storage.secret")" = 403 ] || fail "a denied role"
[ "$(curl -s -o "$WORK/body" -w '%{http_code}' "$BASE/v1/projects/my-project/roles/nope")" = 404 ] &&
    jq -e '.error.status == "NOT_FOUND"' "$WORK/body" >/dev/null || fail "an unknown role"
stop_server
[ "$(stat requests role)" = 6 ] && [ "$(stat requests project)" = 9 ] || fail "role/project requests not counted"
"$SERVER" --gen-bucket b=1 --project-iam nowhere=deny --max-lifetime 1 >/dev/null 2>"$WORK/err" &&
    fail "--project-iam for an unknown project was accepted"
grep -q "does not give" "$WORK/err" || fail "--project-iam typo: $(cat "$WORK/err")"
"$SERVER" --gen-bucket b=1 --role 'roles/x y=a' --max-lifetime 1 >/dev/null 2>&1 &&
    fail "a malformed role name was accepted"
echo "ok: project policies (v1, v3, by number, default, conditional, 403) and IAM roles (custom, organization, deleted, predefined, 403, 404)"

# --- the defaults: test-project is the one project; a typo in --iam is refused
start_server --gen-bucket b=1
[ "$(curl -s -o "$WORK/body" -w '%{http_code}' "$BASE/v1/projects/123456789012")" = 200 ] &&
    jq -e '.projectId == "test-project"' "$WORK/body" >/dev/null || fail "the default project"
stop_server
"$SERVER" --gen-bucket b=1 --iam c=deny --max-lifetime 1 >/dev/null 2>"$WORK/err" &&
    fail "--iam for a bucket that is not served was accepted"
grep -q "not served" "$WORK/err" || fail "--iam typo: $(cat "$WORK/err")"
echo '{"bindings": [{"role": 1}]}' >"$WORK/bad.json"
"$SERVER" --gen-bucket b=1 --iam b="$WORK/bad.json" --max-lifetime 1 >/dev/null 2>&1 &&
    fail "a malformed policy file was accepted"
echo "ok: defaults and malformed configuration"

GCLOUD=${GCLOUD:-gcloud}
command -v "$GCLOUD" >/dev/null || skip "the gcloud half: gcloud (Google Cloud CLI) is not installed"

start_server --gen-bucket scans=2x2 --gen-bucket locked=1 --iam scans="$WORK/policy.json" \
    --iam locked=deny --project my-project=111222333444 --require-token tok
echo tok >"$WORK/token"
export CLOUDSDK_CONFIG="$WORK/gcloud-config"
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
export CLOUDSDK_AUTH_ACCESS_TOKEN_FILE="$WORK/token"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE="$BASE/"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER="$BASE/"
export CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=1
export CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=1
g() { timeout 90 "$GCLOUD" "$@" 2>>"$WORK/gcloud.err"; }

g projects describe my-project --format=json >"$WORK/p.json" || fail "gcloud projects describe: $(tail -3 "$WORK/gcloud.err")"
jq -e '.projectNumber == "111222333444" and .projectId == "my-project" and .lifecycleState == "ACTIVE"' \
    "$WORK/p.json" >/dev/null || fail "gcloud read: $(cat "$WORK/p.json")"
g projects describe not-mine --format=json >/dev/null && fail "gcloud described an unknown project"
grep -q "does not have permission" "$WORK/gcloud.err" || fail "gcloud's 403: $(tail -2 "$WORK/gcloud.err")"
g storage buckets get-iam-policy gs://scans --format=json >"$WORK/i.json" ||
    fail "gcloud storage buckets get-iam-policy: $(tail -3 "$WORK/gcloud.err")"
jq -e --arg a "$agent" '.etag == "BwXyz12AbcE=" and (.bindings[0].members | index($a)) != null' \
    "$WORK/i.json" >/dev/null || fail "gcloud policy: $(cat "$WORK/i.json")"
g storage buckets get-iam-policy gs://locked --format=json >/dev/null && fail "gcloud read a denied policy"
grep -q "storage.buckets.getIamPolicy" "$WORK/gcloud.err" || fail "gcloud's 403 on iam: $(tail -2 "$WORK/gcloud.err")"
stop_server
echo "ok: gcloud projects describe and gcloud storage buckets get-iam-policy read them"
echo "all IAM and Resource Manager checks passed"
